"""An independent computation of benchmark cells from generated rows, in Python and numpy, to
check the SQL engine against. Shares nothing with benchmarks/engine.py but the metric codes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np

PROVIDER_DIMENSIONS = ("subspecialty", "region", "practice_size", "partner_status")
PRACTICE_DIMENSIONS = ("region", "practice_size")


def observations(data, practice_dims: dict[int, dict[str, str]], min_fte=Decimal("0.5")):
    """metric -> list of (practice_id, value as Decimal, {dimension: value})."""
    return {
        metric: [row[1:] for row in rows]
        for metric, rows in keyed_observations(data, practice_dims, min_fte).items()
    }


def keyed_observations(data, practice_dims: dict[int, dict[str, str]], min_fte=Decimal("0.5")):
    """metric -> list of (observation id, practice_id, value, {dimension: value}); the id is
    (practice, provider pseudonym) for provider-years, (practice, "") for practice-years."""
    out = defaultdict(list)
    for row in data.providers:
        if row.clinical_fte < min_fte:
            continue
        dims = {
            "subspecialty": row.subspecialty or "unspecified",
            "partner_status": row.partner_status or "unspecified",
            **practice_dims[row.practice_id],
        }
        key = (row.practice_id, row.pseudonym)
        out["wrvu_per_fte"].append((key, row.practice_id, row.work_rvus / row.clinical_fte, dims))
        out["comp_per_fte"].append(
            (key, row.practice_id, row.total_compensation / row.clinical_fte, dims)
        )
        if row.work_rvus > 0:
            out["comp_per_wrvu"].append(
                (key, row.practice_id, row.total_compensation / row.work_rvus, dims)
            )
    for row in data.financials:
        dims = dict(practice_dims[row.practice_id])
        expenses = row.provider_expense + row.operating_expense
        key = (row.practice_id, "")
        out["revenue_per_fte"].append(
            (key, row.practice_id, row.total_revenue / row.radiologist_fte, dims)
        )
        out["expense_per_fte"].append((key, row.practice_id, expenses / row.radiologist_fte, dims))
        out["support_needed_per_fte"].append(
            (key, row.practice_id, (expenses - row.total_revenue) / row.radiologist_fte, dims)
        )
    return out


def cells(data, practice_dims, min_fte=Decimal("0.5")) -> dict[tuple[str, str, str], dict]:
    """(metric, dimension, value) -> counts and unrounded statistics."""
    result = {}
    for metric, rows in observations(data, practice_dims, min_fte).items():
        groups = defaultdict(list)
        dims = (
            PRACTICE_DIMENSIONS
            if metric in {"revenue_per_fte", "expense_per_fte", "support_needed_per_fte"}
            else PROVIDER_DIMENSIONS
        )
        for practice_id, value, row_dims in rows:
            groups[("all", "all")].append((practice_id, value))
            for dimension in dims:
                groups[(dimension, row_dims[dimension])].append((practice_id, value))
        for (dimension, value), members in groups.items():
            values = np.array([float(v) for _, v in members])
            per_practice = defaultdict(int)
            for practice_id, _ in members:
                per_practice[practice_id] += 1
            p10, p25, p50, p75, p90 = np.percentile(values, [10, 25, 50, 75, 90])
            result[(metric, dimension, value)] = {
                "n_observations": len(members),
                "n_practices": len(per_practice),
                "max_practice_observations": max(per_practice.values()),
                "mean": sum(v for _, v in members) / len(members),
                "p10": p10,
                "p25": p25,
                "p50": p50,
                "p75": p75,
                "p90": p90,
                "values": values,
            }
    return result
