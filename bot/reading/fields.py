"""The parser: from the text of a village document's pages to a `Reading` (docs/domain.md "Reading a document").

Pure: no files, no clock. The patterns follow the rules of the domain page, not any one template: keywords tolerate
the confusions OCR makes (0/O, 1/l/I, 5/S, rn/m, a space inside a word), dates come in words or digits, and a field
with two different candidates of the same strength is left empty (a wrong value proposed confidently is worse than
none).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.reading import FIELDS, Reading

YEARS = (2000, 2100)
EVIDENCE_LIMIT = 160
SOURCE_FACTOR = {"text": 1.0, "mixed": 0.95, "ocr": 0.9}

# --- keywords that survive OCR ------------------------------------------------------------------------------------

_CONFUSED = {
    "o": "[o0]",
    "i": "[il1|]",
    "l": "[l1i|]",
    "s": "[s5]",
    "m": "(?:m|rn)",
    "b": "[b8]",
    "g": "[g9]",
    "e": "[ec]",
    "u": "(?:u|li|ii)",
    "h": "(?:h|li)",
    "n": "(?:n|u|m)",  # "Ditetapkau", "RENCAMA"
    "j": "[ji]",  # "BELANIA"
}


def _kw(word: str) -> str:
    """A keyword as a pattern: letters OCR confuses, a stray space between letters, words apart by any space."""
    parts = []
    for token in word.split():
        parts.append(r"\s?".join(_CONFUSED.get(c, re.escape(c)) for c in token))
    return r"\b" + r"\s+".join(parts) + r"\b"


NOMOR = _kw("nomor") + r"|\bno\."
TAHUN = _kw("tahun")
TENTANG = _kw("tentang")
MENIMBANG = _kw("menimbang")
DITETAPKAN = _kw("ditetapkan")
DIUNDANGKAN = _kw("diundangkan")
TANGGAL = r"(?:" + _kw("tanggal") + r"|\btg[l1i]\b\.?)"  # "tgl.", OCR "tg1."
DESA = _kw("desa")

# --- dates --------------------------------------------------------------------------------------------------------

_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("januari", "jan"),
    2: ("februari", "pebruari", "feb", "peb"),
    3: ("maret", "mar"),
    4: ("april", "apr"),
    5: ("mei",),
    6: ("juni", "jun"),
    7: ("juli", "jul"),
    8: ("agustus", "agust", "agus", "agt", "ags", "agu"),
    9: ("september", "sept", "sep"),
    10: ("oktober", "okt", "oct"),
    11: ("november", "nopember", "nov", "nop"),
    12: ("desember", "des", "dec"),
}


def _month_pattern(name: str) -> str:
    return r"\s?".join(_CONFUSED.get(c, re.escape(c)) if c in "oilsm" else re.escape(c) for c in name)


_MONTH_NAMES = sorted(((name, number) for number, names in _MONTHS.items() for name in names), key=lambda x: -len(x[0]))
MONTH = "|".join(f"(?P<m{i}>{_month_pattern(name)})" for i, (name, _) in enumerate(_MONTH_NAMES))
_DAY = r"(?P<day>\d\s?\d|\d)"
_YEAR = r"(?P<year>2\s?[0Oo]\s?[\dOoIl]\s?[\dOoIl])"  # after a month's name, "2O24" can only be 2024
_DIGITS = str.maketrans("OoIl", "0011", " ")
DATE_WORDS = rf"(?<!\d){_DAY}\s*-?\s*(?:{MONTH})\b\.?\s*,?-?\s*{_YEAR}(?!\d)"
DATE_DIGITS = (
    r"(?<![\d/.-])(?P<nday>\d{1,2})\s?(?P<sep>[-/.])\s?(?P<nmonth>\d{1,2})\s?(?P=sep)\s?(?P<nyear>\d{4})(?![\d/])"
)
DATE = rf"(?:{DATE_WORDS}|{DATE_DIGITS})"
_DATE_RE = re.compile(DATE, re.I)


def _date_of(match: re.Match[str]) -> date | None:
    """The date a DATE match stands for; None for an impossible one (31 September, year 2300)."""
    groups = match.groupdict()
    try:
        if groups.get("nday"):
            day, month, year = int(groups["nday"]), int(groups["nmonth"]), int(groups["nyear"])
        else:
            day = int(groups["day"].replace(" ", ""))
            year = int(groups["year"].translate(_DIGITS))
            month = next(
                _MONTH_NAMES[int(k[1:])][1] for k, v in groups.items() if k[0] == "m" and k[1:].isdigit() and v
            )
        if not YEARS[0] <= year <= YEARS[1]:
            return None
        return date(year, month, day)
    except (ValueError, StopIteration, TypeError):
        return None


def parse_date(text: str) -> date | None:
    """The first date written in `text` ("27 September 2024", "27-09-2024", "27 SEPTERNBER 2024"), if any."""
    match = _DATE_RE.search(unicodedata.normalize("NFKC", text))
    return _date_of(match) if match else None


# --- normalising ------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC; words hyphenated across lines joined; every run of whitespace (line breaks too) one space."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _evidence(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_LIMIT else text[: EVIDENCE_LIMIT - 1].rstrip() + "…"


_N = r"(?P<n>(?:\d|[Oo](?=\d)){1,4})"  # "O5" is 05 read by OCR
_Y = r"(?P<y>[12][\dOo]{3})"
_NOMOR_RE = re.compile(rf"^\s*(?:(?:{NOMOR})\s*[:;.]?\s*)?{_N}\s*(?:(?:{TAHUN})\s*[:;.]?\s*|/\s*){_Y}\s*\.?\s*$", re.I)


def normalise_nomor(text: str) -> str | None:
    """A Perdes nomor as the project writes it: "NOMOR : 05 TAHUN 2024", "5/2024", "05 / 2024" -> "5/2024"; None
    when `text` is not such a nomor (a letter's number "140/25/35.08.17.2001/2024", an implausible year)."""
    match = _NOMOR_RE.match(normalise(text))
    if not match:
        return None
    number, year = int(match["n"].translate(_DIGITS)), int(match["y"].translate(_DIGITS))
    if number == 0 or not YEARS[0] <= year <= YEARS[1]:
        return None
    return f"{number}/{year}"


# --- the parts of a document ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    value: object
    strength: float
    evidence: str
    at: int = 0


def _pick(candidates: list[_Found]) -> _Found | None:
    """The strongest candidate; None when two of the same (strongest) strength disagree."""
    if not candidates:
        return None
    best = max(c.strength for c in candidates)
    values = {c.value for c in candidates if c.strength == best}
    if len(values) != 1:
        return None
    return next(c for c in candidates if c.strength == best)


_NAME_STOP = {
    "kecamatan", "kec", "kabupaten", "kab", "kota", "provinsi", "nomor", "no", "tahun", "tentang", "menimbang",
    "mengingat", "ttd", "dengan", "pada", "selaku", "yang", "dan", "di", "dalam", "untuk", "tanggal", "tgl", "nama",
    "periode", "anggaran", "memutuskan", "menetapkan", "kepala", "sekretaris", "desa", "perihal", "lampiran",
    "kepada", "yth", "akhir", "rahmat", "tuhan", "bab", "pasal", "laporan", "tertanggal", "ini", "itu",
}  # fmt: skip
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-][^\W\d_])*")


def _name(text: str) -> str | None:
    """A desa's name at the start of `text` ("KRATON KECAMATAN ..." -> "Kraton", "Sukosari Lor, 3 ..." -> "Sukosari
    Lor"): at most three words in the same case, up to a word that is not a name or a punctuation mark."""
    words: list[str] = []
    for token in text.split(" ")[:4]:
        if not token:
            continue
        word = token.rstrip(",.;:|")
        ends = word != token
        if not _NAME_WORD.fullmatch(word) or len(word) < 2 or word.lower() in _NAME_STOP or not word[0].isupper():
            break
        if words and word.isupper() != words[0].isupper():
            break
        words.append(word)
        if ends or len(words) == 3:
            break
    if not words or (len(words) == 1 and len(words[0]) < 3):
        return None
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


_HEAD_RE = re.compile(
    rf"(?:\bperaturan\s+(?:{DESA})|\b(?:peraturan|keputusan)\s+kepala\s+(?:{DESA}))"
    rf"(?P<between>[^\d]{{0,120}}?)(?:{NOMOR})\s*[:;.]?\s*{_N}\s*(?:(?:{TAHUN})\s*[:;.]?\s*|/\s*)"
    rf"{_Y}(?![\d/.]\d)",
    re.I,
)
_BARE_NOMOR_RE = re.compile(rf"(?:{NOMOR})\s*[:;.]?\s*{_N}\s*(?:{TAHUN})\s*[:;.]?\s*{_Y}(?![\d/.]\d)", re.I)
_CITED = re.compile(
    r"(?:undang|pemerintah|menteri|daerah|bupati|walikota|gubernur|presiden|lembaran|berita|qanun|perda|kabupaten"
    r"|keputusan|permendagri|permendes|pmk|peraturan)\W*$",
    re.I,
)
_TENTANG_RE = re.compile(TENTANG, re.I)
_LEGAL_BASIS = re.compile(rf"\b(?:dasar|landasan)\s+hukum\b|{_kw('mengingat')}", re.I)
_LIST_ITEM = re.compile(r"(?:^|[;:])\s*(?:\d{1,2}|[a-z])\s?[.)]\s*$|;\s*$|\bdan\s*$", re.I)
CITED_WINDOW = 1500  # how far back a "Dasar Hukum" heading still governs the list under it


def _is_cited(text: str, at: int) -> bool:
    """Whether the Perdes named at `at` is one the document cites, not its own head: an item of a list ("…; 2.
    Peraturan Desa ...", "pada: 1. Peraturan Desa", "; Peraturan Desa ...", not an address's "RW 02." above a head)
    or under a "Dasar Hukum", "Landasan Hukum" or "Mengingat"."""
    if _LIST_ITEM.search(text, max(0, at - 12), at):  # "^" only at the text's start, "$" at `at`
        return True
    return bool(_LEGAL_BASIS.search(text, max(0, at - CITED_WINDOW), at))


_MENIMBANG_RE = re.compile(MENIMBANG, re.I)
_TITLE_END = re.compile(
    rf"{MENIMBANG}|\bdengan\s+rahmat\b|{_kw('kepala desa')}|\bbab\s+[i1l]\b|\bkata\s+pengantar\b|\bdaftar\s+isi\b"
    r"|\bbahwa\b",
    re.I,
)


@dataclass(frozen=True)
class _Head:
    nomor: _Found | None
    title: str
    at: int
    desa: str | None


HEAD_TOP = 500  # a Perdes's head stands at the top of its page, under at most a letterhead


def _head(text: str, tops: list[tuple[int, int]]) -> _Head | None:
    """The document's own head: "PERATURAN DESA <name> NOMOR n TAHUN y TENTANG <title>". The first one in the top
    `HEAD_TOP` characters of a page that is not a cover letter (`tops`: where those tops start and end in `text`);
    else the last one before the first "Menimbang" (a cover letter that names the Perdes comes before, Mengingat's
    citations after), or the first when there is no "Menimbang"."""
    first_menimbang = _MENIMBANG_RE.search(text)
    limit = first_menimbang.start() if first_menimbang else len(text)
    found = list(_HEAD_RE.finditer(text))
    strength = 0.95
    if not found:
        strength = 0.7
        found = [
            m
            for m in _BARE_NOMOR_RE.finditer(text)
            if not _CITED.search(text[max(0, m.start() - 40) : m.start()])
            and _TENTANG_RE.search(text, m.end(), m.end() + 40)
        ]
    found = [m for m in found if not _is_cited(text, m.start())]
    on_top = [m for m in found if any(start <= m.start() < end for start, end in tops)]
    before = [m for m in found if m.start() < limit]
    if on_top:
        match = on_top[0]
    elif before:
        match = before[-1] if first_menimbang else before[0]
    else:
        return None
    number, year = int(match["n"].translate(_DIGITS)), int(match["y"].translate(_DIGITS))
    tentang = _TENTANG_RE.search(text, match.end(), match.end() + 200)
    if not tentang:
        strength -= 0.15
    nomor = None
    if number > 0 and YEARS[0] <= year <= YEARS[1]:
        nomor = _Found(f"{number}/{year}", strength, match.group(0), match.start())
    title = ""
    if tentang:
        end = _TITLE_END.search(text, tentang.end(), tentang.end() + 300)
        title = text[tentang.start() : end.start() if end else tentang.end() + 200]
    between = match.groupdict().get("between")
    desa = _name(between.strip()) if between else None
    return _Head(nomor, title, match.start(), desa)


# --- which document, which TA -----------------------------------------------------------------------------------

_PERUBAHAN = re.compile(
    rf"{_kw('perubahan')}\s+(?:atas\s+)?(?:{_kw('anggaran pendapatan dan belanja')}|\bapb)|\bp\s?-\s?apb|\bpapbdes",
    re.I,
)
_NOT_THE_DOCUMENT = re.compile(
    r"\bpenjabaran\b|\brealisasi\b|\bpertanggung\s?jawaban\b|\brancangan\b|\bperubahan\b|\bevaluasi\b", re.I
)
_DOCUMENT_PATTERNS = {
    "RKPDES": re.compile(rf"{_kw('rencana kerja pemerintah')}(?:an)?\s+(?:{DESA})|\brkp\s?-?\s?des(?:a)?\b", re.I),
    "APBDES": re.compile(rf"{_kw('anggaran pendapatan dan belanja')}\s+(?:{DESA})|\bapb\s?-?\s?des(?:a)?\b", re.I),
    "LPPDES": re.compile(
        rf"{_kw('laporan penyelenggaraan pemerintahan')}\s+(?:{DESA})|\blpp\s?-?\s?d(?:es|esa)?\b", re.I
    ),  # "LPPD" too: some desa write the kabupaten's acronym on the desa's report
}
_END_OF_TERM = re.compile(r"\bmasa\s+jabatan\b|\bamj\b", re.I)  # the LPPDes at the end of a term is another report
_TA_RE = re.compile(
    rf"(?:{TAHUN})\s*(?:{_kw('anggaran')})?\s*[:;.]?\s*(?P<y>\d\s?\d\s?\d\s?\d)(?!\d|\s?[-–/]\s?\d)"
    rf"|\bta\.?\s*(?P<t>\d{{4}})(?!\d|\s?[-–/]\s?\d)",  # not a period such as 2020-2026
    re.I,
)


def _classify(title: str) -> tuple[str | None, int | None, bool]:
    """(document, tahun anggaran, whether the title names another document built on one of the three — the
    Perubahan APBDes, the Penjabaran, a realisation report — so that no document should be proposed)."""
    hits = [(m.start(), code, m) for code, pattern in _DOCUMENT_PATTERNS.items() if (m := pattern.search(title))]
    perubahan = _PERUBAHAN.search(title)
    if not hits and not perubahan:
        return None, None, False
    if perubahan:
        other, after = True, perubahan.end()
        code = None
    else:
        start, code, match = min(hits, key=lambda h: h[0])
        before = title[:start]
        other = bool(
            _NOT_THE_DOCUMENT.search(before)
            or (code != "LPPDES" and re.search(r"\blaporan\b", before, re.I))
            or (code == "LPPDES" and _END_OF_TERM.search(title, match.end(), match.end() + 80))
        )
        after = match.end()
    ta_match = _TA_RE.search(title, after, after + 120)
    year = None
    if ta_match:
        year = int((ta_match["y"] or ta_match["t"]).replace(" ", ""))
        if not YEARS[0] <= year <= YEARS[1]:
            year = None
    return (None if other else code), year, other


_COVER_MARKS = (
    re.compile(rf"{_kw('kepada')}|\byth\b|\byang\s+terhormat\b", re.I),
    re.compile(rf"{_kw('perihal')}|\bhal\s*:", re.I),
)
_REPORT = re.compile(_kw("laporan"), re.I)


def _is_cover(page: str) -> bool:
    return all(p.search(page) for p in _COVER_MARKS)


# --- the tanggal penetapan --------------------------------------------------------------------------------------

_PLACE = rf"(?:(?!{DITETAPKAN}|{DIUNDANGKAN})[^\d]){{0,60}}?"
_DITETAPKAN_RE = re.compile(
    rf"(?P<phrase>{DITETAPKAN}\s*(?:\bd[il1]\b)?\s*[:;|]?\s*(?P<place>{_PLACE})\s*[,|]?\s*(?:\bpada\b\s*)?"
    rf"(?:{TANGGAL})?\s*[:;|]?\s*{DATE})",
    re.I,
)
_TANGGAL_PENETAPAN_RE = re.compile(
    rf"(?P<phrase>(?:{TANGGAL})\s+(?:{_kw('penetapan')}|{DITETAPKAN})\s*[:;|]?\s*{DATE})", re.I
)
_WEEKDAY = r"\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b"  # "Kraton, Senin, 15 Maret 2025"
_SIGNATURE_RE = re.compile(
    rf"(?P<phrase>(?P<place>\b[^\W\d_][^\W\d_' -]{{1,40}}?)\s*(?:,|\.(?=\s*(?:{TANGGAL})))\s*"
    rf"(?:{_WEEKDAY}\s*,?\s*)?(?:(?:{TANGGAL})\s*[:;|]?\s*)?{DATE})"
    rf"\s*(?P<after>.{{0,160}})",
    re.I,
)
_SELAKU = re.compile(  # lines a signature block may have between its date and "KEPALA DESA"
    rf"(?:{_kw('selaku')}|{_kw('a.n')}|\ban\.|{_kw('yang membuat')}|{_kw('yang melaporkan')}|{_kw('pelapor')}"
    rf"|{_kw('hormat kami')}|{_kw('pemerintah desa')})",
    re.I,
)
_DIBUAT_RE = re.compile(
    rf"(?P<phrase>{_kw('dibuat')}\s*(?:\bd[il1]\b)\s*[:;|]?\s*(?P<place>{_PLACE})\s*[,|]?\s*(?:\bpada\b\s*)?"
    rf"(?:{TANGGAL})\s*[:;|]?\s*{DATE})",
    re.I,
)
_SIGNED_BY = re.compile(rf"{_kw('kepala desa')}|{_kw('kades')}|{_kw('pj')}|{_kw('penjabat')}", re.I)


_AT_PLACE = re.compile(rf"{DITETAPKAN}\s*[:;|]?\s*d[il1]\b", re.I)


def _dates(pages: list[str], document: str | None) -> list[_Found]:
    """Candidate dates: "Ditetapkan di <place> pada tanggal" (0.95; without a place 0.8, never in a sentence),
    "Tanggal penetapan" (0.9); for a report its signature's date (0.85) comes first, since a report's prose may cite
    when its Perdes were established."""
    found: list[_Found] = []
    for index, page in enumerate(pages):
        # "Ditetapkan di Kraton" may end a page and "pada tanggal …" begin the next
        following = pages[index + 1][:200] if index + 1 < len(pages) else ""
        for match in _DITETAPKAN_RE.finditer(f"{page} {following}"):
            if match.start() >= len(page):
                break
            at_place = bool(_AT_PLACE.match(match["phrase"]))
            if not at_place and match["phrase"][0].islower():
                continue  # "… yang ditetapkan pada tanggal …" in a sentence: another decision's date
            if (day := _date_of(match)) is not None:
                found.append(_Found(day, 0.95 if at_place else 0.8, match["phrase"], index))
        for match in _TANGGAL_PENETAPAN_RE.finditer(page):
            if (day := _date_of(match)) is not None:
                found.append(_Found(day, 0.9, match["phrase"], index))
    if document == "LPPDES" and (signatures := _signatures(pages)):
        return signatures
    return found


def _signatures(pages: list[str]) -> list[_Found]:
    """A report's date: "<place>, 15 Maret 2025" (or "<place>, tanggal ...") above "KEPALA DESA ..." (maybe with a
    "Selaku ..." line between), or "Dibuat di : <place> Pada tanggal : ...", on the last page that has one and is not
    a cover letter."""
    signatures: list[_Found] = []
    for index, page in enumerate(pages):
        if _is_cover(page):
            continue
        # "Dibuat di : Kraton" may end a page and "Tanggal : …" begin the next
        following = pages[index + 1][:200] if index + 1 < len(pages) else ""
        for match in _DIBUAT_RE.finditer(f"{page} {following}"):
            if match.start() >= len(page):
                break
            if (day := _date_of(match)) is not None:
                signatures.append(_Found(day, 0.85, match["phrase"], index))
        for match in _SIGNATURE_RE.finditer(page):
            if not _signed(match["after"]):
                continue
            if (day := _date_of(match)) is not None:
                signatures.append(_Found(day, 0.85, match["phrase"], index))
    if not signatures:
        return []
    last_page = max(s.at for s in signatures)
    return [s for s in signatures if s.at == last_page]


def _signed(after: str) -> bool:
    """Whether the text after a date is the signature block: "KEPALA DESA ..." at once, or after lines such as
    "Selaku ...", "a.n.", "Yang membuat laporan," (at most 160 characters, no number among them)."""
    if _SIGNED_BY.search(after[:40]):
        return True
    selaku = _SELAKU.match(after)
    signed = _SIGNED_BY.search(after, selaku.end(), 160) if selaku else None
    return bool(signed and not any(c.isdigit() for c in after[: signed.start()]))


# --- desa -------------------------------------------------------------------------------------------------------

_DESA_SOURCES = (
    (re.compile(rf"\bperaturan\s+(?:{DESA})\s+(?P<rest>.{{0,60}})", re.I), 3),
    (re.compile(rf"\bpemerintah\s+(?:{DESA})\s+(?P<rest>.{{0,60}})", re.I), 2),
    (re.compile(rf"{_kw('kepala desa')}\s+(?P<rest>.{{0,60}})", re.I), 1),
    (re.compile(rf"{DITETAPKAN}\s+d[il1]\s*[:;]?\s*(?P<rest>.{{0,60}})", re.I), 1),
)


def _desa(pages: list[str]) -> _Found | None:
    votes: dict[str, float] = {}
    evidence: dict[str, str] = {}
    for page in pages:
        for pattern, weight in _DESA_SOURCES:
            for match in pattern.finditer(page):
                name = _name(match["rest"])
                if name is None:
                    continue
                votes[name] = votes.get(name, 0) + weight
                evidence.setdefault(name, match.group(0)[: match.start("rest") - match.start() + len(name) + 1])
    if not votes:
        return None
    names = sorted(votes, key=lambda n: -votes[n])
    # "KEPALA DESA KRATON SUPRAPTO" (a signature without a line break) or "Ditetapkan di Sukosari" (for Sukosari Lor)
    # give names that start alike: the one most sources give, when it has at least half of the votes
    shortest = min(names, key=len)
    if all(n.split()[: len(shortest.split())] == shortest.split() for n in names):
        best = max(names, key=lambda n: (votes[n], -len(n)))
        if len(names) > 1 and votes[best] < sum(votes.values()) / 2:
            return None
        strength = 0.95 if votes[best] >= 2 or len(names) == 1 else 0.75
        return _Found(best, strength, evidence[best])
    top, second = names[0], names[1]
    if votes[top] >= 2 * votes[second] + 2:
        return _Found(top, 0.7, evidence[top])
    return None


# --- the reader ---------------------------------------------------------------------------------------------------


def read_document(pages: list[str], source: str = "text") -> Reading:
    """What the pages say: which document, TA, nomor, tanggal penetapan, desa; None where unsure."""
    texts = [normalise(p) for p in pages]
    factor = SOURCE_FACTOR.get(source, 0.9)
    confidence: dict[str, float] = dict.fromkeys(FIELDS, 0.0)
    evidence: dict[str, str] = {}
    values: dict[str, object] = {}

    def keep(name: str, found: _Found | None) -> None:
        if found is None or found.value is None:
            return
        values[name] = found.value
        confidence[name] = round(min(1.0, found.strength * factor), 2)
        evidence[name] = _evidence(found.evidence)

    # the pages as one text: the head may follow a cover letter on the same page or the next
    whole = " \n ".join(texts)
    starts = [sum(len(text) + 3 for text in texts[:index]) for index in range(len(texts))]
    tops = [(start, start + HEAD_TOP) for start, text in zip(starts, texts, strict=True) if not _is_cover(text)]
    head = _head(whole, tops)
    top = _first_title(texts, starts)
    if head is not None and top is not None and top[3] < head.at and (top[1] == "LPPDES" or _REPORT.search(top[0])):
        head = None  # a report's title comes first: the Perdes "head" after it is one the report cites
    titles: list[tuple[float, str]] = []
    if head is not None:
        keep("nomor", head.nomor)
        if head.title:
            titles.append((0.95, head.title))
    if top is not None:
        titles.append((0.85, top[0]))
    titles += [(0.7, text) for text in _perihal(texts)]
    for strength, title in titles:
        code, year, other = _classify(title)
        if code is None and not other:
            continue
        if code is not None:
            keep("document", _Found(code, strength, title))
        if year is not None:
            keep("tahun_anggaran", _Found(year, strength, title))
        break
    found_document = values.get("document")
    keep("tanggal_penetapan", _pick(_dates(texts, found_document if isinstance(found_document, str) else None)))
    desa = _desa(texts)
    if head is not None and head.desa and desa is not None and desa.value != head.desa:
        desa = None
    keep("desa_nama", desa)
    return Reading(
        document=values.get("document"),  # type: ignore[arg-type]
        tahun_anggaran=values.get("tahun_anggaran"),  # type: ignore[arg-type]
        nomor=values.get("nomor"),  # type: ignore[arg-type]
        tanggal_penetapan=values.get("tanggal_penetapan"),  # type: ignore[arg-type]
        desa_nama=values.get("desa_nama"),  # type: ignore[arg-type]
        source=source,
        confidence=confidence,
        evidence=evidence,
        pages=len(pages),
    )


_TOP_END = re.compile(
    rf"{MENIMBANG}|\bdengan\s+rahmat\b|\bbab\s+[i1l]\b|\bpasal\s+\d|\bkata\s+pengantar\b|\bdaftar\s+isi\b|\bbahwa\b"
    rf"|{_LEGAL_BASIS.pattern}",  # what a "Dasar Hukum" lists is cited, not the page's title
    re.I,
)


def _first_title(texts: list[str], starts: list[int]) -> tuple[str, str | None, int | None, int] | None:
    """The first page top (of a page that is not a cover letter) that names a document: (its text, document, TA,
    where the name stands in the joined text). Where a report's title stands, above its first chapter."""
    for text, start in zip(texts, starts, strict=True):
        if not text or _is_cover(text):
            continue
        end = _TOP_END.search(text, 0, 600)
        top = text[: end.start() if end else 600]
        code, year, other = _classify(top)
        if code is None and not other:
            continue
        hits = [m.start() for p in (*_DOCUMENT_PATTERNS.values(), _PERUBAHAN) if (m := p.search(top))]
        return top, code, year, start + min(hits)
    return None


def _perihal(texts: list[str]) -> list[str]:
    """What a cover letter says it brings ("Perihal : Penyampaian Perdes ...", "Hal : Laporan ...")."""
    found = (re.search(r"\b(?:perihal|hal)\s*:", text, re.I) for text in texts)
    return [text[m.end() : m.end() + 200] for text, m in zip(texts, found, strict=True) if m]
