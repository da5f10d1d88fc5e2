"""The reference list of Indonesia's areas (Kepmendagri 300.2.2-2430/2025).

MIT licensed: see reference/LICENSE-wilayah.txt, which travels with the data.

Codes: `PP` province, `PP.KK` kabupaten/kota, `PP.KK.CC` kecamatan, `PP.KK.CC.NNNN` desa or kelurahan; the first digit
of the last segment tells the kind: 1 kelurahan, 2 desa, 3 desa adat.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

REFERENCE_FILE = "wilayah-kepmendagri-2025.csv.gz"

CODE_SHAPE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")

# The time zone of a province (docs/domain.md, "Time and working days"); every other province is WIB.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})


class Level(StrEnum):
    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"
    DESA_ADAT = "desa_adat"
    KELURAHAN = "kelurahan"


def level_of(kode: str) -> Level | None:
    """The level a code names by its shape, or None when it is not a code."""
    if not CODE_SHAPE.fullmatch(kode):
        return None
    parts = kode.split(".")
    if len(parts) < 4:
        return (Level.PROVINSI, Level.KABUPATEN, Level.KECAMATAN)[len(parts) - 1]
    return {"1": Level.KELURAHAN, "2": Level.DESA, "3": Level.DESA_ADAT}.get(parts[3][0])


def parent_of(kode: str) -> str | None:
    return kode.rsplit(".", 1)[0] if "." in kode else None


def timezone_of_province(provinsi_kode: str) -> str:
    if provinsi_kode in WITA_PROVINCES:
        return "Asia/Makassar"
    if provinsi_kode in WIT_PROVINCES:
        return "Asia/Jayapura"
    return "Asia/Jakarta"


@dataclass(frozen=True)
class Area:
    kode: str
    nama: str

    @property
    def level(self) -> Level | None:
        return level_of(self.kode)


@lru_cache(maxsize=1)
def reference_areas() -> dict[str, Area]:
    """Every area of the reference list by code, in file order."""
    raw = resources.files("bot").joinpath("reference", REFERENCE_FILE).read_bytes()
    with io.TextIOWrapper(io.BytesIO(gzip.decompress(raw)), encoding="utf-8") as text:
        return {row["kode"]: Area(row["kode"], row["nama"]) for row in csv.DictReader(text)}


def areas_under(prefix: str) -> list[Area]:
    """The area `prefix` itself, its ancestors, and everything inside it."""
    areas = reference_areas()
    ancestors = []
    code = parent_of(prefix)
    while code:
        ancestors.insert(0, areas[code])
        code = parent_of(code)
    inside = [a for k, a in areas.items() if k == prefix or k.startswith(prefix + ".")]
    return ancestors + inside


def fold_name(text: str) -> str:
    """A name as people type it, for comparing: lower case, runs of anything but letters and digits one space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def find_kecamatan(text: str) -> list[Area]:
    """Kecamatan of the reference data matching `text`: a code; or a name, optionally followed by a comma and a
    kabupaten's name ("jatiroto, lumajang"). An exact name beats names that merely contain it."""
    text = text.strip()
    areas = reference_areas()
    if level_of(text) is Level.KECAMATAN:
        return [areas[text]] if text in areas else []
    name, _, where = text.partition(",")
    name, where = fold_name(name), fold_name(where)
    if not name:
        return []
    kecamatan = [a for a in areas.values() if a.level is Level.KECAMATAN]
    if where:
        kecamatan = [a for a in kecamatan if where in fold_name(areas[parent_of(a.kode) or ""].nama)]
    exact = [a for a in kecamatan if fold_name(a.nama) == name]
    return exact or [a for a in kecamatan if name in fold_name(a.nama)]
