"""The identifier check of free text (narratives, root-cause analysis, lessons).

Safety-event text is patient safety work product and may be shown de-identified across
practices, so it must hold no patient identifier. The check runs the upload PHI patterns of
SPEC 2 (practices/submissions/phi.py) and adds what free text is prone to: person names after
a title or a naming word ("Mr. Jones", "patient John Smith") and dates other than a bare year
("March 3", "3/14", "14 March 2025"). A finding says what kind of identifier and where
(character range), never the value; nothing here logs the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from practices.submissions.phi import PHI_PATTERNS

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"

# (code, label, pattern) added to the upload patterns for free text.
TEXT_PATTERNS: tuple[tuple[str, str, re.Pattern], ...] = (
    (
        "phi_name",
        "a person's name",
        re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(?:{_NAME}\s+)?{_NAME}\b"),
    ),
    (
        "phi_name",
        "a person's name",
        re.compile(
            rf"\b(?:[Pp]atient|[Pp]t|[Nn]amed|[Nn]ame(?:\s+is)?|[Ss]igned\s+by|[Rr]eported\s+by)"
            rf"[:.]?\s+{_NAME}\s+{_NAME}\b"
        ),
    ),
    (
        "phi_date",
        "a date",
        re.compile(
            rf"(?i)\b{_MONTHS}\.?\s+[0-3]?[0-9](?:st|nd|rd|th)?\b(?:,?\s+(?:19|20)[0-9]{{2}})?"
        ),
    ),
    (
        "phi_date",
        "a date",
        re.compile(rf"(?i)\b[0-3]?[0-9](?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b"),
    ),
    # Month/day without a year: slashes only ("1.5 T" and "3-4 mL" are not dates).
    ("phi_date", "a date", re.compile(r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12][0-9]|3[01])\b")),
    ("phi_date", "a date", re.compile(r"\b(?:0?[1-9]|1[0-2])/(?:19|20)[0-9]{2}\b")),
    ("phi_date", "a date", re.compile(r"\b(?:19|20)[0-9]{2}[/.-](?:0?[1-9]|1[0-2])\b")),
)

# Street addresses in prose: a number, capitalized words and a capitalized street word, so that
# "in 2024 after CT" (a modality) is not taken for "12 Oak Ct".
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|"
    r"Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Suite|Ste|Apt)"
)
ADDRESS_PATTERNS = (
    (
        "phi_address",
        "a street address",
        re.compile(
            rf"\b[0-9]{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z0-9'.-]*\s+){{1,3}}{_STREET}\b\.?"
        ),
    ),
    ("phi_address", "a street address", re.compile(r"(?i)\bp\.?\s?o\.?\s?box\b")),
)

_ALL = (
    tuple(
        (code, label, re.compile(pattern))
        for code, label, pattern in PHI_PATTERNS
        if code != "phi_address"  # too eager for prose; ADDRESS_PATTERNS instead
    )
    + ADDRESS_PATTERNS
    + TEXT_PATTERNS
)


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    start: int  # character offsets, 0-based, end exclusive
    end: int

    def describe(self) -> str:
        return f"{self.label} at characters {self.start + 1}-{self.end}"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The upload patterns take a neighbouring character to find word edges: drop it."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".)":
        end -= 1
    return start, end


def find_identifiers(text: str) -> list[Finding]:
    """Every identifier found in the text, by position; overlapping findings merged."""
    if not text:
        return []
    found: list[Finding] = []
    for code, label, regex in _ALL:
        for match in regex.finditer(text):
            start, end = _trim(text, match.start(), match.end())
            if end > start:
                found.append(Finding(code, label, start, end))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for finding in found:
        if merged and finding.start < merged[-1].end:
            continue
        merged.append(finding)
    return merged


def identifier_message(findings: list[Finding]) -> str:
    listed = "; ".join(f.describe() for f in findings[:5])
    more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
    return (
        f"Contains what looks like a patient identifier: {listed}{more}. Remove it: safety "
        "event text must be de-identified."
    )
