"""Build the corpus: realistic village documents in the forms a kecamatan receives them, each with its truth.

    build(folder) -> list[Sample]

Every document is first laid out as a list of `Line`s from the templates in `templates/` (a letterhead, a title, a
preamble, a generated body of Pasal and a table of figures, a closing with the date), then written as a text PDF
(fpdf2: core Helvetica/Times/Courier or the DejaVu TTF fonts that come with matplotlib), as a DOCX (python-docx), as a
clean 200 dpi scan (image-only PDF or PNG pages) or as phone photos (JPEG pages) by `degrade`. Some text layers carry
typos and OCR-like noise ("N0MOR", "Septernber"); the truth is always what a careful person reads off the page.

    python -m tests.corpus.build FOLDER [--kinds pdf,docx] [--seed 21]   # writes the files and truth.json
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).with_name("templates")
KINDS = ("pdf", "docx", "scan", "photo")
COUNTS = {"pdf": 16, "docx": 12, "scan": 10, "photo": 8}  # 46 documents by default

# (desa, kecamatan, kabupaten, kode desa): real-sounding names, some of two words
DESA = (
    ("Kraton", "Jatiroto", "Lumajang", "35.08.17.2001"),
    ("Sukosari Lor", "Jatiroto", "Lumajang", "35.08.17.2004"),
    ("Rojopolo", "Jatiroto", "Lumajang", "35.08.17.2002"),
    ("Banyuputih Kidul", "Rowokangkung", "Lumajang", "35.08.16.2007"),
    ("Kaliboto Lor", "Jatiroto", "Lumajang", "35.08.17.2005"),
    ("Sumberejo", "Gucialit", "Lumajang", "35.08.20.2003"),
    ("Tegalrandu", "Klakah", "Lumajang", "35.08.18.2010"),
    ("Karangsono", "Bangsalsari", "Jember", "35.09.12.2006"),
    ("Wonokerto", "Tekung", "Lumajang", "35.08.15.2001"),
)
# the fresh corpus (templates/fresh/): other desa, invented Javanese names
FRESH_DESA = (
    ("Sumbersari", "Tempeh", "Lumajang", "35.08.06.2011"),
    ("Ngampelsari Wetan", "Candipuro", "Lumajang", "35.08.05.2004"),
    ("Kedungrejo", "Pasirian", "Lumajang", "35.08.04.2009"),
    ("Tambakmulyo", "Yosowilangun", "Lumajang", "35.08.01.2012"),
    ("Gondosuli Kidul", "Senduro", "Lumajang", "35.08.11.2003"),
    ("Pringgowirawan", "Sumberbaru", "Jember", "35.09.20.2008"),
    ("Jatisari Lor", "Pronojiwo", "Lumajang", "35.08.02.2006"),
)
KEPALA = ("H. Sutrisno", "Abdul Rohman, S.Pd.", "Siti Aminah", "Moch. Hasan Basri", "Sugeng Riyadi", "Nur Kholis")
SEKDES = ("Agus Salim", "Dwi Wahyuni, S.E.", "Imam Safi'i", "Rina Oktaviani", "Bambang Hariyanto")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
OLD_MONTHS = {2: "Pebruari", 11: "Nopember"}  # spellings still typed in many kantor desa
DOCUMENT_ORDER = ("RKPDES", "APBDES", "LPPDES", "RKPDES", "APBDES", "LPPDES", "PERUBAHAN")
PERIHAL = {
    "RKPDES": "Peraturan Desa tentang RKP Desa Tahun {TA}",
    "APBDES": "Peraturan Desa tentang APB Desa Tahun Anggaran {TA}",
    "PERUBAHAN": "Peraturan Desa tentang Perubahan APB Desa Tahun Anggaran {TA}",
    "LPPDES": "Laporan Penyelenggaraan Pemerintahan Desa Tahun Anggaran {TA}",
}
CORE_FONTS = ("Helvetica", "Times", "Courier")
TTF_FONTS = {"DejaVuSans": "DejaVuSans", "DejaVuSerif": "DejaVuSerif", "DejaVuSansMono": "DejaVuSansMono"}


@dataclass
class Sample:
    """One document: its files (several = the pages in order), how it was made, and the truth."""

    files: list[Path]
    kind: str
    truth: dict[str, Any]
    name: str = ""
    pages: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Line:
    style: str  # "title" (centred bold), "centre", "sign", "row", "rule", "break", "gap", "para"
    text: str = ""
    cells: list[str] = field(default_factory=list)


# ---- what a document says ------------------------------------------------------------------------------------------


@dataclass
class Spec:
    """The facts of one document and the choices of its layout."""

    document: str  # RKPDES, APBDES, LPPDES or PERUBAHAN (the Perubahan APBDes: not one of the three)
    desa: tuple[str, str, str, str]
    ta: int
    nomor: int | None
    nomor_tahun: int | None
    tanggal: date
    rand: random.Random
    values: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def truth(self) -> dict[str, Any]:
        return {
            "document": None if self.document == "PERUBAHAN" else self.document,
            "tahun_anggaran": self.ta,
            "nomor": f"{self.nomor}/{self.nomor_tahun}" if self.nomor is not None else None,
            "tanggal_penetapan": self.tanggal.isoformat(),
            "desa_nama": self.desa[0],
        }


def _date_text(day: date, rand: random.Random, style: str | None = None, variant: str = "main") -> str:
    if variant == "fresh" and style is None:
        style = rand.choice(("long", "padded", "padded", "short", "upper"))
    style = style or rand.choice(("long", "long", "long", "upper", "dashes", "slashes"))
    month = MONTHS[day.month - 1]
    if style == "padded":  # "02 Oktober 2024"
        return f"{day.day:02d} {month} {day.year}"
    if style == "short":  # "2 Okt. 2024" (Mei and Juni are short already)
        return f"{day.day} {month if len(month) <= 4 else month[:3] + '.'} {day.year}"
    if day.month in OLD_MONTHS and rand.random() < 0.5:
        month = OLD_MONTHS[day.month]
    if style == "upper":
        return f"{day.day} {month.upper()} {day.year}"
    if style == "dashes":
        return f"{day.day:02d}-{day.month:02d}-{day.year}"
    if style == "slashes":
        return f"{day.day}/{day.month}/{day.year}"
    return f"{day.day} {month} {day.year}"


def _nomor_text(nomor: int, year: int, rand: random.Random, variant: str = "main") -> str:
    if variant == "fresh":
        return rand.choice(
            (f"NOMOR {nomor:02d} TAHUN {year}", f"Nomor : {nomor} Tahun {year}", f"NOMOR : {nomor:02d} TAHUN {year}")
        )
    if variant == "holdout":
        return rand.choice(
            (f"NO. {nomor} TAHUN {year}", f"NOMOR : {nomor:03d} TAHUN {year}", f"Nomor: {nomor} Tahun {year}")
        )
    return rand.choice(
        (
            f"NOMOR {nomor} TAHUN {year}",
            f"NOMOR : {nomor:02d} TAHUN {year}",
            f"NOMOR: {nomor} TAHUN {year}",
            f"Nomor {nomor} Tahun {year}",
            f"NOMOR {nomor:02d} TAHUN {year}",
        )
    )


def _spec(document: str, desa: tuple[str, str, str, str], rand: random.Random) -> Spec:
    ta = rand.choice((2024, 2025, 2025, 2026))
    if document == "RKPDES":  # made the year before, by the end of September (often late)
        tanggal = date(ta - 1, 6, 1) + timedelta(days=rand.randint(0, 150))
    elif document == "APBDES":  # November to January
        tanggal = date(ta - 1, 11, 1) + timedelta(days=rand.randint(0, 88))
    elif document == "PERUBAHAN":  # during the year it changes
        tanggal = date(ta, 7, 15) + timedelta(days=rand.randint(0, 90))
    else:  # LPPDes: a report on the year just ended, dated early the next year
        tanggal = date(ta + 1, 1, 5) + timedelta(days=rand.randint(0, 85))
    nomor = None if document == "LPPDES" else rand.randint(1, 14)
    return Spec(document, desa, ta, nomor, tanggal.year if nomor is not None else None, tanggal, rand)


def _values(spec: Spec, variant: str = "main") -> dict[str, str]:
    rand = spec.rand
    desa, kecamatan, kabupaten, kode = spec.desa
    cover = spec.tanggal + timedelta(days=rand.randint(2, 12))
    undang = spec.tanggal + timedelta(days=rand.randint(0, 5))
    values = {
        "DESA": desa.upper(),
        "Desa": desa,
        "Tempat": desa,
        "KECAMATAN": kecamatan.upper(),
        "Kecamatan": kecamatan,
        "KABUPATEN": kabupaten.upper(),
        "Kabupaten": kabupaten,
        "TA": str(spec.ta),
        "TANGGAL": _date_text(spec.tanggal, rand, variant=variant),
        "TANGGAL_UNDANG": _date_text(undang, rand, variant=variant),
        "TANGGAL_MUSDES": _date_text(spec.tanggal - timedelta(days=rand.randint(10, 40)), rand, "long"),
        "COVER_TANGGAL": _date_text(cover, rand, rand.choice(("long", "long", "dashes"))),
        "COVER_NOMOR": f"{rand.choice((140, 141, 900, 414))}/{rand.randint(10, 99)}/{kode}/{cover.year}",
        "KEPALA": rand.choice(KEPALA),
        "SEKDES": rand.choice(SEKDES),
        "JALAN": rand.choice(("Raya", "Merdeka", "Pahlawan", "Kenanga", "Diponegoro")),
        "JALAN_NO": str(rand.randint(1, 120)),
        "KODE_POS": str(rand.choice((67355, 67356, 67374, 67383))),
        "RPJM_NOMOR": str(rand.randint(1, 9)),
        "RPJM_TAHUN": str(rand.choice((2019, 2020, 2021))),
        "PERBUP_NOMOR": str(rand.randint(10, 80)),
        "PERBUP_TAHUN": str(spec.ta - 1),
        "RKP_NOMOR": str(rand.randint(1, 9)),
        "RKP_TAHUN": str(spec.ta - 1),
        "APB_NOMOR": str(rand.randint(1, 12)),
        "APB_TAHUN": str(spec.ta - 1),
        "PENDUDUK": f"{rand.randint(1800, 9500):,}".replace(",", "."),
        "DUSUN": str(rand.randint(2, 6)),
        "BA_NOMOR": f"{rand.randint(1, 20):02d}/BA/{kode}/{spec.tanggal.year}",
        "Kode": desa.lower().replace(" ", ""),
    }
    if spec.nomor is not None:
        values["NOMOR_JUDUL"] = _nomor_text(spec.nomor, spec.nomor_tahun or spec.tanggal.year, rand, variant)
        values["TAHUN_NOMOR"] = str(spec.nomor_tahun)
        values["LEMBARAN"] = str(spec.nomor)
    values["PERIHAL"] = PERIHAL[spec.document].format(TA=spec.ta)
    return values


# ---- templates -----------------------------------------------------------------------------------------------------


def _pick_template(part: str, rand: random.Random, variant: str = "main") -> str:
    choices = sorted((TEMPLATES / variant).glob(f"{part}_*.txt")) if variant != "main" else []
    choices = choices or sorted(TEMPLATES.glob(f"{part}_*.txt"))
    if not choices:
        raise FileNotFoundError(f"no template {part}_*.txt in {TEMPLATES}")
    return rand.choice(choices).read_text(encoding="utf-8")


def _lines(text: str, values: Mapping[str, str]) -> list[Line]:
    lines: list[Line] = []
    for raw in text.format_map(dict(values)).splitlines():
        line = raw.rstrip()
        if not line:
            lines.append(Line("gap"))
        elif line == "---":
            lines.append(Line("rule"))
        elif line == "~~~":
            lines.append(Line("break"))
        elif line.startswith("! "):
            lines.append(Line("title", line[2:]))
        elif line.startswith("= "):
            lines.append(Line("centre", line[2:]))
        elif line.startswith(">"):
            lines.append(Line("sign", line[1:].strip()))
        elif line.startswith("|"):
            lines.append(Line("row", cells=[cell.strip() for cell in line[1:].split("|")]))
        else:
            lines.append(Line("para", line))
    return lines


# ---- the generated body --------------------------------------------------------------------------------------------

PASAL = (
    "Dalam Peraturan Desa ini yang dimaksud dengan Desa adalah Desa {Desa} Kecamatan {Kecamatan} "
    "Kabupaten {Kabupaten}.",
    "Pemerintah Desa adalah Kepala Desa dibantu perangkat desa sebagai unsur penyelenggara pemerintahan desa.",
    "Badan Permusyawaratan Desa yang selanjutnya disingkat BPD adalah lembaga yang melaksanakan fungsi pemerintahan "
    "yang anggotanya merupakan wakil dari penduduk desa.",
    "Kegiatan sebagaimana dimaksud dalam Pasal ini dilaksanakan secara swakelola dengan melibatkan masyarakat desa.",
    "Rincian kegiatan dan anggaran tercantum dalam lampiran yang merupakan bagian tidak terpisahkan dari Peraturan "
    "Desa ini.",
    "Pelaksanaan kegiatan dilaporkan kepada Kepala Desa setiap bulan oleh Pelaksana Kegiatan Anggaran.",
    "Hal-hal yang belum diatur dalam Peraturan Desa ini akan diatur lebih lanjut dengan Peraturan Kepala Desa.",
    "Musyawarah dusun dilaksanakan di setiap dusun untuk menggali gagasan masyarakat sebelum musyawarah desa.",
)
KEGIATAN = (
    "Pembangunan rabat beton jalan dusun", "Rehabilitasi saluran irigasi tersier", "Posyandu balita dan lansia",
    "Penyediaan insentif guru PAUD", "Pelatihan kelompok tani", "Pembangunan drainase lingkungan",
    "Pengadaan lampu penerangan jalan", "Bantuan Langsung Tunai Dana Desa", "Penyertaan modal BUM Desa",
    "Pemeliharaan kantor desa", "Penanganan stunting", "Operasional BPD",
)  # fmt: skip
LAPORAN = (
    "Pada tahun anggaran {TA} Pemerintah Desa {Desa} telah melaksanakan urusan pemerintahan, pembangunan, pembinaan "
    "kemasyarakatan dan pemberdayaan masyarakat sesuai RKP Desa.",
    "Jumlah perangkat desa sebanyak {DUSUN} kepala dusun, sekretaris desa, dan kepala urusan yang seluruhnya aktif.",
    "Kegiatan pembangunan fisik dilaksanakan secara swakelola oleh Tim Pelaksana Kegiatan dengan melibatkan warga.",
    "Kendala yang dihadapi antara lain keterlambatan pencairan dana tahap kedua dan cuaca pada musim hujan.",
    "Pelayanan administrasi kependudukan dilaksanakan setiap hari kerja di kantor desa.",
    "Badan Permusyawaratan Desa telah melaksanakan fungsi pengawasan melalui rapat evaluasi setiap triwulan.",
)
SECTIONS = ("A. Urusan Pemerintahan", "B. Pembangunan Desa", "C. Pembinaan Kemasyarakatan", "D. Pemberdayaan")
TYPOS = (("dan", "dna"), ("desa", "dsea"), ("kegiatan", "kegiaatan"), ("pelaksanaan", "pelaksanan"), ("yang", "yg"))


def _typo(text: str, rand: random.Random) -> str:
    words = text.split(" ")
    for _ in range(rand.randint(0, 2)):
        i = rand.randrange(len(words))
        for right, wrong in TYPOS:
            if words[i].lower() == right:
                words[i] = wrong
                break
        else:
            if len(words[i]) > 5 and words[i].isalpha():
                j = rand.randrange(1, len(words[i]) - 2)
                word = words[i]
                words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _body(spec: Spec, units: int) -> list[Line]:
    rand = spec.rand
    values = spec.values
    lines: list[Line] = []
    if spec.document == "LPPDES":
        lines += [Line("title", "BAB II"), Line("title", "PENYELENGGARAAN PEMERINTAHAN DESA")]
    else:
        lines += [Line("title", "BAB I"), Line("title", "KETENTUAN UMUM")]
    pasal = 1
    for unit in range(units):
        if unit % 2 == 1 or units == 1:
            lines.append(Line("gap"))
            head = {"LPPDES": "Realisasi", "APBDES": "Anggaran", "PERUBAHAN": "Anggaran Perubahan"}.get(
                spec.document, "Rencana Biaya"
            )
            lines.append(Line("row", cells=["No", "Uraian Kegiatan", "Volume", f"{head} (Rp)"]))
            total = 0
            for number, kegiatan in enumerate(rand.sample(KEGIATAN, rand.randint(4, 7)), start=1):
                amount = rand.randint(5, 400) * 500_000
                total += amount
                volume = f"{rand.randint(1, 12)} {rand.choice(('paket', 'kegiatan', 'bulan', 'unit', 'm'))}"
                lines.append(Line("row", cells=[str(number), _typo(kegiatan, rand), volume, _rupiah(amount)]))
            lines.append(Line("row", cells=["", "JUMLAH", "", _rupiah(total)]))
            lines.append(Line("gap"))
        for _ in range(rand.randint(2, 3)):
            if spec.document == "LPPDES":  # a report: sections of prose, not Pasal
                lines.append(Line("para", SECTIONS[(pasal - 1) % len(SECTIONS)]))
                text = " ".join(rand.sample(LAPORAN, rand.randint(1, 3))).format_map(values)
            else:
                lines.append(Line("centre", f"Pasal {pasal}"))
                text = " ".join(rand.sample(PASAL, rand.randint(1, 3))).format_map(values)
            pasal += 1
            lines.append(Line("para", _typo(text, rand)))
    if spec.document != "LPPDES":
        lines += [
            Line("centre", f"Pasal {pasal}"),
            Line("para", "Peraturan Desa ini mulai berlaku pada tanggal diundangkan."),
            Line("para", "Agar setiap orang mengetahuinya, memerintahkan pengundangan Peraturan Desa ini dengan "
                 "penempatannya dalam Lembaran Desa."),
        ]  # fmt: skip
    return lines


def _layout(spec: Spec, units: int, variant: str = "main") -> list[Line]:
    """The whole document as lines, in reading order (`variant` "holdout" or "fresh": the templates of that folder
    wherever a part has some)."""
    rand = spec.rand

    def _template(part: str, rand: random.Random) -> str:
        return _pick_template(part, rand, variant)

    spec.values = _values(spec, variant)
    values = spec.values
    family = "lppdes" if spec.document == "LPPDES" else "perdes"
    lines: list[Line] = []
    if rand.random() < 0.3:
        lines += _lines(_template("kop", rand), values)
        lines += _lines(_template("cover", rand), values)
        lines.append(Line("break"))
        spec.notes.append("cover letter first")
    if spec.document == "LPPDES" or rand.random() < 0.35:
        lines += _lines(_template("kop", rand), values)
    lines += _lines(_template(f"title_{spec.document.lower()}", rand), values)
    lines.append(Line("gap"))
    lines += _lines(_template(f"preamble_{spec.document.lower()}", rand), values)
    lines += _body(spec, units)
    lines.append(Line("gap"))
    closing = _template(f"closing_{family}", rand)
    if "Diundangkan" in closing:
        spec.notes.append("diundangkan after ditetapkan")
    lines += _lines(closing, values)
    return lines


# ---- OCR-like noise in a text layer --------------------------------------------------------------------------------

NOISE = (
    ("NOMOR", "N0MOR"), ("Nomor", "Nornor"), ("September", "Septernber"), ("TAHUN", "TAHLIN"),
    ("Ditetapkan", "Ditctapkan"), ("tanggal", "tangga1"), ("Desa", "Dcsa"), ("PERATURAN", "PERATURAM"),
    ("Maret", "Marct"), ("Kepala", "Kepa1a"), ("ANGGARAN", "ANGGARAM"), ("pada", "pa da"),
)  # fmt: skip


FRESH_NOISE = (
    ("Tanggal", "Tanggai"), ("Oktober", "0ktober"), ("Desember", "Desernber"), ("TENTANG", "TENTAMG"),
    ("Ditetapkan", "Ditetapkau"), ("RENCANA", "RENCAMA"), ("PEMERINTAH", "PEMERlNTAH"), ("Agustus", "Agustns"),
    ("BELANJA", "BELANIA"), ("LAPORAN", "LAP0RAN"), ("Sekretaris", "Sekrctaris"), (" : ", " ; "),
)  # fmt: skip


def _noisy(lines: list[Line], rand: random.Random, variant: str = "main") -> list[Line]:
    """A text layer as an OCR program writes it: a few letters misread here and there, never a digit of a value."""
    chosen = [pair for pair in (FRESH_NOISE if variant == "fresh" else NOISE) if rand.random() < 0.5]

    def noise(text: str) -> str:
        for right, wrong in chosen:
            if right in text and rand.random() < 0.6:
                text = text.replace(right, wrong, 1)
        return text

    return [Line(line.style, noise(line.text), [noise(cell) for cell in line.cells]) for line in lines]


# ---- writers -------------------------------------------------------------------------------------------------------


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def write_pdf(lines: Sequence[Line], path: Path, rand: random.Random) -> int:
    """A text PDF by fpdf2; returns its page count."""
    from fpdf import FPDF

    pdf = FPDF(format=rand.choice(("A4", "A4", "Legal", "Letter")))
    margin = rand.uniform(15, 30)
    pdf.set_margins(margin, rand.uniform(12, 25), rand.uniform(15, 25))
    pdf.set_auto_page_break(True, margin=rand.uniform(15, 25))
    if rand.random() < 0.5:
        family = rand.choice(CORE_FONTS)
    else:
        family = rand.choice(tuple(TTF_FONTS))
        folder = _font_dir()
        pdf.add_font(family, "", str(folder / f"{TTF_FONTS[family]}.ttf"))
        pdf.add_font(family, "B", str(folder / f"{TTF_FONTS[family]}-Bold.ttf"))
    size = rand.choice((10, 11, 11, 12, 12, 13))
    if family in ("Courier", "DejaVuSansMono"):
        size -= 1
    height = size * rand.uniform(0.42, 0.6)
    pdf.add_page()
    width = pdf.epw
    rows: list[list[str]] = []
    for index, line in enumerate(lines):
        if line.style == "break":
            pdf.add_page()
            continue
        if line.style == "gap":
            pdf.ln(height * rand.uniform(0.4, 1.0))
            continue
        if line.style == "rule":
            y = pdf.get_y() + 1
            pdf.set_line_width(0.8)
            pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
            pdf.ln(3)
            continue
        pdf.set_font(family, "B" if line.style == "title" else "", size + (1 if line.style == "title" else 0))
        pdf.set_x(pdf.l_margin)
        if line.style in ("title", "centre"):
            pdf.multi_cell(width, height, line.text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif line.style == "sign":
            pdf.set_x(pdf.l_margin + width * 0.52)
            pdf.multi_cell(width * 0.48, height, line.text or " ", align="L", new_x="LMARGIN", new_y="NEXT")
        elif line.style == "row":
            rows.append(line.cells)
            if (
                index + 1 < len(lines)
                and lines[index + 1].style == "row"
                and len(lines[index + 1].cells) == len(line.cells)
            ):
                continue
            _pdf_table(pdf, rows, width, height)
            rows = []
        else:
            pdf.multi_cell(width, height, line.text, align=rand.choice(("J", "L")), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return pdf.page_no()


def _pdf_table(pdf: Any, rows: list[list[str]], width: float, height: float) -> None:
    columns = len(rows[0])
    if columns == 4:  # the table of figures, with borders
        shares = [0.08, 0.52, 0.16, 0.24]
    elif columns == 3:  # Menimbang | : | a. bahwa ...
        shares = [0.18, 0.03, 0.79]
    else:  # Nomor | : 140/...
        shares = [0.3] + [0.7 / max(columns - 1, 1)] * (columns - 1)
    widths = [share * (width - 0.5) for share in shares[:columns]]
    with pdf.table(
        col_widths=widths, width=sum(widths), borders_layout="ALL" if columns == 4 else "NONE",
        first_row_as_headings=False, line_height=height, align="LEFT", text_align="LEFT",
    ) as table:  # fmt: skip
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)


def write_docx(lines: Sequence[Line], path: Path, rand: random.Random) -> int:
    """A DOCX by python-docx; returns the number of explicit pages (page breaks + 1)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = rand.choice(("Times New Roman", "Arial", "Bookman Old Style", "Calibri"))
    style.font.size = Pt(rand.choice((11, 12, 12)))
    pages = 1
    table = None
    for line in lines:
        if line.style != "row":
            table = None
        if line.style == "break":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            pages += 1
        elif line.style == "gap":
            document.add_paragraph()
        elif line.style == "rule":
            document.add_paragraph("_" * 60).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif line.style in ("title", "centre"):
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(line.text).bold = line.style == "title"
        elif line.style == "sign":
            paragraph = document.add_paragraph(line.text)
            paragraph.paragraph_format.left_indent = Cm(rand.choice((8, 9, 9.5)))
        elif line.style == "row":
            if table is None or len(table.columns) != len(line.cells):
                table = document.add_table(rows=0, cols=len(line.cells))
                if len(line.cells) == 4:
                    table.style = "Table Grid"
            cells = table.add_row().cells
            for cell, text in zip(cells, line.cells, strict=True):
                cell.text = text
        else:
            text = line.text
            if rand.random() < 0.15 and len(text) > 40:  # a line broken by hand inside a phrase
                cut = text.find(" ", len(text) // 2)
                if cut > 0:
                    paragraph = document.add_paragraph(text[:cut])
                    paragraph.add_run().add_break()
                    paragraph.add_run(text[cut + 1 :])
                    continue
            document.add_paragraph(text)
    document.save(str(path))
    return pages


def _date_in_table(lines: list[Line]) -> list[Line]:
    """The closing's "Ditetapkan di / Pada tanggal" as a two-column table, as many DOCX have it."""
    out: list[Line] = []
    for line in lines:
        match = re.match(r"(Ditetapkan di|Diundangkan di|[Pp]ada [Tt]anggal)\s*:?\s*(.+)$", line.text)
        if line.style == "sign" and match:
            label = match.group(1)
            label = label[0].upper() + label[1:]
            out.append(Line("row", cells=[label, f": {match.group(2)}"]))
        else:
            out.append(line)
    return out


# ---- the corpus ----------------------------------------------------------------------------------------------------


def build(
    folder: Path,
    *,
    kinds: Sequence[str] = KINDS,
    seed: int = 21,
    counts: Mapping[str, int] | None = None,
    holdout: bool = False,
    fresh: bool = False,
) -> list[Sample]:
    """Write the corpus into `folder` and return its samples (`counts` overrides how many of each kind). `holdout`
    lays the documents out with the templates of templates/holdout/ wherever a part has some (wordings written after
    the reader was tuned, to see how it does on layouts it has not met; use another seed too); `fresh` likewise with
    templates/fresh/, its own desa, date forms ("02 Oktober 2024", "2 Okt. 2024") and noise: a third set, written
    apart from the reader after the held-out set had been used to tune it."""
    variant = "fresh" if fresh else "holdout" if holdout else "main"
    desa_names = FRESH_DESA if fresh else DESA
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "_sources"
    work.mkdir(exist_ok=True)
    samples: list[Sample] = []
    for kind_number, kind in enumerate(KINDS):
        if kind not in kinds:
            continue
        count = (counts or {}).get(kind, COUNTS[kind])
        for index in range(count):
            rand = random.Random(seed * 1_000_003 + kind_number * 10_007 + index)
            document = DOCUMENT_ORDER[(index + kind_number) % len(DOCUMENT_ORDER)]
            desa = desa_names[(index * 2 + kind_number) % len(desa_names)]
            spec = _spec(document, desa, rand)
            samples.append(_make(kind, index, spec, folder, work, seed, variant))
    (folder / "truth.json").write_text(
        json.dumps(
            [{"name": s.name, "kind": s.kind, "files": [f.name for f in s.files], "truth": s.truth} for s in samples],
            indent=1,
        )
    )
    return samples


def _make(kind: str, index: int, spec: Spec, folder: Path, work: Path, seed: int, variant: str = "main") -> Sample:
    from tests.corpus import degrade

    rand = spec.rand
    name = f"{kind}-{index:02d}-{spec.document.lower()}-{spec.desa[0].lower().replace(' ', '-')}"
    short = kind == "photo"
    if short:  # a photographed Perdes: two or three pages
        units = rand.randint(0, 1)
    else:  # 1 to 6 pages
        units = rand.choice((0, 1, 2, 3, 4, 6, 9)) if kind in ("pdf", "docx") else rand.randint(0, 2)
    lines = _layout(spec, units, variant)
    notes = list(spec.notes)
    if kind == "docx":
        if rand.random() < 0.5:
            lines = _date_in_table(lines)
            notes.append("date in a table")
        path = folder / f"{name}.docx"
        pages = write_docx(lines, path, rand)
        return Sample([path], kind, spec.truth(), name, pages, notes)
    if kind == "pdf":
        if rand.random() < (0.45 if variant == "fresh" else 0.3):
            lines = _noisy(lines, rand, variant)
            notes.append("OCR-like noise in the text layer")
        path = folder / f"{name}.pdf"
        pages = write_pdf(lines, path, rand)
        return Sample([path], kind, spec.truth(), name, pages, notes)
    source = work / f"{name}.pdf"
    pages = write_pdf(lines, source, rand)
    images = [degrade.render_pdf_page(source, page, dpi=200) for page in range(pages)]
    image_seed = seed * 7_919 + index * 31 + (0 if kind == "scan" else 17)
    if kind == "scan":
        scans = [degrade.scan(image, image_seed + page) for page, image in enumerate(images)]
        if rand.random() < 0.5:
            path = degrade.save_image_pdf(scans, folder / f"{name}.pdf")
            return Sample([path], kind, spec.truth(), name, pages, [*notes, "image-only PDF"])
        files = []
        for page, image in enumerate(scans, start=1):
            files.append(folder / f"{name}-{page}.png")
            image.save(files[-1], "PNG")
        return Sample(files, kind, spec.truth(), name, pages, [*notes, "PNG pages"])
    files = []
    for page, image in enumerate(images, start=1):
        files.append(degrade.save_jpeg(degrade.photo(image, image_seed + page), folder / f"{name}-{page}.jpg", seed))
    return Sample(files, kind, spec.truth(), name, pages, notes)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.corpus.build", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--holdout", action="store_true", help="the held-out templates (templates/holdout/)")
    parser.add_argument("--fresh", action="store_true", help="the third set of templates (templates/fresh/)")
    args = parser.parse_args(argv)
    samples = build(
        args.folder, kinds=tuple(args.kinds.split(",")), seed=args.seed, holdout=args.holdout, fresh=args.fresh
    )
    for sample in samples:
        print(f"{sample.name:48} {sample.pages}p {json.dumps(sample.truth)} {'; '.join(sample.notes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
