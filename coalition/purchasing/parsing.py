"""Reading the cells of purchasing files (contracts, purchase records) into typed values.

Each parser returns the value or raises CellError with a message that names the rule, never the
cell's value (an uploaded file may hold text that should not be repeated)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from coalition.purchasing.models import Category

_MONEY_NOISE = re.compile(r"[$,\s]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class CellError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def required_text(value: str, *, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise CellError("required", "is required")
    if len(text) > max_length:
        raise CellError("bad_text", f"is longer than {max_length} characters")
    return text


def parse_date(value: str) -> date:
    text = (value or "").strip()
    if not text:
        raise CellError("required", "is required")
    # XLSX date cells arrive as 2025-01-31 (or with a midnight time, already dropped).
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise CellError("bad_date", "is not a date (YYYY-MM-DD)") from None


def parse_decimal(
    value: str,
    *,
    places: int,
    minimum: Decimal | None = Decimal(0),
    exclusive: bool = False,
    maximum: Decimal | None = None,
    money: bool = False,
) -> Decimal:
    text = (value or "").strip()
    if money:
        text = _MONEY_NOISE.sub("", text)
    if not text:
        raise CellError("required", "is required")
    if text.endswith("%"):
        text = text[:-1].strip()
    if not _NUMBER.match(text):
        raise CellError("not_a_number", "is not a number")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("not_a_number", "is not a number") from None
    if -number.as_tuple().exponent > places and number != number.quantize(
        Decimal(1).scaleb(-places)
    ):
        raise CellError("too_many_decimals", f"has more than {places} decimal places")
    if minimum is not None and (number <= minimum if exclusive else number < minimum):
        raise CellError("out_of_range", f"must be {'above' if exclusive else 'at least'} {minimum}")
    if maximum is not None and number > maximum:
        raise CellError("out_of_range", f"must be at most {maximum}")
    return number.quantize(Decimal(1).scaleb(-places))


def parse_category(value: str) -> str:
    text = (value or "").strip().lower()
    if not text:
        raise CellError("required", "is required")
    for choice in Category:
        if text in (choice.value, choice.label.lower()):
            return choice.value
    raise CellError("not_in_vocabulary", "must be one of: " + ", ".join(c.value for c in Category))
