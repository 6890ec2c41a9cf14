"""Coalition-wide reads: the audit trail."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.db.models import QuerySet

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
