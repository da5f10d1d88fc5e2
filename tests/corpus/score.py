"""Field-level scoring of readings against the corpus's truth (shared by the test and benchmarks/reading.py).

A field the reader proposes (not null) is correct when it equals the truth; a field proposed where the truth is null
(the Perubahan APBDes's `document`, an LPPDes's `nomor`) is wrong. precision = correct / proposed, recall = correct /
truth not null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIELDS = ("document", "tahun_anggaran", "nomor", "tanggal_penetapan", "desa_nama")
GROUPS = {"text": ("pdf", "docx"), "scans and photos": ("scan", "photo")}
GOALS = {"text": (0.98, 0.95), "scans and photos": (0.95, 0.80)}  # precision, recall (issue 21)


@dataclass
class Tally:
    documents: int = 0
    pages: int = 0
    proposed: int = 0
    correct: int = 0
    truth: int = 0
    seconds: float = 0.0
    wrong: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, kind: str, truth: dict[str, Any], read: dict[str, Any], pages: int, seconds: float):
        self.documents += 1
        self.pages += pages
        self.seconds += seconds
        for name_of_field in FIELDS:
            expected, got = truth.get(name_of_field), read.get(name_of_field)
            self.truth += expected is not None
            if got is None:
                if expected is not None:
                    self.missed.append({"sample": name, "kind": kind, "field": name_of_field, "truth": expected})
                continue
            self.proposed += 1
            if got == expected:
                self.correct += 1
            else:
                self.wrong.append(
                    {"sample": name, "kind": kind, "field": name_of_field, "read": got, "truth": expected}
                )

    def merge(self, other: Tally) -> Tally:
        return Tally(
            self.documents + other.documents,
            self.pages + other.pages,
            self.proposed + other.proposed,
            self.correct + other.correct,
            self.truth + other.truth,
            self.seconds + other.seconds,
            self.wrong + other.wrong,
            self.missed + other.missed,
        )

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 1.0

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "pages": self.pages,
            "fields_truth": self.truth,
            "fields_proposed": self.proposed,
            "fields_correct": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "seconds": round(self.seconds, 2),
            "pages_per_second": round(self.pages / self.seconds, 2) if self.seconds else None,
        }

    def explain(self) -> str:
        lines = [f"precision {self.precision:.3f} ({self.correct}/{self.proposed}), recall {self.recall:.3f}"]
        lines += [f"  wrong: {w['sample']} {w['field']}: read {w['read']!r}, truth {w['truth']!r}" for w in self.wrong]
        lines += [f"  missed: {m['sample']} {m['field']}: truth {m['truth']!r}" for m in self.missed]
        return "\n".join(lines)
