"""Filtersets of the benchmarks API. Every parameter is typed: a wrong type or an unknown code
answers 400 naming the parameter."""

from __future__ import annotations

import django_filters
from django import forms

from benchmarks.metrics import DIMENSION_CHOICES, metric_choices
from benchmarks.models import BenchmarkCell, BenchmarkRelease


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ReleaseFilter(django_filters.FilterSet):
    year = WholeNumberFilter(field_name="year")

    class Meta:
        model = BenchmarkRelease
        fields = ["year"]


class CellFilter(django_filters.FilterSet):
    year = WholeNumberFilter(field_name="release__year", help_text="Reporting year.")
    release = WholeNumberFilter(
        field_name="release_id",
        help_text="A published release's id; without it, each year's current release.",
    )
    metric = django_filters.ChoiceFilter(choices=metric_choices)
    dimension = django_filters.ChoiceFilter(choices=DIMENSION_CHOICES)
    value = django_filters.CharFilter(field_name="value")
    # Strictly true or false: anything else is a 400, not a silently ignored filter.
    suppressed = django_filters.TypedChoiceFilter(
        field_name="suppressed",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
    )

    class Meta:
        model = BenchmarkCell
        fields = ["year", "release", "metric", "dimension", "value", "suppressed"]
