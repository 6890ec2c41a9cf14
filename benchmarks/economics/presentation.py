"""The model in the shapes its outputs need: chart rows (the page draws them as SVG with
benchmarks/charts.py, the PDF with ReportLab) and the JSON form (API and brief)."""

from __future__ import annotations

from decimal import Decimal

from benchmarks import charts
from benchmarks.economics.calculations import FIGURE_NAMES, Result, cents
from benchmarks.economics.selectors import (
    CoalitionCell,
    EconomicsModel,
    ScenarioOutcome,
    sources,
)
from benchmarks.metrics import DIMENSIONS
from benchmarks.rules import STATISTICS

MONEY_FIGURES = [name for name in FIGURE_NAMES if name != "radiologist_fte"]


def money(value: Decimal | None) -> str | None:
    """A decimal string with two places ("6318609.00"), None for a missing figure."""
    rounded = cents(value)
    return None if rounded is None else f"{rounded:.2f}"


def dollars(value: Decimal | None) -> str:
    """$6,318,609 style for summaries; cents where they matter ($195,441.05)."""
    rounded = cents(value)
    if rounded is None:
        return "–"
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def whole_dollars(value: Decimal | None) -> str:
    rounded = cents(value)
    if rounded is None:
        return "–"
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded.quantize(Decimal('1'))):,}"


def band_rows(model: EconomicsModel, metric: str) -> list[charts.BandRow]:
    position = next((p for p in model.distribution if p.metric == metric), None)
    if position is None:
        return []
    return [
        charts.BandRow(
            label=cell.label,
            marker=position.value,
            note="coalition figures withheld" if cell.suppressed else "",
            **{s: cell.statistics.get(s) for s in ("p10", "p25", "p50", "p75", "p90")},
        )
        for cell in position.cells
    ]


def typical_references(model: EconomicsModel) -> list[tuple[str, Decimal]]:
    refs = []
    if model.typical.low is not None:
        refs.append(("typical low", model.typical.low.value))
    if model.typical.high is not None:
        refs.append(("typical high", model.typical.high.value))
    return refs


def trend_points(model: EconomicsModel) -> list[charts.TrendPoint]:
    return [
        charts.TrendPoint(
            year=point.year,
            own=point.support_needed_per_fte,
            **{
                s: (point.cell.statistics.get(s) if point.cell else None)
                for s in ("p10", "p25", "p50", "p75", "p90")
            },
        )
        for point in model.trend
    ]


# --- JSON ---------------------------------------------------------------------------------------
def result_data(result: Result) -> dict:
    data = {name: money(getattr(result, name)) for name in MONEY_FIGURES}
    data["radiologist_fte"] = f"{result.radiologist_fte:.2f}"
    return data


def cell_data(cell: CoalitionCell) -> dict:
    return {
        "dimension": cell.dimension,
        "value": cell.value,
        "label": cell.label,
        "n_practices": cell.n_practices,
        "n_observations": cell.n_observations,
        **{
            s: None if cell.statistics.get(s) is None else f"{cell.statistics[s]:.4f}"
            for s in STATISTICS
        },
        "suppressed": cell.suppressed,
        "suppression_reason": cell.suppression_reason,
    }


def outcome_data(outcome: ScenarioOutcome) -> dict:
    version = outcome.version
    comp = outcome.comp
    return {
        "name": outcome.name,
        "scenario_id": outcome.scenario.pk if outcome.scenario else None,
        "version": version.number if version else None,
        "description": outcome.description,
        "settings": {
            "comp_basis": version.comp_basis,
            "comp_cell": version.comp_cell,
            "revenue_per_rvu_change_pct": f"{version.revenue_per_rvu_change_pct:.2f}",
            "fte_change": f"{version.fte_change:.2f}",
            "operating_expense_change": f"{version.operating_expense_change:.2f}",
            "note": version.note,
        }
        if version
        else None,
        "comp_per_fte": None if comp is None or comp.value is None else f"{comp.value:.4f}",
        "comp_cell_used": f"{comp.dimension}={comp.cell_value}" if comp and comp.value else "",
        "stale": outcome.stale,
        "error": outcome.error,
        "result": result_data(outcome.result) if outcome.result else None,
    }


def model_data(model: EconomicsModel) -> dict:
    """Everything the model shows, decimals as strings (money with two places)."""
    actual = model.actual
    release = model.release
    return {
        "practice": {"slug": model.practice.slug, "name": model.practice.name},
        "year": model.year,
        "financials": {
            "submission_id": model.submission.pk,
            "submission_version": model.source.version,
            **result_data(actual),
        },
        "deficit": money(actual.deficit),
        "support_needed_per_fte": money(actual.support_needed_per_fte),
        "hospital_support_received": money(actual.hospital_support_received),
        "remaining_gap": money(actual.remaining_gap),
        "remaining_gap_per_fte": money(actual.remaining_gap_per_fte),
        "typical_range": {
            "low": money(model.typical.low.value) if model.typical.low else None,
            "high": money(model.typical.high.value) if model.typical.high else None,
            "source": model.typical.low.source if model.typical.low else "",
            "survey_year": model.typical.low.survey_year if model.typical.low else None,
            "position": model.typical_position,
        },
        "release": {
            "id": release.pk,
            "year": release.year,
            "version": release.version,
            "published_at": release.published_at.isoformat() if release.published_at else None,
        }
        if release
        else None,
        "size_band": model.size_band,
        "size_band_label": DIMENSIONS["practice_size"].value_label(model.size_band),
        "distribution": [
            {
                "metric": p.metric,
                "label": p.label,
                "unit": p.unit,
                "practice_value": money(p.value),
                "percentile_rank": p.percentile_rank,
                "position": p.brackets,
                "cells": [cell_data(c) for c in p.cells],
            }
            for p in model.distribution
        ],
        "trend": [
            {
                "year": t.year,
                "support_needed_per_fte": money(t.support_needed_per_fte),
                "coalition": cell_data(t.cell) if t.cell else None,
            }
            for t in model.trend
        ],
        "scenarios": {
            "standard": [outcome_data(o) for o in model.standard_scenarios],
            "saved": [outcome_data(o) for o in model.saved_scenarios],
        },
        "asks": {
            "items": [
                {
                    "id": ask.pk,
                    "category": ask.category,
                    "category_label": ask.get_category_display(),
                    "amount": money(ask.amount),
                    "note": ask.note,
                }
                for ask in model.asks.items
            ],
            "total": money(model.asks.total),
            "cost_basis": money(model.asks.cost_basis),
            "difference": money(model.asks.difference),
            "share_of_cost_basis_pct": None
            if model.asks.share_of_cost_basis is None
            else f"{model.asks.share_of_cost_basis:.1f}",
        },
        "quality": [
            {
                "metric": q.metric,
                "label": q.label,
                "unit": q.unit,
                "value": f"{q.value:.4f}",
                "target": q.target,
                "coalition": cell_data(q.coalition) if q.coalition else None,
            }
            for q in model.quality
        ],
        "sources": sources(model),
    }
