"""The stored rows of a submission as a table whose columns are the kind's schema columns, in
the schema's order, optional ones included (an empty optional cell stays empty)."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from practices.submissions.kinds import schema_for
from practices.submissions.schemas import ColumnType

register = template.Library()

_WORDS = {"id": "ID", "fte": "FTE", "rvus": "RVUs", "cpt": "CPT"}
_NUMERIC = {ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.MONEY}


def column_label(name: str) -> str:
    words = [_WORDS.get(word, word) for word in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def _cell(column, value) -> str:
    if value is None or value == "":
        return ""
    if column.type == ColumnType.MONTH:
        return value.strftime("%Y-%m")
    if column.type == ColumnType.MONEY:
        return f"${intcomma(value)}"
    if column.type == ColumnType.INTEGER or column.unit == "wRVU":
        return intcomma(value)
    return str(value)


@register.simple_tag
def record_table(kind: str, records, show_local_ids: bool) -> dict:
    """{"headers": [(label, numeric)], "rows": [[(text, numeric, is_pseudonym)]]}. The
    pseudonymized column shows the practice's own id on its pages, else the pseudonym."""
    columns = schema_for(kind).columns
    headers = []
    for column in columns:
        if column.pseudonymized:
            label = "Provider (your id)" if show_local_ids else "Provider pseudonym"
        else:
            label = column_label(column.name)
        headers.append((label, column.type in _NUMERIC))
    rows = []
    for record, local_id in records:
        row = []
        for column in columns:
            if column.pseudonymized:
                shown = local_id if show_local_ids else record.provider_pseudonym
                row.append((shown, False, not show_local_ids))
            else:
                value = getattr(record, column.name)
                row.append((_cell(column, value), column.type in _NUMERIC, False))
        rows.append(row)
    return {"headers": headers, "rows": rows}
