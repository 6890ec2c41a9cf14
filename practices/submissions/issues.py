"""Errors and warnings found in a file, before they are stored as SubmissionIssue rows.

A message names the row, the column and the reason; it never repeats the cell's value, so a
report (or a log line) cannot leak a patient identifier that a practice uploaded by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    message: str
    row_number: int | None = None  # as a spreadsheet shows it: the header is row 1
    column: str = ""

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "row": self.row_number,
            "column": self.column,
            "message": self.message,
        }


def error(code: str, message: str, *, row: int | None = None, column: str = "") -> Issue:
    return Issue(ERROR, code, message, row, column)


def warning(code: str, message: str, *, row: int | None = None, column: str = "") -> Issue:
    return Issue(WARNING, code, message, row, column)


class FileRejected(Exception):
    """The file cannot be read at all (or not far enough to check its rows)."""

    def __init__(self, issues: list[Issue]):
        super().__init__(f"{len(issues)} file-level error(s)")
        self.issues = issues
