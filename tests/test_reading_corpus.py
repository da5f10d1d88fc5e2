"""The reader on the generated corpus (tests/corpus): field-level precision and recall per source, against the goals
of issue 21 — text documents (PDF with a text layer, DOCX) precision ≥ 0.98 and recall ≥ 0.95; scans and photos
precision ≥ 0.95 and recall ≥ 0.80. The OCR half reads a small part of the corpus (benchmarks/reading.py reads all);
without Tesseract it is skipped, unless KLAMBI_TEST_REQUIRE_OCR=1 (CI), where it fails instead.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import numpy
import pytest
from PIL import Image, ImageChops, ImageDraw

from bot.reading import FIELDS, Limits, read_files, read_isolated
from tests.corpus import degrade
from tests.corpus.build import COUNTS, build
from tests.corpus.score import GOALS, Tally

REQUIRE_OCR = os.environ.get("KLAMBI_TEST_REQUIRE_OCR") == "1"
OCR_COUNTS = {"scan": 6, "photo": 6}  # about a minute of OCR on one CPU; the benchmark reads all


def _read_all(samples, limits: Limits) -> tuple[Tally, dict[str, dict]]:
    tally, readings = Tally(), {}
    for sample in samples:
        start = time.perf_counter()
        readings[sample.name] = read_files(sample.files, limits).as_json()
        seconds = time.perf_counter() - start
        tally.add(sample.name, sample.kind, sample.truth, readings[sample.name], sample.pages, seconds)
    return tally, readings


@pytest.fixture(scope="module")
def text_corpus(tmp_path_factory):
    return build(tmp_path_factory.mktemp("corpus-text"), kinds=("pdf", "docx"))


@pytest.fixture(scope="module")
def ocr_corpus(tmp_path_factory):
    from bot.reading import ocr

    if not ocr.available():
        if REQUIRE_OCR:
            pytest.fail("KLAMBI_TEST_REQUIRE_OCR=1 but Tesseract with its ind data is not available")
        pytest.skip("Tesseract with its Indonesian data is not installed")
    return build(tmp_path_factory.mktemp("corpus-ocr"), kinds=("scan", "photo"), counts=OCR_COUNTS)


@pytest.fixture(scope="module")
def ocr_read(ocr_corpus):
    return _read_all(ocr_corpus, Limits())


# ---- the corpus itself ---------------------------------------------------------------------------------------------


def test_the_default_corpus_has_at_least_forty_documents_of_every_kind():
    assert sum(COUNTS.values()) >= 40
    assert set(COUNTS) == {"pdf", "docx", "scan", "photo"} and min(COUNTS.values()) >= 8


def test_the_text_corpus_covers_the_documents_desa_and_layouts(text_corpus):
    assert {s.kind for s in text_corpus} == {"pdf", "docx"}
    for sample in text_corpus:
        assert set(sample.truth) == set(FIELDS)
        assert all(path.is_file() and path.stat().st_size > 0 for path in sample.files)
    documents = [s.truth["document"] for s in text_corpus]
    assert {"RKPDES", "APBDES", "LPPDES", None} <= set(documents)  # None: the Perubahan APBDes
    desa = {s.truth["desa_nama"] for s in text_corpus}
    assert len(desa) >= 6 and any(" " in name for name in desa)
    lppdes = [s for s in text_corpus if s.truth["document"] == "LPPDES"]
    assert lppdes and all(s.truth["nomor"] is None and s.truth["tanggal_penetapan"] for s in lppdes)
    notes = {note for s in text_corpus for note in s.notes}
    assert {"cover letter first", "diundangkan after ditetapkan", "date in a table"} <= notes
    assert "OCR-like noise in the text layer" in notes
    assert max(s.pages for s in text_corpus) >= 3


def test_the_corpus_is_the_same_for_the_same_seed(tmp_path):
    first = build(tmp_path / "a", kinds=("pdf", "docx"), counts={"pdf": 4, "docx": 3})
    again = build(tmp_path / "b", kinds=("pdf", "docx"), counts={"pdf": 4, "docx": 3})
    other = build(tmp_path / "c", kinds=("pdf", "docx"), counts={"pdf": 4, "docx": 3}, seed=22)
    assert [(s.name, s.truth) for s in first] == [(s.name, s.truth) for s in again]
    assert [s.truth for s in first] != [s.truth for s in other]


def test_the_held_out_corpus_uses_its_own_layouts(tmp_path):
    import zipfile

    held = build(tmp_path, kinds=("docx",), seed=2121, counts={"docx": 8}, holdout=True)
    assert {"RKPDES", "APBDES", "LPPDES", None} <= {s.truth["document"] for s in held}
    texts = [zipfile.ZipFile(s.files[0]).read("word/document.xml").decode() for s in held]
    only_held_out = ("DITETAPKAN DI", "Dibuat di", "LPPD AKHIR", "KEPADA BUPATI", "PERUBAHAN ATAS", "APB DESA TAHUN")
    assert sum(any(phrase in text for phrase in only_held_out) for text in texts) >= len(held) // 2


def test_the_fresh_corpus_builds_and_covers_the_three_documents(tmp_path):
    import zipfile

    from tests.corpus.build import DESA, FRESH_DESA, TEMPLATES

    fresh = build(tmp_path, kinds=("pdf", "docx"), seed=3131, counts={"pdf": 7, "docx": 7}, fresh=True)
    assert len(fresh) == 14 and {s.kind for s in fresh} == {"pdf", "docx"}
    for sample in fresh:
        assert set(sample.truth) == set(FIELDS)
        assert all(path.is_file() and path.stat().st_size > 0 for path in sample.files)
    assert {"RKPDES", "APBDES", "LPPDES", None} <= {s.truth["document"] for s in fresh}
    desa = {s.truth["desa_nama"] for s in fresh}
    assert desa <= {d[0] for d in FRESH_DESA} and not desa & {d[0] for d in DESA} and len(desa) >= 5
    # every part of a document has fresh templates, so none falls back to the sets the reader was tuned on
    parts = {path.stem.rsplit("_", 1)[0] for path in TEMPLATES.glob("*_*.txt")}
    assert parts == {path.stem.rsplit("_", 1)[0] for path in (TEMPLATES / "fresh").glob("*_*.txt")}
    texts = [zipfile.ZipFile(s.files[0]).read("word/document.xml").decode() for s in fresh if s.kind == "docx"]
    closings = ("a.n. KEPALA DESA", "Salinan sesuai dengan aslinya", "Demikian LPPDes ini", "cap dan ttd")  # fresh only
    assert texts and all(any(phrase in text for phrase in closings) for text in texts)


def test_scans_and_photos_are_deterministic_and_degraded():
    page = Image.new("RGB", (800, 1100), "white")
    draw = ImageDraw.Draw(page)
    for row in range(20):
        draw.text((60, 60 + row * 45), f"PERATURAN DESA KRATON NOMOR {row} TAHUN 2024", fill="black")
    scan = degrade.scan(page, 5)
    assert scan.tobytes() == degrade.scan(page, 5).tobytes()
    assert scan.tobytes() != degrade.scan(page, 6).tobytes()
    assert scan.mode == "L" and scan.size == page.size
    assert numpy.median(numpy.asarray(scan)) < 250  # grey paper: not even the median pixel is white
    photos = [degrade.photo(page, seed) for seed in range(12)]
    assert photos[3].tobytes() == degrade.photo(page, 3).tobytes()
    assert any(p.width > p.height for p in photos)  # some pages lie on their side
    assert all(ImageChops.difference(p.convert("RGB"), p.convert("L").convert("RGB")).getbbox() for p in photos[:3])
    assert 55 <= degrade.jpeg_quality(random.randint(0, 10**6)) <= 75


def test_a_pdf_page_renders_at_the_asked_resolution(text_corpus):
    pdf = next(s for s in text_corpus if s.kind == "pdf")
    image = degrade.render_pdf_page(pdf.files[0], 0, dpi=100)
    assert 500 < image.width < 1000  # a page of 8.3 to 8.5 inches wide at 100 dpi


# ---- the reader on it ----------------------------------------------------------------------------------------------


def test_text_documents_meet_the_goals(text_corpus):
    tally, _ = _read_all(text_corpus, Limits(ocr=False))
    precision, recall = GOALS["text"]
    assert tally.documents == len(text_corpus) and tally.proposed > 0
    assert tally.precision >= precision, tally.explain()
    assert tally.recall >= recall, tally.explain()


def test_the_perubahan_apbdes_is_never_read_as_the_apbdes(text_corpus):
    perubahan = [s for s in text_corpus if s.name.split("-")[2] == "perubahan"]
    assert perubahan
    for sample in perubahan:
        assert read_files(sample.files, Limits(ocr=False)).document != "APBDES", sample.name


def test_reading_in_a_child_process_gives_the_same_fields(text_corpus):
    limits = Limits(ocr=False)
    for sample in text_corpus[:: max(len(text_corpus) // 3, 1)][:3]:
        isolated = read_isolated(sample.files, limits).as_json()
        in_process = read_files(sample.files, limits).as_json()
        assert {f: isolated[f] for f in FIELDS} == {f: in_process[f] for f in FIELDS}, sample.name


def test_scans_and_photos_meet_the_goals(ocr_corpus, ocr_read):
    tally, _ = ocr_read
    precision, recall = GOALS["scans and photos"]
    assert tally.documents == sum(OCR_COUNTS.values()) and tally.proposed > 0
    assert tally.precision >= precision, tally.explain()
    assert tally.recall >= recall, tally.explain()


def test_scans_and_photos_are_read_by_ocr_and_without_ocr_give_no_guess(ocr_corpus, ocr_read):
    _, readings = ocr_read
    assert {readings[s.name]["source"] for s in ocr_corpus} == {"ocr"}
    sample = next(s for s in ocr_corpus if s.kind == "scan")
    blind = read_files(sample.files, Limits(ocr=False)).as_json()
    assert all(blind[f] is None for f in FIELDS)


def test_a_scan_read_in_a_child_process_gives_the_same_fields(ocr_corpus, ocr_read):
    _, readings = ocr_read
    sample = min((s for s in ocr_corpus if s.kind == "scan"), key=lambda s: s.pages)
    reading = read_isolated(sample.files, Limits()).as_json()
    assert reading["source"] == "ocr"
    assert {f: reading[f] for f in FIELDS} == {f: readings[sample.name][f] for f in FIELDS}


def test_the_photo_files_are_jpeg_pages_in_order(ocr_corpus):
    photos = [s for s in ocr_corpus if s.kind == "photo"]
    assert photos and any(len(s.files) >= 2 for s in photos)
    for sample in photos:
        assert [Path(f).suffix for f in sample.files] == [".jpg"] * len(sample.files)
        assert [int(Path(f).stem.rsplit("-", 1)[1]) for f in sample.files] == list(range(1, len(sample.files) + 1))


def test_the_performance_page_shows_the_reading_benchmark_and_judges_its_goals():
    from benchmarks.report import render_markdown

    def figures(documents: int, precision: float, recall: float) -> dict:
        return {
            "documents": documents, "pages": documents * 2, "fields_truth": documents * 5, "fields_proposed": 40,
            "fields_correct": 39, "precision": precision, "recall": recall, "seconds": 3.0, "pages_per_second": 12.5,
        }  # fmt: skip

    reading = {
        "benchmark": "reading", "date": "2026-12-03", "commit": "abc1234", "documents": 46, "build_seconds": 40.0,
        "ocr": {"available": True, "tesseract": "5.3.0"},
        "kinds": {"pdf": figures(16, 0.99, 0.97), "docx": figures(12, 1.0, 0.96), "scan": figures(10, 0.9, 0.7)},
        "groups": {
            "text": figures(28, 0.99, 0.96) | {"goal": {"precision": 0.98, "recall": 0.95}},
            "scans and photos": figures(18, 0.9, 0.7) | {"goal": {"precision": 0.95, "recall": 0.80}},
        },
        "wrong": [{"sample": "scan-03-lppdes-wonokerto", "field": "nomor", "read": "3/2024", "truth": None}],
        "missed_by_field": {"nomor": 2},
        "isolated": [{"kind": "pdf", "isolated_seconds": 1.5, "in_process_seconds": 0.5, "same_fields": True}],
        "holdout": {"seed": 2121, "documents": 20, "kinds": {"pdf": figures(12, 0.94, 0.9)}, "groups": {}},
        "fresh": {"seed": 3131, "documents": 26, "kinds": {"docx": figures(8, 0.91, 0.85)}, "groups": {}},
    }  # fmt: skip
    page = render_markdown([reading])
    section = page[page.index("## Reading documents (issue 21)") :]
    assert "| text PDF | 16 |" in section and "| phone photo | not read" in section
    assert "text: precision 0.990 (goal ≥ 0.98: met)" in section
    assert "scans and photos: precision 0.900 (goal ≥ 0.95: **missed**)" in section
    assert "| scan-03-lppdes-wonokerto | nomor | 3/2024 | None |" in section
    assert "text, 1 documents: 1.50 s each in the child against 0.50 s in-process; the same fields for 1" in section
    assert "results-reading.json" in page
    assert "### Held-out layouts: 20 documents, seed 2121" in section
    assert "| text PDF | 12 | 24 | 60 | 40 | 39 | 0.940 | 0.900 |" in section
    fresh = section[section.index("### Fresh layouts: 26 documents, seed 3131") :]
    assert "| DOCX | 8 | 16 | 40 | 40 | 39 | 0.910 | 0.850 |" in fresh
    assert "Reading documents" not in render_markdown([])


def test_the_reading_benchmark_runs_quick_without_ocr_and_renders(monkeypatch):
    from benchmarks.reading import measure
    from benchmarks.report import render_markdown
    from bot.reading import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    result = measure(quick=True)
    assert result["ocr"] == {"available": False, "tesseract": None}
    assert set(result["kinds"]) == {"pdf", "docx"} and result["groups"]["scans and photos"] is None
    text = result["groups"]["text"]
    assert text["documents"] == result["documents"] and text["fields_truth"] > 0
    assert 0.0 <= text["precision"] <= 1.0 and 0.0 <= text["recall"] <= 1.0
    assert result["holdout"]["documents"] > 0 and result["isolated"]
    assert result["fresh"]["documents"] > 0 and result["fresh"]["groups"]["text"]["fields_truth"] > 0
    assert "scans and photos: not measured (Tesseract not installed)" in render_markdown([result])
