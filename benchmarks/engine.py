# ruff: noqa: S608 - SQL is assembled from the registry's fixed fragments; values are parameters.
"""The benchmark computation: one SQL pass per year over every registered metric and dimension.

Each observation's ratio is computed first (numeric division, per provider-year or
practice-year), then each cell is summarized: count, distinct practices, the largest single
practice's count, the exact numeric mean and percentile_cont (linear interpolation between
closest ranks, as numpy's default) at 10/25/50/75/90. The disclosure rules (rules.py) then
decide what may be published; withheld statistics are never stored.

Inputs are explicit (submission ids with the practice's region and size band as recorded on
the release), so a release can be recomputed from exactly what it was computed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection

from benchmarks.metrics import ALL, DIMENSIONS, METRICS, Metric
from benchmarks.rules import (
    STATISTICS,
    CellCounts,
    CellKey,
    Decision,
    EarlierVersion,
    ObservationChange,
    RuleSet,
    decide,
)

PERCENTILES = (("p10", 0.10), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75), ("p90", 0.90))
FOUR_PLACES = Decimal("0.0001")
DIMENSION_CODES = [code for code in DIMENSIONS if code != ALL]


@dataclass(frozen=True)
class InputRow:
    submission_id: int
    practice_id: int
    kind: str
    version: int
    sha256: str
    region: str
    size_band: str


@dataclass(frozen=True)
class PublishedVersion:
    """An earlier published version of the year, as the differencing rule needs it: its
    recorded inputs and settings (to rebuild its observations) and which cells members read."""

    version: int
    inputs: list[InputRow]
    rules: RuleSet
    cells: frozenset[CellKey]
    shown: frozenset[CellKey]


@dataclass
class ComputedCell:
    counts: CellCounts
    decision: Decision
    statistics: dict[str, Decimal | None]  # already blanked where the rules withhold them

    @property
    def key(self) -> tuple[str, str, str]:
        return self.counts.key


def _round(value) -> Decimal | None:
    if value is None:
        return None
    # repr() of a float is its shortest exact decimal form, so rounding is deterministic.
    return Decimal(repr(float(value))).quantize(FOUR_PLACES, rounding=ROUND_HALF_EVEN)


# --- SQL ----------------------------------------------------------------------------------------
def _observations_cte(metrics: list[Metric], prefix: str = "") -> str:
    """`inputs` and `obs` CTEs: one row per observation and metric with its ratio and its value
    in every dimension (NULL where the dimension does not apply to the metric). With a prefix,
    the CTEs and their parameters carry it (`old_inputs`, `%(old_year)s`...), so that two sets
    of inputs can be read in one statement."""
    branches = []
    for metric in metrics:
        source = metric.source
        dims = ", ".join(
            f"({source.dimension_sql[code]})::text AS d_{code}"
            if code in source.dimension_sql
            else f"NULL::text AS d_{code}"
            for code in DIMENSION_CODES
        )
        branches.append(
            f"SELECT '{metric.code}'::text AS metric, r.practice_id, ({source.key_sql})::text "
            f"AS obs_key, ({metric.numerator_sql})::numeric / "
            f"nullif(({metric.denominator_sql})::numeric, 0) AS v_num, {dims} "
            f"FROM {source.table} r JOIN {prefix}inputs i ON i.submission_id = r.submission_id "
            f"AND i.practice_id = r.practice_id "
            f"WHERE r.year = %(year)s AND ({source.eligibility_sql}) AND ({metric.condition_sql})"
        )
    union = "\nUNION ALL\n".join(branches)
    sql = (
        f"{prefix}inputs AS (SELECT * FROM unnest(%(submission_ids)s::bigint[], "
        "%(practice_ids)s::bigint[], %(regions)s::text[], %(size_bands)s::text[]) "
        "AS i(submission_id, practice_id, region, size_band)),\n"
        f"{prefix}obs AS (SELECT * FROM ({union}) AS all_obs WHERE v_num IS NOT NULL)"
    )
    return sql.replace("%(", f"%({prefix}") if prefix else sql


def _params(*, year: int, inputs: list[InputRow], rules: RuleSet) -> dict:
    return {
        "year": year,
        "submission_ids": [row.submission_id for row in inputs],
        "practice_ids": [row.practice_id for row in inputs],
        "regions": [row.region for row in inputs],
        "size_bands": [row.size_band for row in inputs],
        "min_clinical_fte": rules.min_clinical_fte,
        **rules.targets(),  # quality metrics' targets, e.g. %(tat_target_ed_minutes)s
    }


def _cell_statistics_sql(metrics: list[Metric]) -> str:
    keys = ", ".join(["('all', 'all')", *(f"('{code}', o.d_{code})" for code in DIMENSION_CODES)])
    fractions = ", ".join(str(fraction) for _, fraction in PERCENTILES)
    return f"""
WITH {_observations_cte(metrics)},
expanded AS (
    SELECT o.metric, k.dimension, k.value, o.practice_id, o.v_num
    FROM obs o CROSS JOIN LATERAL (VALUES {keys}) AS k(dimension, value)
    WHERE k.value IS NOT NULL
),
per_practice AS (
    SELECT metric, dimension, value, practice_id, count(*) AS n
    FROM expanded GROUP BY metric, dimension, value, practice_id
),
practice_counts AS (
    SELECT metric, dimension, value, count(*) AS n_practices, max(n) AS max_n,
           array_agg(practice_id ORDER BY practice_id) AS practice_ids,
           array_agg(n::int ORDER BY practice_id) AS practice_ns
    FROM per_practice GROUP BY metric, dimension, value
)
SELECT e.metric, e.dimension, e.value, count(*)::int, pc.n_practices::int, pc.max_n::int,
       round(avg(e.v_num), 4),
       percentile_cont(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY e.v_num::float8),
       pc.practice_ids, pc.practice_ns
FROM expanded e JOIN practice_counts pc USING (metric, dimension, value)
GROUP BY e.metric, e.dimension, e.value, pc.n_practices, pc.max_n, pc.practice_ids,
         pc.practice_ns
ORDER BY e.metric, e.dimension, e.value
"""


def _changes_sql(metrics: list[Metric]) -> str:
    """The observations that are not the same in the new inputs (`obs`) and an earlier
    version's (`old_obs`): present in one only, or with another value or dimension value."""
    dims = [f"d_{code}" for code in DIMENSION_CODES]
    differs = " OR ".join(
        ["n.metric IS NULL", "o.metric IS NULL", "n.v_num <> o.v_num"]
        + [f"n.{d} IS DISTINCT FROM o.{d}" for d in dims]
    )
    return f"""
WITH {_observations_cte(metrics)},
{_observations_cte(metrics, prefix="old_")}
SELECT coalesce(n.metric, o.metric), coalesce(n.practice_id, o.practice_id),
       o.metric IS NOT NULL, {", ".join(f"o.{d}" for d in dims)},
       n.metric IS NOT NULL, {", ".join(f"n.{d}" for d in dims)},
       (n.v_num IS DISTINCT FROM o.v_num) AND n.metric IS NOT NULL AND o.metric IS NOT NULL
FROM obs n FULL OUTER JOIN old_obs o
  ON o.metric = n.metric AND o.practice_id = n.practice_id AND o.obs_key = n.obs_key
WHERE {differs}
"""


def _observation_rows_sql(metrics: list[Metric]) -> str:
    """`computed` CTE: each observation with its value, dimension values and, where the cell
    of that dimension publishes its full band, its percentile rank in that cell."""
    ranks = ",\n".join(
        [
            "percent_rank() OVER (PARTITION BY o.metric ORDER BY o.v_num) AS rank_all",
            *(
                f"percent_rank() OVER (PARTITION BY o.metric, o.d_{code} ORDER BY o.v_num) "
                f"AS rank_{code}"
                for code in DIMENSION_CODES
            ),
        ]
    )
    dimension_values = ", ".join(f"'{code}', x.d_{code}" for code in DIMENSION_CODES)
    # A rank is kept only where the cell it ranks in publishes its full p10-p90 band.
    joins = "\n".join(
        f"LEFT JOIN banded b_{code} ON b_{code}.metric = x.metric AND b_{code}.dimension = "
        f"'{code}' AND b_{code}.value = {value_sql}"
        for code, value_sql in [(ALL, "'all'"), *((c, f"x.d_{c}") for c in DIMENSION_CODES)]
    )
    rank_values = ", ".join(
        f"'{code}', CASE WHEN b_{code}.metric IS NOT NULL "
        f"THEN round((100 * x.rank_{code})::numeric, 1) END"
        for code in [ALL, *DIMENSION_CODES]
    )
    return f"""
WITH {_observations_cte(metrics)},
ranked AS (SELECT o.*, {ranks} FROM obs o),
banded AS (
    SELECT metric, dimension, value FROM benchmarks_benchmarkcell
    WHERE release_id = %(release_id)s AND p10 IS NOT NULL AND p90 IS NOT NULL
),
computed AS (
    SELECT x.practice_id, x.metric, x.obs_key AS provider_pseudonym,
           round(x.v_num, 4) AS value,
           jsonb_strip_nulls(jsonb_build_object({dimension_values})) AS dimension_values,
           jsonb_strip_nulls(jsonb_build_object({rank_values})) AS percentile_ranks
    FROM ranked x
    {joins}
)
"""


# --- entry points -------------------------------------------------------------------------------
def observation_changes(
    *,
    year: int,
    inputs: list[InputRow],
    rules: RuleSet,
    earlier: PublishedVersion,
    metrics: list[Metric] | None = None,
) -> list[ObservationChange]:
    """Every observation that differs between `inputs` and an earlier version's inputs, each
    read with its own settings (minimum clinical FTE) and recorded region and size band."""
    metrics = list(metrics or METRICS.values())
    params = _params(year=year, inputs=inputs, rules=rules)
    params.update(
        {
            f"old_{k}": v
            for k, v in _params(year=year, inputs=earlier.inputs, rules=earlier.rules).items()
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(_changes_sql(metrics), params)
        rows = cursor.fetchall()
    width = len(DIMENSION_CODES)

    def dimension_values(present, values) -> dict[str, str] | None:
        if not present:
            return None
        found = {ALL: ALL}
        found.update(
            {code: v for code, v in zip(DIMENSION_CODES, values, strict=True) if v is not None}
        )
        return found

    return [
        ObservationChange(
            metric=row[0],
            practice=row[1],
            before=dimension_values(row[2], row[3 : 3 + width]),
            after=dimension_values(row[3 + width], row[4 + width : 4 + 2 * width]),
            value_changed=row[-1],
        )
        for row in rows
    ]


def compute_cells(
    *,
    year: int,
    inputs: list[InputRow],
    rules: RuleSet,
    metrics: list[Metric] | None = None,
    earlier: list[PublishedVersion] = (),
) -> list[ComputedCell]:
    """Every cell of the year with the rules applied. Reads only the inputs' records (and, for
    the differencing rule, those of the earlier published versions of the year)."""
    metrics = list(metrics or METRICS.values())
    if not inputs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _cell_statistics_sql(metrics), _params(year=year, inputs=inputs, rules=rules)
        )
        rows = cursor.fetchall()
    source_of = {m.code: m.source.code for m in metrics}
    raw: dict[tuple[str, str, str], dict[str, Decimal | None]] = {}
    counts = []
    for row in rows:
        metric, dimension, value, n_obs, n_practices, max_n, mean, percentiles = row[:8]
        cell = CellCounts(
            metric=metric,
            source=source_of[metric],
            dimension=dimension,
            value=value,
            n_observations=n_obs,
            n_practices=n_practices,
            max_practice_observations=max_n,
            practice_counts=tuple(zip(row[8], row[9], strict=True)),
        )
        counts.append(cell)
        stats: dict[str, Decimal | None] = {"mean": Decimal(mean)}
        for (name, _), percentile in zip(PERCENTILES, percentiles, strict=True):
            stats[name] = _round(percentile)
        raw[cell.key] = stats
    versions = [
        EarlierVersion(
            version=version.version,
            cells=version.cells,
            shown=version.shown,
            changes=tuple(
                observation_changes(
                    year=year, inputs=inputs, rules=rules, earlier=version, metrics=metrics
                )
            ),
        )
        for version in earlier
    ]
    decisions = decide(counts, rules, versions)
    cells = []
    for cell in counts:
        decision = decisions[cell.key]
        statistics = {
            name: (raw[cell.key][name] if name in decision.published else None)
            for name in STATISTICS
        }
        cells.append(ComputedCell(counts=cell, decision=decision, statistics=statistics))
    return cells


def insert_observations(
    *, release_id: int, year: int, inputs: list[InputRow], rules: RuleSet
) -> int:
    """Store every practice's own observations of the release, ranked against the cells
    already stored for it. Returns the number of rows."""
    if not inputs:
        return 0
    sql = (
        _observation_rows_sql(list(METRICS.values()))
        + "INSERT INTO benchmarks_practiceobservation "
        "(release_id, practice_id, metric, provider_pseudonym, value, dimension_values, "
        "percentile_ranks) SELECT %(release_id)s, practice_id, metric, provider_pseudonym, "
        "value, dimension_values, percentile_ranks FROM computed"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {**_params(year=year, inputs=inputs, rules=rules), "release_id": release_id}
        )
        return cursor.rowcount


def observation_differences(
    *, release_id: int, year: int, inputs: list[InputRow], rules: RuleSet
) -> int:
    """How many observation rows differ between what is stored for the release and what its
    inputs give now (0 when they recompute identically)."""
    stored = (
        "SELECT practice_id, metric, provider_pseudonym, value, dimension_values, "
        "percentile_ranks FROM benchmarks_practiceobservation WHERE release_id = %(release_id)s"
    )
    computed = (
        "SELECT practice_id, metric, provider_pseudonym, value, dimension_values, "
        "percentile_ranks FROM computed"
    )
    if inputs:
        sql = (
            _observation_rows_sql(list(METRICS.values()))
            + f"SELECT count(*) FROM (({computed} EXCEPT ALL {stored}) "
            f"UNION ALL ({stored} EXCEPT ALL {computed})) AS differences"
        )
        params = {**_params(year=year, inputs=inputs, rules=rules), "release_id": release_id}
    else:
        sql = f"SELECT count(*) FROM ({stored}) AS differences"
        params = {"release_id": release_id}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def source_kinds() -> list[str]:
    """Submission kinds that feed at least one registered metric."""
    return sorted({m.source.submission_kind for m in METRICS.values()})
