"""`klambi person list` and `klambi person revoke`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from bot.app import App
from bot.cli.common import (
    ROLE_CHOICES,
    Context,
    echo_json,
    format_option,
    group,
    pass_context,
    person_number,
    ready,
)
from bot.errors import InputError
from bot.i18n import Language, fmt_date, t
from bot.services.audit import CLI
from bot.services.people import revoke_person_roles
from bot.services.queries import active_roles, scope_names
from bot.views import render_table
from bot.wilayah import Level, level_of
from models.tables import Person, Role, RoleAssignment, ScopeKind

# --- people ----------------------------------------------------------------------------------------------------


@group()
def person() -> None:
    """Orang dan perannya."""


@person.command("list")
@click.option("--kecamatan", metavar="KODE", help="Hanya peran di kecamatan ini dan desanya.")
@format_option
@pass_context
def person_list(ctx: Context, kecamatan: str | None, output: str) -> None:
    """Orang dengan peran aktifnya: peran, wilayah, tertaut ke Telegram, dapat dihubungi."""
    lang = ctx.language

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.places import require_kecamatan

            kec = await require_kecamatan(session, kecamatan) if kecamatan else None
            rows = await active_roles(session, kec)
            names = await scope_names(session, [a.scope_code for _, a in rows])
            from bot.services.contacts import TELEGRAM, contacts_of

            linked = {p.id: [c for c in await contacts_of(session, p.id) if c.channel == TELEGRAM] for p, _ in rows}
            return kec, rows, names, {pid: cs[0].unreachable_since for pid, cs in linked.items() if cs}

    kec, rows, names, telegram = ctx.run(work)  # person id -> their Telegram contact's unreachable_since
    tz = ZoneInfo(ctx.settings.bot.timezone)
    people: dict[int, tuple[Person, list[RoleAssignment]]] = {}
    for p, assignment in rows:
        people.setdefault(p.id, (p, []))[1].append(assignment)
    if output == "json":
        echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama} if kec else None,
                "people": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "telegram_linked": p.id in telegram,
                        "unreachable_since": telegram[p.id].astimezone(tz).isoformat() if telegram.get(p.id) else None,
                        "roles": [
                            {
                                "role": a.role.value,
                                "scope": {
                                    "kind": a.scope_kind.value,
                                    "kode": a.scope_code,
                                    "nama": names.get(a.scope_code),
                                },
                                "granted_at": a.granted_at.astimezone(tz).isoformat(),
                            }
                            for a in roles
                        ],
                    }
                    for p, roles in people.values()
                ],
            }
        )
        return
    place = (
        t("cli.person.scope.kecamatan", lang, nama=kec.nama, kode=kec.kode) if kec else t("cli.person.everywhere", lang)
    )
    click.echo(t("cli.person.title", lang, place=place))
    click.echo()
    if not people:
        click.echo(t("cli.person.none", lang))
        return
    yes, no = t("cli.yes", lang), t("cli.no", lang)
    headers = ["cli.person.column.id", "column.name", "cli.person.column.role", "cli.person.column.scope",
               "cli.person.column.telegram", "cli.person.column.unreachable"]  # fmt: skip
    click.echo(
        render_table(
            [t(h, lang) for h in headers],
            [
                [str(p.id), p.name, t(f"role.{a.role.value}", lang),
                 _scope_label(a.scope_kind, a.scope_code, names, lang), yes if p.id in telegram else no,
                 t("cli.person.unreachable_since", lang, date=fmt_date(telegram[p.id].astimezone(tz).date(), lang))
                 if telegram.get(p.id) else no]
                for p, roles in people.values()
                for a in roles
            ],
        )
    )  # fmt: skip


def _scope_label(kind: ScopeKind, code: str | None, names: dict[str | None, str], lang: Language) -> str:
    if kind is ScopeKind.DEPLOYMENT or code is None:
        return t("cli.person.everywhere", lang)
    return t(f"cli.person.scope.{kind.value}", lang, nama=names.get(code, "?"), kode=code)


@person.command("revoke")
@click.option("--person", "person_text", required=True, metavar="ID", help="Id dari `klambi person list`.")
@click.option("--role", type=click.Choice(ROLE_CHOICES), help="Hanya peran ini (bawaan: semua).")
@click.option("--desa", metavar="KODE", help="Hanya peran di desa ini.")
@click.option("--kecamatan", metavar="KODE", help="Hanya peran di kecamatan ini (staf, camat, admin kecamatan).")
@pass_context
def person_revoke(ctx: Context, person_text: str, role: str | None, desa: str | None, kecamatan: str | None) -> None:
    """Cabut peran seseorang (mis. sekdes yang diganti). Yang pernah dikirimnya tetap tersimpan."""
    person_id = person_number(person_text)
    if desa and kecamatan:
        raise InputError("cli.person.one_place")
    if desa and level_of(desa.strip()) not in (Level.DESA, Level.DESA_ADAT):
        raise InputError("error.not_a_desa_code", kode=desa)
    if kecamatan and level_of(kecamatan.strip()) is not Level.KECAMATAN:
        raise InputError("error.not_a_kecamatan_code", kode=kecamatan)
    place = (desa or kecamatan or "").strip() or None
    lang = ctx.language

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            done = await revoke_person_roles(
                session, person_id=person_id, actor=CLI, now=app.clock.now(), reminders=app.settings.reminders,
                language=lang, role=Role(role) if role else None, place=place,
            )  # fmt: skip
            names = await scope_names(session, [g.scope_code for g in done.revoked])
            return done.person.name, done.revoked, names, done.told

    name, revoked, names, told = ctx.run(work)
    roles = "; ".join(
        f"{t(f'role.{g.role.value}', lang)}, {_scope_label(g.scope_kind, g.scope_code, names, lang)}" for g in revoked
    )
    click.echo(t("cli.person.revoked", lang, name=name, id=person_id, roles=roles))
    if told:
        click.echo(t("cli.person.told", lang, name=name))
