"""Coalition-wide reads: the audit trail."""

from __future__ import annotations

from datetime import UTC

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst

from coalition.models import AuthEvent


def audit_changes(*, search: str = "", model: str = "") -> QuerySet[LogEntry]:
    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if search:
        queryset = queryset.filter(object_repr__icontains=search) | queryset.filter(
            actor__email__icontains=search
        )
    if model:
        queryset = queryset.filter(content_type__model=model)
    return queryset


def auth_events(*, search: str = "", kind: str = "") -> QuerySet[AuthEvent]:
    queryset = AuthEvent.objects.select_related("user").order_by("-occurred_at")
    if search:
        queryset = queryset.filter(email__icontains=search)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def audit_change_rows(entries: list[LogEntry]) -> dict[int, list[tuple[str, str, str]]]:
    """For each entry, its changes as (field label, before, after), for people to read: times in
    the site's time zone like the rest of the page (auditlog stores UTC with microseconds),
    related rows by name (it stores their ids: a user is shown by name and e-mail), choices by
    label. Related rows are read in one query per model for the whole page."""
    wanted: dict[type, set[str]] = {}
    parsed: dict[int, list[tuple[object, str, list]]] = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        rows = []
        for name, values in (entry.changes_dict or {}).items():
            field = _model_field(model, name)
            if field is not None and field.auto_created and not field.concrete:
                continue  # a reverse relation: auditlog notes it, it is no change of this row
            # [before, after]; a many-to-many change is one description instead.
            if isinstance(values, list | tuple) and len(values) == 2:
                pair = list(values)
            elif isinstance(values, dict) and values.get("type") == "m2m":
                verb = {"add": "added", "delete": "removed"}.get(values.get("operation"), "set")
                pair = ["", f"{verb} {', '.join(str(o) for o in values.get('objects', []))}"]
                field = None
            else:
                pair, field = ["", str(values)], None
            rows.append((field, name, pair))
            if field is not None and field.many_to_one and field.related_model is not None:
                wanted.setdefault(field.related_model, set()).update(
                    str(v) for v in pair if v not in (None, "None", "")
                )
        parsed[entry.pk] = rows
    names: dict[type, dict[str, str]] = {}
    for model, ids in wanted.items():
        valid = [i for i in ids if i.isdigit()]
        names[model] = {
            str(obj.pk): _display_name(obj)
            for obj in model._base_manager.filter(pk__in=valid)  # staff read: every practice
        }
    return {
        entry_pk: [
            (
                capfirst(str(getattr(field, "verbose_name", name)) if field is not None else name),
                _display_value(field, before, names),
                _display_value(field, after, names),
            )
            for field, name, (before, after) in rows
        ]
        for entry_pk, rows in parsed.items()
    }


def _model_field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _display_name(obj) -> str:
    user_model = get_user_model()
    if isinstance(obj, user_model):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email
    return str(obj)


def _display_value(field, value, names: dict[type, dict[str, str]]) -> str:
    if value in (None, "None", ""):
        return "—"
    value = str(value)
    if field is None:
        return value
    if field.many_to_one and field.related_model is not None:
        return names.get(field.related_model, {}).get(value, f"#{value} (deleted)")
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "DateTimeField":
        moment = parse_datetime(value)
        if moment is None:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return date_format(timezone.localtime(moment), "Y-m-d H:i:s")
    return value
