"""Errors a person caused and can fix; the message comes from the text catalog."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: nothing was written. `key` names a catalog text, `values` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class InputErrors(InputError):
    """Several bad rows of one file, reported together, one a line (nothing was written). `count` defaults to the
    number of problems (a row may have several)."""

    def __init__(self, key: str, problems: list[InputError], **values: object) -> None:
        super().__init__(key, **({"count": len(problems)} | values))
        self.problems = problems
