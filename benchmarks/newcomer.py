"""A newcomer's path, timed on this machine: from a fresh clone to the first secretary's receipt.

    python -m benchmarks newcomer -o docs/performance-results/newcomer.json

The steps are what a person types, run as they would be: `git clone` of this repository into a temporary folder, the
README's install (`python3 -m venv .venv && .venv/bin/pip install -e .`; pip uses the package index configured on
the machine), `klambi setup --yes …` against a Telegram Bot API sandbox started here (the only thing that differs
from a real start: `--telegram-base-url` points at the sandbox instead of api.telegram.org), `klambi invite` for a
secretary, `klambi run` as a process, and then the sandbox playing the secretary in the chat: `/start CODE`, then a
whole `/kirim` (choose the document, send the PDF, the date, the nomor, Kirim) until the receipt.

Machine seconds are wall-clock seconds per step; a person's reading and typing time is not in them. `typed` counts
the commands typed in the terminal and the messages and taps in the chat (the goal: 15 or fewer, under 5 minutes of
machine time).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bot.sandbox.telegram import BotApiSandbox, SandboxUser
from bot.storage import minimal_pdf

REPOSITORY = Path(__file__).resolve().parents[1]
TOKEN = "7654321:NEWCOMER-benchmark-token"
BOT = "kec_jatiroto_bot"
SEKDES_DESA = "35.08.17.2002"  # Rojopolo, Jatiroto
PDF = minimal_pdf(b" RKPDes Rojopolo " + b"x" * 2000)
GOAL_SECONDS, GOAL_TYPED = 300, 15


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Steps:
    """The steps and their seconds."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    async def shell(self, name: str, command: list[str], cwd: Path, env: dict[str, str], typed: str | list[str]) -> str:
        start = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await process.communicate()
        seconds = time.monotonic() - start
        text = out.decode(errors="replace")
        if process.returncode != 0:
            raise RuntimeError(f"{name} failed ({process.returncode}):\n{text[-3000:]}")
        self.add(name, seconds, [typed] if isinstance(typed, str) else typed)
        return text

    def add(self, name: str, seconds: float, typed: list[str], where: str = "terminal") -> None:
        self.steps.append({"step": name, "seconds": round(seconds, 2), "typed": typed, "where": where})
        print(f"{name:<28} {seconds:7.1f} s   ({len(typed)} typed: {'; '.join(typed)})", file=sys.stderr)


async def kirim(sekdes: SandboxUser, today: date) -> list[str]:
    """A whole /kirim, as the secretary types and taps it; returns what was typed or tapped."""
    await sekdes.send_text("/kirim")
    menu = await sekdes.expect("Dokumen mana", timeout=120)
    first = next(data for row in menu.buttons for _, data in row if data and data.startswith("k:o:"))
    await sekdes.press(first)
    await sekdes.expect("Kirim berkas", timeout=120)
    await sekdes.send_document(PDF, "Perdes RKPDes Rojopolo.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan", timeout=120)
    await sekdes.send_text(today.strftime("%d/%m/%Y"))
    await sekdes.expect("Nomor dokumennya", timeout=120)
    await sekdes.send_text(f"5 Tahun {today.year}")
    await sekdes.expect("Periksa dulu", timeout=120)
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima", timeout=120)
    return ["/kirim", "(tap the document)", "(send the PDF)", "(the date)", "(the nomor)", "(tap Kirim)"]


async def measure(keep: bool = False) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="klambi-newcomer-"))
    clone = work / "ngobras-klambi"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLAMBI_") and k != "VIRTUAL_ENV"}
    path = Steps()
    run: asyncio.subprocess.Process | None = None
    started = time.monotonic()
    try:
        async with BotApiSandbox(token=TOKEN, bot_username=BOT) as sandbox:
            await path.shell("clone", ["git", "clone", "-q", str(REPOSITORY), str(clone)], work, env,
                             ["git clone <repository>", "cd ngobras-klambi"])  # fmt: skip
            await path.shell("install", ["sh", "-c", "python3 -m venv .venv && .venv/bin/pip install -q -e ."], clone,
                             env, "python3 -m venv .venv && .venv/bin/pip install -e .")  # fmt: skip
            klambi = str(clone / ".venv" / "bin" / "klambi")
            await path.shell(
                "setup",
                [klambi, "setup", "--yes", "--kecamatan", "Jatiroto, Lumajang", "--telegram-token", TOKEN,
                 "--telegram-base-url", sandbox.base_url, "--staf-name", "Kasi Pemerintahan"],
                clone, env, ".venv/bin/klambi setup --yes --kecamatan 'Jatiroto, Lumajang' --telegram-token …",
            )  # fmt: skip
            invited = await path.shell("invite", [klambi, "invite", "--role", "sekdes", "--desa", SEKDES_DESA], clone,
                                       env, f".venv/bin/klambi invite --role sekdes --desa {SEKDES_DESA}")  # fmt: skip
            code = re.search(rf"https://t\.me/{BOT}\?start=([A-Z0-9]+)", invited)
            assert code is not None, invited
            start = time.monotonic()
            run_env = env | {"KLAMBI_WEB__PORT": str(_free_port())}  # beside other services on this machine
            run = await asyncio.create_subprocess_exec(
                klambi, "run", cwd=clone, env=run_env, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            sekdes = sandbox.user(9001, "Sekdes", last_name="Rojopolo")
            await sekdes.send_text(f"/start {code.group(1)}")
            await sekdes.expect("Selamat datang", timeout=120)
            path.add("run + /start", time.monotonic() - start, [".venv/bin/klambi run", "/start (the link)"], "both")
            start = time.monotonic()
            typed = await kirim(sekdes, date.today())
            path.add("/kirim until the receipt", time.monotonic() - start, typed, "chat")
    finally:
        if run is not None and run.returncode is None:
            run.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(run.wait(), timeout=60)
            except TimeoutError:
                run.kill()
        if keep:
            print(f"kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - started
    typed_count = sum(len(step["typed"]) for step in path.steps)
    return {
        "benchmark": "newcomer",
        "date": date.today().isoformat(),
        "commit": _commit(),
        "steps": path.steps,
        "machine_seconds": round(sum(step["seconds"] for step in path.steps), 1),
        "wall_seconds": round(total, 1),
        "typed": typed_count,
        "typed_terminal": sum(len(s["typed"]) for s in path.steps if s["where"] == "terminal") + 1,  # + `klambi run`
        "goal": {"seconds": GOAL_SECONDS, "typed": GOAL_TYPED},
        "met": total <= GOAL_SECONDS and typed_count <= GOAL_TYPED,
    }


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True)
    return done.stdout.strip()


def main(output: Path | None, keep: bool = False) -> dict[str, Any]:
    from benchmarks.__main__ import _machine

    result = asyncio.run(measure(keep))
    result["machine"] = _machine()
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    print(text)
    return result


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
