"""What a worker of the report pool runs (`reports.pool`): a builder's name and its plain data in, the file's bytes
out. Nothing here opens a database or touches the event loop; the forkserver imports it and what the builders need
once (`PRELOAD`), so that each new worker starts warm.

Each builder takes exactly the data its `reports.recipes` function put in the recipe, and the language.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.i18n import Language

NICE = 10  # how much lower a worker's CPU priority is than the bot's


def indicator_png(data: Any, language: Language) -> bytes:
    from reports.charts import indicator_png as draw

    return draw(data, language)


def workbook(data: Any, language: Language) -> bytes:
    from reports.workbook import workbook_bytes

    return workbook_bytes(data, language)


def markdown(data: Any, language: Language) -> bytes:
    from reports.markdown import markdown_bytes

    return markdown_bytes(data, language)


def evidence_zip(data: Any, language: Language) -> bytes:
    """`data` is (the `EvidenceSet`, the file store's root as text): the zip `klambi files export` writes."""
    from bot.services.archive import write_archive
    from bot.storage import FileStore

    evidence, root = data
    with tempfile.TemporaryDirectory(prefix="klambi-bukti-") as folder:
        out = Path(folder) / "bukti.zip"
        write_archive(evidence, FileStore(Path(root)), out, language)
        return out.read_bytes()


BUILDERS: dict[str, Callable[[Any, Language], bytes]] = {
    "indicator_png": indicator_png,
    "workbook": workbook,
    "markdown": markdown,
    "evidence_zip": evidence_zip,
}


def lower_priority() -> None:
    """A worker's initializer: the bot's own process goes first when both want the CPU (a file may wait a little; a
    person's answer should not)."""
    import contextlib
    import os

    with contextlib.suppress(AttributeError, OSError):  # no nice on this platform
        os.nice(NICE)


def build(builder: str, data: Any, language: Language) -> bytes:
    """Run one builder (in a worker process, or in a thread when `[reports] workers` is 0)."""
    return BUILDERS[builder](data, language)


# imported once by the forkserver before it forks any worker: each worker starts with these loaded
PRELOAD = ["reports.work", "bot.services.indicator", "reports.tables", "matplotlib.figure", "openpyxl",
           "reports.charts", "reports.workbook", "reports.markdown", "bot.services.archive"]  # fmt: skip
