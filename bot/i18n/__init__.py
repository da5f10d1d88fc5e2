"""Everything a person reads: the catalogs (Bahasa Indonesia first, English second) and how dates and numbers look.

`core` holds the chat's and the CLI's texts and the formatting; `desk`, `forum`, `ops` and `reports` hold theirs and
are merged into one catalog. `click-id.po` translates click's own messages for the CLI.
"""

from bot.i18n.core import (
    BABEL_LOCALE,
    CATALOG,
    Language,
    doc_label,
    fmt_date,
    fmt_datetime,
    fmt_number,
    fmt_percent,
    status_label,
    t,
)

__all__ = [
    "BABEL_LOCALE",
    "CATALOG",
    "Language",
    "doc_label",
    "fmt_date",
    "fmt_datetime",
    "fmt_number",
    "fmt_percent",
    "status_label",
    "t",
]
