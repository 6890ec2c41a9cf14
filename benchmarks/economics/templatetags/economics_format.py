"""Money as the economics page shows it: $6,318,609.00 (rounded to the cent only here)."""

from django import template

from benchmarks.economics import presentation

register = template.Library()


@register.filter
def dollars(value) -> str:
    return presentation.dollars(value)


@register.filter
def whole_dollars(value) -> str:
    return presentation.whole_dollars(value)
