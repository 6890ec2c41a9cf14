"""Patterns of patient identifiers (HIPAA Safe Harbor kinds that a pattern can find).

Every pattern is written in the common subset of Python's `re` and the Rust regex engine that
polars uses, so the same text is checked whether one cell or a million are scanned. A match is
reported by its kind only; the matched value never leaves this module.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|"
    r"terrace|ter|parkway|pkwy|highway|hwy|circle|cir|suite|ste|apt)"
)

# (code, what it looks like, pattern)
PHI_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("phi_ssn", "a Social Security number", r"(?:^|[^0-9])[0-9]{3}-[0-9]{2}-[0-9]{4}(?:$|[^0-9])"),
    ("phi_ssn", "a Social Security number", r"(?i)\b(?:ssn|social security)\b"),
    (
        "phi_email",
        "an e-mail address",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    ),
    (
        "phi_phone",
        "a telephone number",
        r"(?:^|[^0-9])(?:\+?1[ .-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}(?:$|[^0-9])",
    ),
    ("phi_url", "a web address", r"(?i)(?:\b(?:https?|ftp)://|\bwww\.[a-z0-9-]+\.)"),
    (
        "phi_ip",
        "an IP address",
        r"(?:^|[^0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:$|[^0-9.])",
    ),
    ("phi_ip", "an IP address", r"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b"),
    (
        "phi_mrn",
        "a medical record number",
        r"(?i)\b(?:mrn|mr#|med(?:ical)?[ _-]*rec(?:ord)?(?:[ _-]*(?:no|num|number|#))?)[ :#.-]*[a-z0-9-]*[0-9]{3,}",
    ),
    (
        "phi_date",
        "a date of birth",
        r"(?:^|[^0-9])(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12][0-9]|3[01])[/.-](?:19|20)?[0-9]{2}(?:$|[^0-9])",
    ),
    (
        "phi_date",
        "a date of birth",
        r"(?:^|[^0-9])(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:$|[^0-9])",
    ),
    ("phi_date", "a date of birth", r"(?i)\b(?:dob|d\.o\.b\.|date of birth|birth ?date)\b"),
    (
        "phi_address",
        "a street address",
        r"(?i)\b[0-9]{1,6} +(?:[nsew]\.? +)?[a-z0-9.'-]+(?: +[a-z0-9.'-]+){0,3} +"
        + _STREET_SUFFIX
        + r"\b",
    ),
    ("phi_address", "a street address", r"(?i)\b(?:p\.? ?o\.? box)\b"),
)

PHI_LABELS = {code: label for code, label, _ in PHI_PATTERNS}


@cache
def _compiled() -> tuple[tuple[str, re.Pattern], ...]:
    # Compiled on first use: this module is imported while Django sets up.
    return tuple((code, re.compile(pattern)) for code, _, pattern in PHI_PATTERNS)


def phi_kind(text: str) -> str | None:
    """The code of the first identifier pattern the text matches, or None."""
    for code, regex in _compiled():
        if regex.search(text):
            return code
    return None


def phi_kind_expression(column: str) -> pl.Expr:
    """A polars expression: the code of the first matching pattern for each cell, else null."""
    import polars as pl  # here: this module is imported at set-up (kinds), polars only on use

    expression = pl.lit(None, dtype=pl.String)
    for code, _, pattern in reversed(PHI_PATTERNS):
        expression = (
            pl.when(pl.col(column).str.contains(pattern)).then(pl.lit(code)).otherwise(expression)
        )
    return expression


def phi_message(code: str) -> str:
    return (
        f"looks like {PHI_LABELS[code]} (a patient identifier); remove it. "
        "Files must be anonymized."
    )
