"""Database expressions the apps' models share (in check constraints, among others)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Length, Replace


class Cardinality(models.Func):
    """PostgreSQL's cardinality(): how many elements an array holds."""

    function = "cardinality"
    output_field = models.IntegerField()


def listed_count(field: str) -> models.Expression:
    """How many entries a comma-separated text column holds (one more than its commas)."""
    return Length(field) - Length(Replace(F(field), Value(","), Value(""))) + 1
