"""`python -m bot.reading.child`: read one document in a process of its own, within limits of memory and CPU.

In on stdin: {"paths": [...], "limits": {...Limits}}. Out on stdout: the line "ocr" when OCR starts (the parent then
allows `ocr_seconds` more), then one JSON line, {"reading": Reading.as_json() + "pages"} or {"error": key, "params":
{...}}. Whatever goes wrong inside is one of those keys; a crash or a kill is for the parent to name.
"""

from __future__ import annotations

import json
import math
import resource
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from bot.reading import Limits, Unreadable

RECURSION_LIMIT = 2000  # deep enough for real PDFs; a hostile nesting fails with RecursionError, not a C stack overflow


def limit(limits: Limits) -> None:
    """Memory (address space) and CPU time of this process and of what it starts (Tesseract)."""
    memory = int(limits.memory_bytes)
    _set(resource.RLIMIT_AS, memory)
    cpu = math.ceil(limits.seconds + (limits.ocr_seconds if limits.ocr else 0)) + 1
    _set(resource.RLIMIT_CPU, cpu)
    sys.setrecursionlimit(RECURSION_LIMIT)


def _set(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard if hard != resource.RLIM_INFINITY else value))


def work(request: dict[str, Any]) -> dict[str, Any]:
    import pypdf  # noqa: F401 - imported before the limits, so that a tight memory limit bites the file, not an import

    from bot.reading.extract import page_texts
    from bot.reading.fields import read_document

    known = {f.name for f in fields(Limits)}
    limits = Limits(**{k: v for k, v in dict(request.get("limits") or {}).items() if k in known})
    paths = [Path(p) for p in request["paths"]]
    limit(limits)

    def ocr_started() -> None:
        sys.stdout.write("ocr\n")
        sys.stdout.flush()

    try:
        pages, source = page_texts(paths, limits, on_ocr=ocr_started)
        reading = read_document(pages, source)
    except Unreadable as problem:
        return {"error": problem.key, "params": _plain(problem.params)}
    except RecursionError:
        return {"error": "reading.damaged", "params": {"name": paths[0].name if paths else ""}}
    except MemoryError:
        return {"error": "reading.too_heavy", "params": {}}
    return {"reading": {**reading.as_json(), "pages": reading.pages}}


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in params.items()}


def main() -> int:
    try:
        request = json.loads(sys.stdin.read(1_000_000))
        answer = work(request)
    except MemoryError:
        answer = {"error": "reading.too_heavy", "params": {}}
    except Exception:  # anything else a file provokes is a damaged file, said in one key, never a traceback
        answer = {"error": "reading.damaged", "params": {}}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
