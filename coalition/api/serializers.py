"""Serializer base for practice-scoped endpoints."""

from __future__ import annotations

from rest_framework import serializers

from coalition.tenancy import is_practice_owned


class PracticeScopedModelSerializer(serializers.ModelSerializer):
    """Every related field that points at a practice-owned model only accepts objects of the
    request's practice, and `practice` is never read from the payload."""

    def get_fields(self):
        fields = super().get_fields()
        practice = self.context.get("practice")
        for field in fields.values():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if queryset is not None and is_practice_owned(queryset.model):
                target.queryset = (
                    queryset.model.objects.for_practice(practice)
                    if practice is not None
                    else queryset.model.objects.across_practices().none()
                )
        fields.pop("practice", None)
        return fields
