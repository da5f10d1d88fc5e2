"""The desa page and its files: `/dasbor/desa/<kode>?tahun=YYYY&per=YYYY-MM-DD` shows each obligation of the
performance year with every version (dates, nomor, channel, who verified and when, the reason of a rejection) and its
files, the reminders sent and planned, the open problems and questions, and the desa's people;
`/dasbor/berkas/<id>` downloads one stored file of a version.

A desa or a file outside the viewer's scope is the one 403, and so is a code or an id that does not exist (no
probing), except for a viewer who sees everything (404). Phone numbers are read only for staf of the desa's kecamatan.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select

from bot.services.archive import EXTENSIONS
from bot.services.desa_view import desa_view, file_name
from bot.web.dashboard.common import PageContext, PageError, Routes, year_and_moment
from bot.wilayah import Level, level_of
from models.tables import Desa, Kecamatan, Obligation, Submission, SubmissionFile

log = logging.getLogger("klambi.web.dashboard")

DESA_LEVELS = (Level.DESA, Level.DESA_ADAT)
ID_DIGITS = 12
MAX_ID = 2**31 - 1  # an integer key on every database: a larger number names nothing


def _absent(ctx: PageContext) -> PageError:
    """What a code or id that names nothing answers: 404 to a viewer who sees everything, else the one 403."""
    return PageError(404, "dasbor.not_found") if ctx.viewer.sees_everything else PageError(403, "dasbor.forbidden")


async def desa_page(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    code = request.match_info["code"]
    if not ctx.viewer.sees(code):
        ctx.refuse()
    desa = await ctx.session.get(Desa, code) if level_of(code) in DESA_LEVELS else None
    if desa is None:
        raise _absent(ctx)
    kecamatan = await ctx.session.get(Kecamatan, desa.kecamatan_kode)
    assert kecamatan is not None
    year, at, local = year_and_moment(request, ctx, kecamatan.timezone)
    view = await desa_view(ctx.session, desa, year, at, ctx.now,
                           with_phones=ctx.viewer.sees_phones(kecamatan.kode))  # fmt: skip
    query = {"tahun": str(year)}
    if request.query.get("per", "").strip():
        query["per"] = local.isoformat()
    return ctx.render(
        "desa.html",
        v=view,
        per=local.isoformat(),
        kecamatan_url=f"/dasbor/kecamatan/{kecamatan.kode}?{urlencode(query)}",
        lihat_telepon=ctx.viewer.sees_phones(kecamatan.kode),
        pengingat_aktif=ctx.app.settings.reminders.enabled,
    )


async def berkas(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """One stored file of a version, as an attachment. Its content is checked against the hash recorded with it."""
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit() and len(text) <= ID_DIGITS and int(text) <= MAX_ID):
        raise _absent(ctx)
    found = (
        await ctx.session.execute(
            select(SubmissionFile, Submission, Obligation)
            .join(Submission, Submission.id == SubmissionFile.submission_id)
            .join(Obligation, Obligation.id == Submission.obligation_id)
            .where(SubmissionFile.id == int(text))
        )
    ).one_or_none()
    if found is None:
        raise _absent(ctx)
    stored, submission, obligation = found
    if not ctx.viewer.sees(obligation.desa_kode):
        ctx.refuse()
    path = ctx.app.files.path_of(stored.stored_path)
    try:
        data, digest = await asyncio.to_thread(_read, path)  # up to 20 MB: read and hashed off the loop
    except OSError:
        log.warning("stored file %s of submission file %s cannot be read", stored.stored_path, stored.id)
        raise PageError(410, "dasbor.file_missing") from None
    if digest != stored.sha256:
        log.warning("stored file %s of submission file %s does not match its hash", stored.stored_path, stored.id)
        raise PageError(410, "dasbor.file_missing")
    mime = stored.mime_type if stored.mime_type in EXTENSIONS else "application/octet-stream"
    name = file_name(stored, obligation.document_code, obligation.tahun_anggaran, submission.version)
    return ctx.attachment(data, name, mime)


def _read(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


def mount(routes: Routes) -> None:
    """Register `/dasbor/desa/{code}` and `/dasbor/berkas/{id}`."""
    routes.page("/dasbor/desa/{code}", desa_page, name="dasbor_desa")
    routes.page("/dasbor/berkas/{id}", berkas, name="dasbor_berkas")
