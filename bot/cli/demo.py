"""`klambi demo`: the scripted season against the local Bot API."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import click

from bot.cli.common import (
    Context,
    command,
    pass_context,
)
from bot.i18n import t
from bot.views import indicator_text

# --- demo ----------------------------------------------------------------------------------------------------


@command("demo")
@pass_context
def demo(ctx: Context) -> None:
    """Demo tanpa token: satu musim Kecamatan Jatiroto lewat bot sungguhan dan Bot API tiruan di komputer ini.

    Menulis klambi-demo.db dan demo-data/ (dibuat ulang setiap kali), tidak menyentuh klambi.db.
    """
    from bot.sandbox.demo import DEMO_DATABASE, run_demo

    report = asyncio.run(run_demo(ctx.settings, click.echo))
    click.echo()
    click.echo(indicator_text(report, ctx.language))
    click.echo()
    program, on_path = _program()
    key = "demo.try" if on_path else "demo.try_path"
    activate = str(Path(program).parent / "activate")
    click.echo(t(key, ctx.language, url=f"sqlite:///{DEMO_DATABASE}", klambi=program, activate=activate))


def _program() -> tuple[str, bool]:
    """How to call this klambi from here, and whether the shell finds it as `klambi`: the README's install leaves it
    in .venv/bin, which is not on PATH until the venv is activated."""
    here = Path(sys.executable).parent / "klambi"  # the console script sits next to the venv's python
    found = shutil.which("klambi")
    if not here.is_file() or (found is not None and Path(found).resolve() == here.resolve()):
        return "klambi", found is not None
    relative = os.path.relpath(here)
    return (str(here) if relative.startswith("..") else relative), False


# --- entry point -----------------------------------------------------------------------------------------------
