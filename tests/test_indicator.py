"""The village accountability indicator, with the seed's figures (docs/domain.md)."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.documents import APBDES, LPPDES, RKPDES, DocumentKind
from models.indicator import (
    DocumentFacts,
    ObligationFacts,
    TargetValues,
    capaian,
    compute_indicator,
    predikat,
)
from models.numbers import percent, round_half_up
from models.status import ObligationStatus, VersionFacts, end_of_day
from tests.facts import accepted, rejected, waiting, wib

TZ = ZoneInfo("Asia/Jakarta")
S = ObligationStatus

JATIROTO_DESA = tuple(f"35.08.17.200{i}" for i in range(1, 7))
YEAR = 2024
# performance year 2024: RKPDES TA 2025 (due 30 Sep 2024), APBDES TA 2025 (31 Dec 2024),
# LPPDES TA 2023 (31 Mar 2024)
KINDS_2024 = ((RKPDES, 2025), (APBDES, 2025), (LPPDES, 2023))
REPORT_DAY = end_of_day(date(2025, 1, 15), TZ)  # the LKjIP is written in January


def deadline_of(kind: DocumentKind, ta: int) -> date:
    return kind.rule.legal_deadline(ta)


def on_time(kind: DocumentKind, ta: int) -> tuple[VersionFacts, ...]:
    d = deadline_of(kind, ta)
    return (accepted(1, d - timedelta(days=5), wib(d.year, d.month, d.day) - timedelta(days=3)),)


def late(kind: DocumentKind, ta: int) -> tuple[VersionFacts, ...]:
    d = deadline_of(kind, ta) + timedelta(days=2)
    return (accepted(1, d, wib(d.year, d.month, d.day)),)


def document(kind: DocumentKind, ta: int, per_desa: list[tuple[VersionFacts, ...]], desa=JATIROTO_DESA):
    d = deadline_of(kind, ta)
    return DocumentFacts(kind, ta, d, tuple(ObligationFacts(k, d, v) for k, v in zip(desa, per_desa, strict=True)))


def document_with(kind: DocumentKind, ta: int, tepat: int, desa=JATIROTO_DESA) -> DocumentFacts:
    """`tepat` desa on time, the others late."""
    versions = [on_time(kind, ta) if i < tepat else late(kind, ta) for i in range(len(desa))]
    return document(kind, ta, versions, desa)


def all_on_time() -> tuple[DocumentFacts, ...]:
    return tuple(document_with(kind, ta, 6) for kind, ta in KINDS_2024)


# --- the seed's figures -----------------------------------------------------------------------


def test_jatiroto_2024_all_on_time():
    target = TargetValues(awal=Decimal("88.89"), perubahan=Decimal("94.44"))
    result = compute_indicator(YEAR, all_on_time(), 6, REPORT_DAY, TZ, target)
    assert result is not None
    assert result.desa_count == 6
    assert result.realisasi_exact == 100
    assert result.realisasi == Decimal("100.00")
    assert str(result.realisasi) == "100.00"
    assert result.capaian == Decimal("105.89")
    assert result.predikat == "Sangat Tinggi"
    assert [d.code for d in result.documents] == ["RKPDES", "APBDES", "LPPDES"]
    assert [d.tahun_anggaran for d in result.documents] == [2025, 2025, 2023]
    assert [d.legal_deadline for d in result.documents] == [
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2024, 3, 31),
    ]
    for doc in result.documents:
        assert doc.persen == Decimal("100.00")
        assert doc.tepat_waktu == 6
        assert set(doc.statuses) == set(JATIROTO_DESA)
        assert doc.counts[S.TEPAT_WAKTU] == 6
        assert sum(doc.counts.values()) == 6
    assert result.triwulan == {
        "I": Decimal("33.33"),
        "II": Decimal("33.33"),
        "III": Decimal("66.67"),
        "IV": Decimal("100.00"),
    }


def test_capaian_uses_perubahan_when_present_else_awal():
    docs = all_on_time()
    revised = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ, TargetValues(Decimal("88.89"), Decimal("94.44")))
    initial = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ, TargetValues(awal=Decimal("88.89")))
    only_revised = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ, TargetValues(perubahan=Decimal("94.44")))
    assert revised.capaian == Decimal("105.89")
    assert initial.capaian == Decimal("112.50")
    assert only_revised.capaian == Decimal("105.89")
    assert TargetValues(Decimal("88.89"), Decimal("94.44")).effective == Decimal("94.44")
    assert TargetValues(awal=Decimal("88.89")).effective == Decimal("88.89")
    assert TargetValues().effective is None
    # the Renstra end-of-period target is never used for capaian
    assert TargetValues(renstra=Decimal("100")).effective is None


def test_without_a_target_there_is_no_capaian():
    result = compute_indicator(YEAR, all_on_time(), 6, REPORT_DAY, TZ)
    assert result.realisasi == Decimal("100.00")
    assert result.capaian is None
    assert result.predikat is None
    assert result.target == TargetValues()


def test_targets_of_2024():
    assert round_half_up(percent(16, 18)) == Decimal("88.89")
    assert round_half_up(percent(17, 18)) == Decimal("94.44")


def test_baseline_2022_per_document():
    # 2022: RKPDes TA 2023 5/6, APBDes TA 2023 6/6, LPPDes TA 2021 4/6
    docs = (
        document_with(RKPDES, 2023, 5),
        document_with(APBDES, 2023, 6),
        document_with(LPPDES, 2021, 4),
    )
    result = compute_indicator(2022, docs, 6, end_of_day(date(2023, 1, 31), TZ), TZ)
    assert [d.persen for d in result.documents] == [Decimal("83.33"), Decimal("100.00"), Decimal("66.67")]
    assert [d.tepat_waktu for d in result.documents] == [5, 6, 4]
    assert [d.counts[S.TERLAMBAT] for d in result.documents] == [1, 0, 2]
    assert result.realisasi_exact == Fraction(15 * 100, 18)
    assert result.realisasi == Decimal("83.33")


def test_indeks_pelayanan_publik_2024():
    achieved = round_half_up(capaian(Decimal("55.06"), Decimal("61.50")))
    assert achieved == Decimal("89.53")
    assert predikat(achieved) == "Tinggi"


# --- capaian and predikat ---------------------------------------------------------------------


def test_capaian_higher_is_better():
    assert capaian(Fraction(100), Decimal("94.44")) == Fraction(100) / Fraction(Decimal("94.44")) * 100
    assert capaian(Fraction(50), Decimal("100")) == 50
    assert isinstance(capaian(Fraction(50), Decimal("100")), Fraction)


@pytest.mark.parametrize(
    ("realisasi", "target", "expected"),
    [
        (Decimal("40"), Decimal("50"), Fraction(120)),  # below a lower-is-better target: better than planned
        (Decimal("60"), Decimal("50"), Fraction(80)),
        (Decimal("50"), Decimal("50"), Fraction(100)),
        (Decimal("100"), Decimal("50"), Fraction(0)),
        (Decimal("12.5"), Decimal("10"), Fraction(75)),
    ],
)
def test_capaian_lower_is_better(realisasi, target, expected):
    got = capaian(realisasi, target, higher_is_better=False)
    assert got == expected
    t, r = Fraction(target), Fraction(realisasi)
    assert got == (t - (r - t)) / t * 100


def test_lower_is_better_through_compute_indicator():
    target = TargetValues(awal=Decimal("80"), higher_is_better=False)
    result = compute_indicator(YEAR, all_on_time(), 6, REPORT_DAY, TZ, target)
    assert result.capaian == Decimal("75.00")  # (80 - 20) / 80
    assert result.predikat == "Sedang"


@pytest.mark.parametrize("target", [Decimal("0"), Decimal("-1")])
def test_capaian_needs_a_positive_target(target):
    with pytest.raises(ValueError):
        capaian(Fraction(50), target)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("105.89", "Sangat Tinggi"),
        ("90.01", "Sangat Tinggi"),
        ("90.00", "Tinggi"),
        ("89.53", "Tinggi"),
        ("75.01", "Tinggi"),
        ("75.00", "Sedang"),
        ("65.01", "Sedang"),
        ("65.00", "Rendah"),
        ("50.01", "Rendah"),
        ("50.00", "Sangat Rendah"),
        ("0.00", "Sangat Rendah"),
    ],
)
def test_predikat_boundaries(value, expected):
    assert predikat(Decimal(value)) == expected


def test_predikat_is_read_from_the_rounded_capaian():
    # 16/18 against 98.76: exactly 90.00495…, shown as 90.00, so "Tinggi" and not "Sangat Tinggi"
    docs = (document_with(RKPDES, 2025, 6), document_with(APBDES, 2025, 6), document_with(LPPDES, 2023, 4))
    result = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ, TargetValues(awal=Decimal("98.76")))
    assert capaian(result.realisasi_exact, Decimal("98.76")) > 90
    assert result.capaian == Decimal("90.00")
    assert result.predikat == "Tinggi"


# --- no desa, inconsistent input --------------------------------------------------------------


def test_a_kecamatan_without_desa_has_no_indicator():
    assert compute_indicator(YEAR, (), 0, REPORT_DAY, TZ, TargetValues(awal=Decimal("90"))) is None
    empty = tuple(DocumentFacts(kind, ta, deadline_of(kind, ta), ()) for kind, ta in KINDS_2024)
    assert compute_indicator(YEAR, empty, 0, REPORT_DAY, TZ) is None


def test_no_documents_no_indicator():
    assert compute_indicator(YEAR, (), 6, REPORT_DAY, TZ) is None


def test_obligations_must_match_the_desa_count():
    with pytest.raises(ValueError):
        compute_indicator(YEAR, all_on_time(), 7, REPORT_DAY, TZ)


def test_missing_documents_count_as_not_on_time():
    nothing = [() for _ in JATIROTO_DESA]
    docs = (document_with(RKPDES, 2025, 6), document(APBDES, 2025, nothing), document(LPPDES, 2023, nothing))
    result = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ, TargetValues(awal=Decimal("94.44")))
    assert result.realisasi == Decimal("33.33")
    assert result.documents[1].counts[S.TIDAK_ADA] == 6
    assert result.capaian == Decimal("35.30")  # 33.333… / 94.44
    assert result.predikat == "Sangat Rendah"


def test_statuses_other_than_tepat_waktu_do_not_count():
    rk = [
        on_time(RKPDES, 2025),
        late(RKPDES, 2025),
        (rejected(1, date(2024, 9, 1), wib(2024, 9, 2)),),
        (waiting(1, date(2024, 9, 1), wib(2024, 9, 2)),),
        (),
        on_time(RKPDES, 2025),
    ]
    docs = (document(RKPDES, 2025, rk), document_with(APBDES, 2025, 6), document_with(LPPDES, 2023, 6))
    result = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ)
    counts = result.documents[0].counts
    assert counts == {
        S.TEPAT_WAKTU: 2,
        S.TERLAMBAT: 1,
        S.MENUNGGU_VERIFIKASI: 1,
        S.DITOLAK: 1,
        S.BELUM_JATUH_TEMPO: 0,
        S.TIDAK_ADA: 1,
    }
    assert result.documents[0].persen == Decimal("33.33")
    assert result.realisasi_exact == percent(14, 18)
    assert result.realisasi == Decimal("77.78")


# --- quarterly realisation --------------------------------------------------------------------


def seasonal_documents() -> tuple[DocumentFacts, ...]:
    """LPPDES received in March, RKPDES established and received in September, APBDES in December."""
    lpp = [(accepted(1, date(2024, 2, 20), wib(2024, 3, 15)),) for _ in JATIROTO_DESA]
    rkp = [(accepted(1, date(2024, 9, 20), wib(2024, 9, 20, 14)),) for _ in JATIROTO_DESA]
    apb = [(accepted(1, date(2024, 12, 20), wib(2024, 12, 20, 14)),) for _ in JATIROTO_DESA]
    return (document(RKPDES, 2025, rkp), document(APBDES, 2025, apb), document(LPPDES, 2023, lpp))


def test_quarterly_realisation():
    result = compute_indicator(YEAR, seasonal_documents(), 6, REPORT_DAY, TZ)
    assert result.triwulan == {
        "I": Decimal("33.33"),
        "II": Decimal("33.33"),
        "III": Decimal("66.67"),
        "IV": Decimal("100.00"),
    }
    assert result.realisasi == Decimal("100.00")


def test_a_quarter_that_ends_after_the_moment_asked_has_no_figure():
    mid_october = compute_indicator(YEAR, seasonal_documents(), 6, end_of_day(date(2024, 10, 15), TZ), TZ)
    assert mid_october.triwulan == {
        "I": Decimal("33.33"),
        "II": Decimal("33.33"),
        "III": Decimal("66.67"),
        "IV": None,
    }
    assert mid_october.realisasi == Decimal("66.67")
    # exactly at the end of the quarter the quarter has its figure; an hour before it has none
    at_end = compute_indicator(YEAR, seasonal_documents(), 6, end_of_day(date(2024, 9, 30), TZ), TZ)
    assert at_end.triwulan["III"] == Decimal("66.67")
    assert at_end.triwulan["IV"] is None
    before_end = compute_indicator(YEAR, seasonal_documents(), 6, wib(2024, 9, 30, 23), TZ)
    assert before_end.triwulan["III"] is None
    assert before_end.triwulan["II"] == Decimal("33.33")
    early = compute_indicator(YEAR, seasonal_documents(), 6, wib(2024, 2, 1), TZ)
    assert early.triwulan == {"I": None, "II": None, "III": None, "IV": None}
    assert early.realisasi == Decimal("0.00")


def test_perdes_established_31_december_received_3_january():
    # one desa's APBDes: established on the deadline day, received on 3 January of the next year
    apb = [(accepted(1, date(2024, 12, 20), wib(2024, 12, 20, 14)),) for _ in JATIROTO_DESA[:-1]]
    apb.append((accepted(1, date(2024, 12, 31), wib(2025, 1, 3), wib(2025, 1, 3, 15)),))
    docs = (document_with(RKPDES, 2025, 6), document(APBDES, 2025, apb), document_with(LPPDES, 2023, 6))
    result = compute_indicator(YEAR, docs, 6, REPORT_DAY, TZ)
    # counted in the year's figure, as known when the LKjIP is written...
    assert result.documents[1].statuses[JATIROTO_DESA[-1]] is S.TEPAT_WAKTU
    assert result.realisasi == Decimal("100.00")
    # ...but not in TW IV: at the end of 31 December the kecamatan had not received it
    assert result.triwulan["IV"] == round_half_up(percent(17, 18)) == Decimal("94.44")


def test_quarter_figures_use_the_whole_years_denominator():
    # at the end of March only LPPDES can be on time: 6 of 18, not 6 of 6
    result = compute_indicator(YEAR, seasonal_documents(), 6, REPORT_DAY, TZ)
    assert result.triwulan["I"] == round_half_up(percent(6, 18))


# --- properties -------------------------------------------------------------------------------

OUTCOMES = ("tepat", "terlambat", "ditolak", "menunggu", "tidak_ada")


def versions_for(kind: DocumentKind, ta: int, outcome: str) -> tuple[VersionFacts, ...]:
    d = deadline_of(kind, ta)
    sent = wib(d.year, d.month, d.day) - timedelta(days=3)
    if outcome == "tepat":
        return on_time(kind, ta)
    if outcome == "terlambat":
        return late(kind, ta)
    if outcome == "ditolak":
        return (rejected(1, d, sent),)
    if outcome == "menunggu":
        return (waiting(1, d, sent),)
    return ()


@st.composite
def kecamatan_year(draw):
    desa_count = draw(st.integers(min_value=1, max_value=12))
    desa = tuple(f"35.08.17.{2001 + i}" for i in range(desa_count))
    outcomes = {
        kind.code: draw(st.lists(st.sampled_from(OUTCOMES), min_size=desa_count, max_size=desa_count))
        for kind, _ in KINDS_2024
    }
    docs = tuple(
        document(kind, ta, [versions_for(kind, ta, o) for o in outcomes[kind.code]], desa) for kind, ta in KINDS_2024
    )
    return desa_count, docs, outcomes


targets = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("150.00"), places=2)


@settings(max_examples=150)
@given(kecamatan_year(), targets, st.booleans())
def test_indicator_properties(data, target, higher_is_better):
    desa_count, docs, outcomes = data
    result = compute_indicator(
        YEAR, docs, desa_count, REPORT_DAY, TZ, TargetValues(awal=target, higher_is_better=higher_is_better)
    )
    tepat = [outcomes[kind.code].count("tepat") for kind, _ in KINDS_2024]
    per_doc = [Fraction(t, desa_count) * 100 for t in tepat]
    # realisasi is exactly the mean of the per-document percentages
    assert result.realisasi_exact == sum(per_doc) / len(per_doc)
    assert result.realisasi == round_half_up(result.realisasi_exact)
    assert 0 <= result.realisasi_exact <= 100
    assert Decimal(0) <= result.realisasi <= Decimal(100)
    assert [d.tepat_waktu for d in result.documents] == tepat
    assert [d.persen for d in result.documents] == [round_half_up(p) for p in per_doc]
    # capaian is rounded once from the exact realisasi
    exact = capaian(result.realisasi_exact, target, higher_is_better)
    assert result.capaian == round_half_up(exact)
    assert result.predikat == predikat(result.capaian)
    if higher_is_better:
        back = Fraction(result.capaian) * Fraction(target) / 100
        assert abs(back - result.realisasi_exact) <= Fraction(5, 1000) * Fraction(target) / 100
    # the year is known at REPORT_DAY: every quarter has a figure, never above the year's
    assert all(result.triwulan[q] is not None for q in ("I", "II", "III", "IV"))
    assert all(result.triwulan[q] <= result.realisasi for q in ("I", "II", "III", "IV"))


@settings(max_examples=100)
@given(kecamatan_year())
def test_quarterly_figures_never_decrease(data):
    desa_count, docs, _ = data
    result = compute_indicator(YEAR, docs, desa_count, REPORT_DAY, TZ)
    values = [result.triwulan[q] for q in ("I", "II", "III", "IV")]
    assert values == sorted(values)
