"""Number formatting for benchmark pages: large figures with thousands separators and no
decimals, small ones (e.g. dollars per wRVU) with two; blank for withheld."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django import template

from benchmarks.metrics import DIMENSIONS
from benchmarks.selectors import reason_text

register = template.Library()
DASH = "—"


@register.filter
def figure(value) -> str:
    if value is None or value == "":
        return DASH
    number = Decimal(str(value))
    if abs(number) >= 1000:
        return f"{number.quantize(Decimal(1), rounding=ROUND_HALF_EVEN):,}"
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,}"


@register.filter
def rank(value) -> str:
    if value is None or value == "":
        return DASH
    return f"{float(value):.0f}"


@register.filter
def count(value) -> str:
    return DASH if value is None else f"{int(value):,}"


@register.filter
def dimension_value(value: str, dimension: str) -> str:
    return DIMENSIONS[dimension].value_label(value) if dimension in DIMENSIONS else value


@register.filter
def dimension_label(dimension: str) -> str:
    return DIMENSIONS[dimension].label if dimension in DIMENSIONS else dimension


@register.filter
def reasons(value) -> str:
    """Rule codes (a list, or joined with ';') as words."""
    codes = value.split(";") if isinstance(value, str) else list(value or [])
    return reason_text([c for c in codes if c])


@register.filter
def breakable(code: str) -> str:
    """A metric or rule code that may wrap after its underscores (not inside a word)."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(escape(code).replace("_", "_<wbr>"))  # noqa: S308 - escaped first
