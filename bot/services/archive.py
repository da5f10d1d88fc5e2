"""The evidence archive of a performance year: every accepted document's stored files in one zip, with an index.

For the LKjIP annex ("dokumen bukti dukung"): per desa and counted document, the accepted version that decides
(`models.status.deciding_version`), laid out as `<desa kode> <desa nama>/<DOC>_TA<ta>_v<version>_<n>.<ext>`, plus
`index.csv` and `index.md` listing each document with its dates, status and the SHA-256 of each file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cleaning import csv_row, markdown_cell
from bot.i18n import Language, doc_label, fmt_date, t
from bot.services.indicator import year_facts
from bot.storage import CHUNK, FileStore
from models.status import ObligationStatus, ReviewStatus, deciding_version, obligation_status

EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
INDEX_COLUMNS = ("desa", "nama_desa", "dokumen", "ta", "versi", "tanggal_penetapan", "nomor", "tanggal_diterima",
                 "status", "berkas", "sha256")  # fmt: skip
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class EvidenceFile:
    position: int
    sha256: str
    stored_path: str
    mime_type: str


@dataclass(frozen=True)
class Evidence:
    """The accepted version that decides one obligation."""

    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    version: int
    tanggal_penetapan: date
    nomor: str | None
    received_on: date  # in the kecamatan's time zone
    status: ObligationStatus  # tepat_waktu or terlambat
    files: tuple[EvidenceFile, ...]

    def folder(self) -> str:
        return UNSAFE.sub("-", f"{self.desa_kode} {self.desa_nama}").strip(" .")

    def file_name(self, f: EvidenceFile) -> str:
        ext = EXTENSIONS.get(f.mime_type, "bin")
        return f"{self.folder()}/{self.document_code}_TA{self.tahun_anggaran}_v{self.version}_{f.position}.{ext}"


@dataclass(frozen=True)
class NotAccepted:
    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    status: ObligationStatus


@dataclass(frozen=True)
class EvidenceSet:
    kecamatan_kode: str
    kecamatan_nama: str
    year: int
    at: datetime
    local_date: date
    desa: int
    kinds: int
    accepted: list[Evidence]
    not_accepted: list[NotAccepted]


@dataclass
class ArchiveResult:
    files: int = 0
    paper: int = 0  # accepted documents without a stored file
    missing: list[str] = field(default_factory=list)  # zip names whose stored file is gone
    damaged: list[str] = field(default_factory=list)  # zip names whose content does not match the recorded hash


async def accepted_evidence(session: AsyncSession, kecamatan_kode: str, year: int, at: datetime) -> EvidenceSet:
    """Per desa and counted document of the performance year, the deciding accepted version as of `at`."""
    known = await year_facts(session, kecamatan_kode, year)
    kecamatan, tz, desa, pairs, obligations = known.kecamatan, known.tz, known.desa, known.kinds, known.obligations
    accepted: list[Evidence] = []
    not_accepted: list[NotAccepted] = []
    for d in desa:
        for kind, ta in pairs:
            obligation = obligations.get((d.kode, kind.code, ta))
            submissions = obligation.submissions if obligation else []
            facts = [s.facts() for s in submissions]
            deciding = deciding_version(facts, at)
            legal = obligation.legal_deadline if obligation else known.deadlines[(kind.code, ta)]
            status = obligation_status(legal, kind.basis, facts, at, tz)
            if deciding is None or deciding.verdict_at(at) is not ReviewStatus.ACCEPTED:
                not_accepted.append(NotAccepted(d.kode, d.nama, kind.code, ta, status))
                continue
            version = next(s for s in submissions if s.version == deciding.version)
            accepted.append(
                Evidence(
                    d.kode, d.nama, kind.code, ta, version.version, version.tanggal_penetapan, version.nomor,
                    version.received_at.astimezone(tz).date(), status,
                    tuple(EvidenceFile(f.position, f.sha256, f.stored_path, f.mime_type) for f in version.files),
                )
            )  # fmt: skip
    return EvidenceSet(
        kecamatan.kode, kecamatan.nama, year, at, at.astimezone(tz).date(), len(desa), len(pairs), accepted,
        not_accepted,
    )  # fmt: skip


def write_archive(evidence: EvidenceSet, files: FileStore, out: Path, language: Language) -> ArchiveResult:
    """Write the zip to a temporary name beside `out`, then rename it. Each file's content is checked by its hash."""
    result = ArchiveResult()
    index: list[tuple[Evidence, str, str]] = []  # (document, name in the zip or a marker, sha256)

    def write(path: str) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for doc in evidence.accepted:
                if not doc.files:
                    result.paper += 1
                    index.append((doc, t("cli.export.no_file", language), ""))
                    continue
                for f in doc.files:
                    name = doc.file_name(f)
                    if _copy(files.path_of(f.stored_path), archive, name, doc.received_on, f.sha256, result):
                        index.append((doc, name, f.sha256))
                    else:
                        index.append((doc, t("cli.export.lost_file", language), f.sha256))
            stamp = _zip_time(evidence.local_date)
            archive.writestr(_entry("index.csv", stamp), _index_csv(index).encode("utf-8-sig"))
            archive.writestr(_entry("index.md", stamp), _index_md(evidence, index, language).encode())

    write_atomically(out, write)
    return result


def _zip_time(day: date) -> tuple[int, int, int, int, int, int]:
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)


def _entry(
    name: str, stamp: tuple[int, int, int, int, int, int], compress: int = zipfile.ZIP_DEFLATED
) -> zipfile.ZipInfo:
    """A zip entry dated by the data, not by the machine's clock: the same facts give the same archive."""
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def _copy(source: Path, archive: zipfile.ZipFile, name: str, day: date, sha256: str, result: ArchiveResult) -> bool:
    if not source.is_file():
        result.missing.append(name)
        return False
    # stored as they are: every kind the bot keeps is compressed already (PDF streams, JPEG, PNG, WebP; a DOCX is a
    # zip): deflating them again costs the CPU about as long as reading them and saves a few per cent at best
    info = _entry(name, _zip_time(day), zipfile.ZIP_STORED)
    digest = hashlib.sha256()
    with source.open("rb") as reader, archive.open(info, "w") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    result.files += 1
    if digest.hexdigest() != sha256:
        result.damaged.append(name)
    return True


def _index_csv(index: list[tuple[Evidence, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; and a field with a carriage return gets quoted
    writer.writerow(INDEX_COLUMNS)
    for doc, name, sha in index:
        writer.writerow(csv_row([doc.desa_kode, doc.desa_nama, doc.document_code, doc.tahun_anggaran, doc.version,
                         doc.tanggal_penetapan.isoformat(), doc.nomor or "", doc.received_on.isoformat(),
                         doc.status.value, name, sha]))  # fmt: skip
    return buffer.getvalue()


def _index_md(evidence: EvidenceSet, index: list[tuple[Evidence, str, str]], lang: Language) -> str:
    lines = [
        "# " + t("cli.export.md_title", lang, kecamatan=evidence.kecamatan_nama, kode=evidence.kecamatan_kode,
                 year=evidence.year),
        "",
        t("cli.export.md_indicator", lang),
        "",
        t("cli.export.md_as_of", lang, at=fmt_date(evidence.local_date, lang), documents=len(evidence.accepted),
          obligations=evidence.desa * evidence.kinds, desa=evidence.desa, kinds=evidence.kinds),
        "",
    ]  # fmt: skip
    headers = [t("cli.export.col.no", lang), t("column.desa", lang), t("column.document", lang), t("column.ta", lang),
               t("cli.export.col.version", lang), t("cli.export.col.penetapan", lang), t("cli.export.col.nomor", lang),
               t("cli.export.col.received", lang), t("column.status", lang), t("cli.export.col.file", lang),
               "SHA-256"]  # fmt: skip
    lines += ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    for number, (doc, name, sha) in enumerate(index, 1):
        cells = [str(number), f"{doc.desa_nama} ({doc.desa_kode})", doc.document_code, str(doc.tahun_anggaran),
                 str(doc.version), fmt_date(doc.tanggal_penetapan, lang), doc.nomor or t("none", lang),
                 fmt_date(doc.received_on, lang), t(f"cli.status.{doc.status.value}", lang), name,
                 f"`{sha}`" if sha else ""]  # fmt: skip
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    if evidence.not_accepted:
        lines += ["", "## " + t("cli.export.md_missing", lang), ""]
        for item in evidence.not_accepted:
            document = f"{doc_label(item.document_code)} TA {item.tahun_anggaran}"
            lines.append(f"- {markdown_cell(item.desa_nama)} ({item.desa_kode}): {document} "
                         f"— {t(f'cli.status.{item.status.value}', lang)}")  # fmt: skip
    return "\n".join(lines) + "\n"


def write_atomically(out: Path, write: Any) -> None:
    """`write(path)` to a temporary name in the same folder, then rename: never a half-written file under `out`.
    The file gets the permissions any new file gets (0666 less the umask): mkstemp's private 0600 would keep a
    report from the colleagues it is written for. Backups, which hold everything, are written elsewhere."""
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        umask = os.umask(0o077)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        write(temporary)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
