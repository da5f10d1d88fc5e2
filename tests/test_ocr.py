"""OCR of scans and phone photos (bot/reading/ocr.py).

The pages are made here: a Perdes first and last page typeset by fpdf2, rasterised by pypdfium2, then made into a
flatbed scan or a phone photo (skew, uneven light and a shadow, blur, JPEG) with Pillow and numpy. The tests that run
Tesseract skip without it (tesseract with `ind` data), unless KLAMBI_TEST_REQUIRE_OCR=1 (CI), where they fail.
Opening images and rasterising PDF pages needs no Tesseract and always runs.
"""

from __future__ import annotations

import io
import os
import resource
import struct
import time
import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image, ImageFilter

from bot.reading import Limits, Unreadable, ocr
from bot.reading.fields import read_document
from tests.corpus import degrade

REQUIRE_OCR = os.environ.get("KLAMBI_TEST_REQUIRE_OCR") == "1"
LIMITS = Limits()

FIRST_PAGE_TITLE = [
    "KEPALA DESA KRATON",
    "KABUPATEN PASURUAN",
    "",
    "PERATURAN DESA KRATON",
    "NOMOR 5 TAHUN 2024",
    "",
    "TENTANG",
    "",
    "RENCANA KERJA PEMERINTAH DESA TAHUN 2025",
    "",
    "DENGAN RAHMAT TUHAN YANG MAHA ESA",
    "KEPALA DESA KRATON,",
]
FIRST_PAGE_BODY = [
    "Menimbang : a. bahwa untuk melaksanakan ketentuan Pasal 79 Undang-Undang Nomor 6 Tahun 2014 tentang Desa, "
    "Pemerintah Desa wajib menyusun Rencana Kerja Pemerintah Desa sebagai penjabaran dari Rencana Pembangunan Jangka "
    "Menengah Desa; b. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, perlu menetapkan Peraturan "
    "Desa tentang Rencana Kerja Pemerintah Desa Tahun 2025.",
    "Mengingat : 1. Undang-Undang Nomor 6 Tahun 2014 tentang Desa; 2. Peraturan Menteri Dalam Negeri Nomor 114 Tahun "
    "2014 tentang Pedoman Pembangunan Desa.",
]
LAST_PAGE_BODY = (
    "Pasal 5. Peraturan Desa ini mulai berlaku pada tanggal diundangkan. Agar setiap orang mengetahuinya, "
    "memerintahkan pengundangan Peraturan Desa ini dengan penempatannya dalam Lembaran Desa Kraton."
)
SIGNED = ["Ditetapkan di Kraton", "pada tanggal 27 September 2024", "KEPALA DESA KRATON,", "", "", "SUPRAPTO"]
PROMULGATED = ["Diundangkan di Kraton", "pada tanggal 30 September 2024", "SEKRETARIS DESA KRATON,", "", "", "AHMAD"]


@pytest.fixture
def tesseract() -> None:
    if not ocr.available():
        if REQUIRE_OCR:
            pytest.fail("Tesseract with ind is required (KLAMBI_TEST_REQUIRE_OCR=1)")
        pytest.skip("Tesseract with its ind data is not installed")


@pytest.fixture(scope="module")
def perdes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-page Perdes RKPDes: its first page (title, nomor) and its last (the Ditetapkan block)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    pdf.set_font("Times", "B", 14)
    for line in FIRST_PAGE_TITLE:
        pdf.cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", "", 12)
    for paragraph in FIRST_PAGE_BODY:
        pdf.ln(3)
        pdf.multi_cell(0, 6, paragraph)
    pdf.add_page()
    pdf.multi_cell(0, 6, LAST_PAGE_BODY)
    pdf.ln(8)
    for line in SIGNED:
        pdf.set_x(110)
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for line in PROMULGATED:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path_factory.mktemp("perdes") / "perdes.pdf"
    pdf.output(str(path))
    return path


def render(path: Path, index: int, dpi: int) -> Image.Image:
    document = pdfium.PdfDocument(path)
    try:
        return document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def scan(page: Image.Image, seed: int) -> Image.Image:
    """A flatbed scan: under a degree of rotation, grey paper, sensor noise."""
    rng = np.random.default_rng(seed)
    turned = page.rotate(float(rng.uniform(-0.8, 0.8)), resample=Image.Resampling.BICUBIC, fillcolor=255)
    values = np.asarray(turned, dtype=np.float32) * 0.88 + 14 + rng.normal(0, 6, (turned.height, turned.width))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def photo(page: Image.Image, seed: int, skew: float, quality: int) -> Image.Image:
    """A phone photo: skewed, lit from one side, a soft shadow across the page, slightly blurred, JPEG."""
    rng = np.random.default_rng(seed)
    turned = page.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=225)
    height, width = turned.height, turned.width
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 0.45 + 0.55 * (columns / width) * (0.6 + 0.4 * rows / height)
    shadow = Image.fromarray(np.where(columns + 0.4 * rows < width * 0.6, 140, 255).astype(np.uint8))
    shadow_values = np.asarray(shadow.filter(ImageFilter.GaussianBlur(width / 60)), dtype=np.float32) / 255
    values = np.asarray(turned, dtype=np.float32) * light * shadow_values + rng.normal(0, 4, (height, width))
    blurred = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7))
    buffer = io.BytesIO()
    blurred.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def blank_png(width: int, height: int) -> bytes:
    """A white greyscale PNG written chunk by chunk, so making a bomb does not allocate it either."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def folded(text: str) -> str:
    return " ".join(text.split()).upper()


# --- OCR ---------------------------------------------------------------------------------------------------------


def test_a_clean_200_dpi_scan_of_the_first_page_gives_the_nomor_and_the_title(perdes: Path, tesseract: None) -> None:
    text = ocr.image_text(scan(render(perdes, 0, 200), seed=1), LIMITS)
    reading = read_document([text], "ocr")
    assert (reading.nomor, reading.document, reading.tahun_anggaran) == ("5/2024", "RKPDES", 2025)
    assert "RENCANA KERJA PEMERINTAH DESA" in folded(text)


def test_a_phone_photo_with_skew_shadow_and_jpeg_gives_the_date_line(perdes: Path, tesseract: None) -> None:
    image = photo(render(perdes, 1, 150), seed=2, skew=4.0, quality=60)
    text = ocr.image_text(image, LIMITS)
    assert read_document([text], "ocr").tanggal_penetapan == date(2024, 9, 27)  # not the Diundangkan date
    assert "DITETAPKAN DI KRATON" in folded(text)


@pytest.mark.parametrize("turn", [90, 180])
def test_a_page_lying_on_its_side_is_turned_and_read(perdes: Path, tesseract: None, turn: int) -> None:
    image = scan(render(perdes, 0, 200), seed=3).rotate(turn, expand=True)
    assert read_document([ocr.image_text(image, LIMITS)], "ocr").nomor == "5/2024"


def test_the_corpus_scan_and_photo_of_a_perdes_are_read_whole(perdes: Path, tesseract: None) -> None:
    """The corpus's own degradations (tests/corpus/degrade.py): a scan of the first page and a phone photo of the
    last, read as one document."""
    first = degrade.scan(degrade.render_pdf_page(perdes, 0, dpi=200), seed=11)
    last = degrade.photo(degrade.render_pdf_page(perdes, 1, dpi=200), seed=12)
    reading = read_document([ocr.image_text(first, LIMITS), ocr.image_text(last, LIMITS)], "ocr")
    assert reading.as_json() | {"confidence": {}, "evidence": {}} == {
        "document": "RKPDES",
        "tahun_anggaran": 2025,
        "nomor": "5/2024",
        "tanggal_penetapan": "2024-09-27",
        "desa_nama": "Kraton",
        "source": "ocr",
        "confidence": {},
        "evidence": {},
    }


def test_the_four_rotations_are_tried_when_osd_is_not_sure(perdes: Path, tesseract: None) -> None:
    page = ocr.flatten(scan(render(perdes, 1, 200), seed=4))
    assert ocr.guess_rotation(page, 20) == 0
    assert ocr.guess_rotation(page.rotate(180), 20) == 180
    assert ocr.guess_rotation(page.rotate(90, expand=True), 20) == 90


def test_an_upright_page_stays_upright_when_osd_is_sure_and_wrong(
    perdes: Path, tesseract: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OSD said 180° with confidence on an upright scan of a report's title page: the page read upside down."""
    page = ocr.flatten(scan(render(perdes, 0, 200), seed=6))
    monkeypatch.setattr(ocr, "osd_rotation", lambda image, seconds: 180)
    assert ocr.upright(page, time.monotonic() + 30) is page
    upside_down = page.rotate(180)
    assert ocr.upright(upside_down, time.monotonic() + 30) is not upside_down  # truly upside down: turned back
    assert "PERATURAN DESA KRATON" in folded(ocr.image_text(page, LIMITS))


def test_no_time_left_or_a_timeout_gives_no_text_rather_than_waiting(
    perdes: Path, tesseract: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = scan(render(perdes, 0, 100), seed=5)
    assert ocr.image_text(page, LIMITS, seconds=0.0) == ""

    def timed_out(*args: object, **kwargs: object) -> str:
        assert 0 < float(kwargs["timeout"]) <= 5.0  # every call is given what is left of the page's time, no more
        raise RuntimeError("Tesseract process timeout")

    monkeypatch.setattr("pytesseract.image_to_string", timed_out)
    assert ocr.image_text(page, LIMITS, seconds=5.0) == ""


# --- preparation, without Tesseract --------------------------------------------------------------------------------


def test_deskew_finds_the_angle_of_a_skewed_page(perdes: Path) -> None:
    page = render(perdes, 0, 100)
    for angle in (-4.0, 3.0):
        skewed = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        assert abs(ocr.skew_angle(skewed) + angle) <= 0.3


def test_flatten_brings_shadowed_paper_to_white(perdes: Path) -> None:
    image = photo(render(perdes, 1, 100), seed=6, skew=0.0, quality=90)
    before = np.asarray(image, dtype=np.float32)
    after = np.asarray(ocr.flatten(image), dtype=np.float32)
    paper = before > np.percentile(before, 5)  # the lower-left corner is in shadow, the right side lit
    assert np.percentile(before[paper], 10) < 120
    assert np.percentile(after[paper], 10) > 200


def test_binarise_leaves_only_black_and_white(perdes: Path) -> None:
    binary = np.asarray(ocr.binarise(scan(render(perdes, 0, 100), seed=7)))
    assert set(np.unique(binary)) == {0, 255}
    assert 0.005 < (binary == 0).mean() < 0.2


# --- opening files ---------------------------------------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_without_allocating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(blank_png(20000, 20000))
    assert bomb.stat().st_size < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(Unreadable) as refused:
        ocr.open_image(bomb, LIMITS)
    assert refused.value.key == "reading.too_big_image"
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100_000  # 20000 x 20000 greyscale would be 400 MB


def test_an_image_just_over_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("L", (1200, 1000), 255).save(path)
    with pytest.raises(Unreadable) as refused:
        ocr.open_image(path, Limits(max_pixels=1_000_000))
    assert refused.value.key == "reading.too_big_image"


def test_a_jpeg_over_the_pixel_limit_is_decoded_smaller_and_one_far_over_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fifty-megapixels.jpg"
    Image.new("RGB", (3000, 2000), (230, 225, 210)).save(path, quality=80)
    opened = ocr.open_image(path, Limits(max_pixels=2_000_000))  # 6 M over 2 M: decoded at half size
    assert (opened.size, opened.mode) == ((1500, 1000), "L")
    with pytest.raises(Unreadable) as refused:
        ocr.open_image(path, Limits(max_pixels=300_000))  # 20 times over: a bomb, not a photo
    assert refused.value.key == "reading.too_big_image"


@pytest.mark.parametrize("content", [os.urandom(5000), b"\x89PNG\r\n\x1a\n" + os.urandom(300), b""])
def test_random_bytes_are_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    with pytest.raises(Unreadable) as refused:
        ocr.open_image(path, LIMITS)
    assert refused.value.key == "reading.damaged"


def test_postscript_is_never_handed_to_ghostscript(tmp_path: Path) -> None:
    path = tmp_path / "page.jpg"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nshowpage\n")
    with pytest.raises(Unreadable) as refused:
        ocr.open_image(path, LIMITS)
    assert refused.value.key == "reading.damaged"


def test_a_truncated_jpeg_is_unreadable(tmp_path: Path, perdes: Path) -> None:
    buffer = io.BytesIO()
    render(perdes, 0, 100).save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    with pytest.raises(Unreadable):
        ocr.open_image(path, LIMITS)


def test_exif_orientation_is_applied_and_the_image_is_greyscale(tmp_path: Path) -> None:
    original = Image.new("RGB", (300, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: the image must be turned 90° clockwise to be seen upright
    path = tmp_path / "turned.jpg"
    original.save(path, exif=exif)
    opened = ocr.open_image(path, LIMITS)
    assert opened.mode == "L"
    assert opened.size == (100, 300)


def test_a_pdf_page_is_rasterised_at_300_dpi(perdes: Path) -> None:
    image = ocr.pdf_page_image(perdes, 0, LIMITS)
    assert image.mode == "L"
    assert abs(image.width - 2480) <= 2  # A4 is 8.27 inches across


def test_a_huge_mediabox_is_rasterised_under_the_pixel_limit(tmp_path: Path) -> None:
    pdf = FPDF(unit="pt", format=(14400, 14400))  # 200 inches square: 3.6 gigapixels at 300 dpi
    pdf.add_page()
    pdf.set_font("Helvetica", size=400)
    pdf.cell(0, 500, "NOMOR 5 TAHUN 2024")
    path = tmp_path / "huge.pdf"
    pdf.output(str(path))
    limits = Limits(max_pixels=4_000_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    image = ocr.pdf_page_image(path, 0, limits)
    assert image.width * image.height <= limits.max_pixels
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000


def test_a_page_that_is_not_there_or_a_damaged_pdf_is_unreadable(tmp_path: Path, perdes: Path) -> None:
    with pytest.raises(Unreadable):
        ocr.pdf_page_image(perdes, 7, LIMITS)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    with pytest.raises(Unreadable) as refused:
        ocr.pdf_page_image(damaged, 0, LIMITS)
    assert refused.value.key == "reading.damaged"


def test_without_tesseract_ocr_is_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_available", None)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert ocr.available() is False
    monkeypatch.setattr(ocr, "_available", None)  # the next caller asks again, with the real PATH
