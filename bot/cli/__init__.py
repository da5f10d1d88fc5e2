"""The `klambi` command line: the root group joins the command groups; `main` turns errors into one line."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from bot.cli import (
    demo,
    desk,
    doctor,
    forum,
    history,
    holidays,
    indicator,
    ops,
    people,
    reading,
    records,
    reminders,
    reports,
    serve,
    setup,
    targets,
    trial,
    villages,
    web,
    whatsapp,
)
from bot.cli.common import ERROR_LANGUAGE, Context, KlambiGroup, speak_click
from bot.clock import Clock, ManualClock, SystemClock
from bot.config import ConfigError, load_settings
from bot.errors import InputError, InputErrors
from bot.i18n import Language, t
from bot.parsing import DATE_YEARS

__all__ = ["cli", "main", "speak_click"]
log = logging.getLogger("klambi")


def _moment(value: str | None) -> Clock:
    if value is None:
        return SystemClock()
    try:
        if not value.isascii():
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("error.bad_now", value=value[:40]) from None
    if not DATE_YEARS[0] <= moment.year <= DATE_YEARS[1]:
        raise InputError("error.year_out_of_range", option="--now", value=moment.year, low=DATE_YEARS[0],
                         high=DATE_YEARS[1])  # fmt: skip
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    return ManualClock(moment)


@click.group(cls=KlambiGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Berkas konfigurasi TOML.")
@click.option("--now", "now", metavar="WAKTU", help="Anggap sekarang WAKTU (ISO 8601), untuk demo dan uji.")
@click.version_option(package_name="ngobras-klambi", help="Tampilkan versi lalu keluar.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, now: str | None) -> None:
    """Ngobras Klambi: dokumen desa tepat waktu dan indikator akuntabilitas pemerintahan desa."""
    ctx.obj = Context(config_path, _moment(now))


# --- the command groups join -----------------------------------------------------------------------------------

records.record.add_command(desk.record_import)
records.record.add_command(desk.record_template)
people.person.add_command(ops.person_export)
people.person.add_command(ops.person_forget)
for _command in (
    ops.db,
    villages.villages,
    targets.target,
    records.record,
    records.obligations,
    indicator.indicator,
    reminders.reminders,
    forum.forum,
    history.history,
    serve.run,
    serve.invite,
    setup.setup,
    holidays.holidays,
    demo.demo,
    trial.try_,
    desk.deadlines,
    desk.files,
    people.person,
    ops.backup,
    ops.restore,
    reports.report,
    whatsapp.whatsapp,
    web.web,
    doctor.doctor,
    reading.read,
):
    cli.add_command(_command)


# --- entry point -----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input prints one line and exits with 2, having written nothing."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    language = _configured_language(argv if argv is not None else sys.argv[1:])
    ERROR_LANGUAGE[0] = language
    speak_click(language)  # click parses (and may answer --help) before any command reads the configuration
    try:
        result = cli.main(args=argv, prog_name="klambi", standalone_mode=False)
        # click returns (not raises) the status of a command's `click.exceptions.Exit` when not standalone
        return result if type(result) is int else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        _say(t("error.aborted", language))
        return 1
    except click.UsageError as exc:
        words = " ".join(exc.format_message().split())  # click lays choices out on lines; values come quoted
        _say(f"{t('error.prefix', language)}: {words}")
        return 2
    except ConfigError as exc:
        _say(str(exc))
        return 2
    except InputErrors as exc:
        language = _language_or_default()
        _say(t(exc.key, language, **exc.values))
        for problem in exc.problems:  # one a line: a file's errors are read one by one, not as a paragraph
            _say(_render(problem, language), prefix="  ")
        return 2
    except InputError as exc:
        _say(_render(exc, _language_or_default()))
        return 2
    except (OperationalError, ProgrammingError, DBAPIError) as exc:
        log.debug("database error", exc_info=True)
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        _say(t("error.database", _language_or_default(), reason=reason))
        return 1


def _configured_language(argv: list[str]) -> Language:
    """[bot] language, read before click parses; Indonesian when the configuration cannot be read (the command
    will say why)."""
    config: Path | None = None
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            config = Path(argv[index + 1])
        elif arg.startswith("--config="):
            config = Path(arg.removeprefix("--config="))
        elif not arg.startswith("-"):
            break  # a command: its options are its own
    try:
        return load_settings(config).bot.language
    except ConfigError:
        return "id"


def _say(message: str, prefix: str = "klambi: ") -> None:
    """An error on one line: what a person typed is echoed with its line breaks and control characters escaped."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message)
    click.echo(f"{prefix}{text}", err=True)


def _render(problem: InputError, language: Language) -> str:
    """An error's text; an error inside it (a row's reason) is put in words too."""
    values = {k: _render(v, language) if isinstance(v, InputError) else v for k, v in problem.values.items()}
    return t(problem.key, language, **values)


def _language_or_default() -> Language:
    return ERROR_LANGUAGE[0]
