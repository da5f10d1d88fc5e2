"""What the command groups share: the context, click's words, the schema and the planning after a change."""

from __future__ import annotations

import asyncio
import functools
import gettext
import importlib
import io
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from bot.app import App
from bot.cleaning import clean_text
from bot.clock import Clock, today
from bot.config import Settings, load_settings
from bot.db import upgrade
from bot.errors import InputError
from bot.i18n import Language, t
from bot.parsing import FIRST_YEAR, parse_option_date, parse_year
from models.status import end_of_day
from models.tables import Role

T = TypeVar("T")
REPLAN_AT_IMPORT = 50  # kecamatan: reminders of a small import are planned at once
ERROR_LANGUAGE: list[Language] = ["id"]  # set once the configuration is read; errors before that are in Indonesian


@dataclass
class Context:
    config_path: Path | None
    clock: Clock
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            ERROR_LANGUAGE[0] = self._settings.bot.language
            speak_click(self._settings.bot.language)
        return self._settings

    @property
    def language(self) -> Language:
        return self.settings.bot.language

    def today(self) -> date:
        return today(self.clock, ZoneInfo(self.settings.bot.timezone))

    def run(self, work: Callable[[App], Awaitable[T]], settings: Settings | None = None) -> T:
        async def main() -> T:
            app = App.create(settings or self.settings, self.clock)
            try:
                return await work(app)
            finally:
                await app.close()

        return asyncio.run(main())


pass_context = click.make_pass_decorator(Context)
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui", "types",
                 "utils", "_termui_impl")  # fmt: skip


@functools.cache
def _click_catalog() -> gettext.GNUTranslations:
    """click's messages in Indonesian: bot/i18n/click-id.po, compiled in memory with Babel."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with resources.files("bot.i18n").joinpath("click-id.po").open("rb") as source:
        catalog = read_po(source, locale="id")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def speak_click(language: Language) -> None:
    """click's own words (usage, help headings, its errors) in the deployment's language. click looks `_` and
    `ngettext` up in each of its modules when it speaks, so those names are pointed at the catalog."""
    words: gettext.NullTranslations = _click_catalog() if language == "id" else gettext.NullTranslations()
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = words.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = words.ngettext  # type: ignore[attr-defined]


class _Text(click.ParamType):
    """A free text option (a nomor, a reason, a name): one line, without control characters (`bot.cleaning`)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return clean_text(value) if isinstance(value, str) else value


TEXT = _Text()


METAVARS = {"text": "TEKS", "path": "BERKAS", "file": "BERKAS", "directory": "FOLDER", "integer": "ANGKA"}


class _Words:
    """Usage lines in the words of the help around them: [OPSI], PERINTAH, TEKS, BERKAS (click's metavars are
    English names of types, outside its message catalog)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPSI]")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for param in self.params:  # type: ignore[attr-defined]
            if param.metavar is None and isinstance(param, click.Option) and param.type.name in METAVARS:
                param.metavar = METAVARS[param.type.name]


class KlambiCommand(_Words, click.Command):
    pass


class KlambiGroup(_Words, click.Group):
    command_class = KlambiCommand
    group_class = type  # subgroups are KlambiGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        optional = kwargs.get("invoke_without_command")
        kwargs.setdefault("subcommand_metavar", "[PERINTAH] [ARG]..." if optional else "PERINTAH [ARG]...")
        super().__init__(*args, **kwargs)


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], KlambiCommand]:
    """A command in the words of the help around it; the root group or a group joins it with `add_command`."""
    return click.command(name, cls=KlambiCommand, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], KlambiGroup]:
    """A group of commands whose own commands are KlambiCommands and whose subgroups are KlambiGroups."""
    return click.group(name, cls=KlambiGroup, **attrs)


async def ready(app: App) -> None:
    """Every command brings the schema up to date first: a fresh folder just works."""
    await upgrade(app.engine)


# --- villages --------------------------------------------------------------------------------------------------


def note_kelurahan_only(kecamatan, has_desa: bool, language: Language) -> None:
    """Said above an empty table: the kecamatan holds only kelurahan, which make no village documents."""
    if not has_desa:
        click.echo(t("cli.kelurahan_only", language, kecamatan=kecamatan.nama, kode=kecamatan.kode))


def year_and_moment(ctx: Context, year_text: str, at_text: str | None) -> tuple[int, date | None]:
    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1)
    return year, parse_option_date("--at", at_text) if at_text else None


def instant(app: App, kecamatan_tz: str, at: date | None) -> datetime:
    """A date means the end of that day in the kecamatan's time; no date means now."""
    return end_of_day(at, ZoneInfo(kecamatan_tz)) if at else app.clock.now()


format_option = click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


async def replan(app: App, session, kecamatan_codes: list[str] | None) -> None:
    """Planning follows every change made from the command line too (None: every kecamatan), for the commands whose
    use-case leaves it to its caller (a holiday, the forum group, an import)."""
    from bot.services.planning import plan_again

    await plan_again(session, kecamatan_codes, app.clock.now(), app.settings.reminders)


ROLE_CHOICES = [r.value for r in Role]


def check_output(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise InputError("cli.output_folder", folder=path.parent)
    if path.exists() and not force:
        raise InputError("cli.output_exists", path=path)


def person_number(text: str) -> int:
    """A person's id as `klambi person list` shows it: ASCII digits, within the database's integer."""
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):
        raise InputError("cli.person.bad_id", value=text.strip()[:20])
    return int(text)
