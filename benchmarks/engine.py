# ruff: noqa: S608 - SQL is assembled from the registry's fixed fragments; values are parameters.
"""The benchmark computation: one SQL read per year and observation source, summarized in
process.

PostgreSQL reads each source's records once (a parallel query) and computes every metric's
ratio on each (numeric division, per provider-year or practice-year): its exact value and the
value rounded to the stored 4 places, with the record's key and dimension values, sent as one
CSV text. The cells are then summarized here with numpy, reproducing PostgreSQL's own
arithmetic so that the numbers are those of the SQL formulation (kept below: the recompute
check and the differencing rule use it): count, distinct practices, the largest single
practice's count, the exact numeric mean (`round(avg(v), 4)`), percentile_cont at
10/25/50/75/90 (linear interpolation between closest ranks, as numpy's default) and every
observation's percent_rank. The disclosure rules (rules.py) then decide what may be
published; withheld statistics are never stored, and the observations are written back as
observation sets (one row per practice and source, models.ObservationSet) with one binary COPY.

Inputs are explicit (submission ids with the practice's region and size band as recorded on
the release), so a release can be recomputed from exactly what it was computed from.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

from django.db import connection, transaction

from benchmarks.metrics import ALL, DIMENSIONS, METRICS, SOURCES, Metric
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

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

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
def _observations_cte(
    metrics: list[Metric], prefix: str = "", *, materialized: bool = False
) -> str:
    """`inputs` and `obs` CTEs: one row per observation and metric with its ratio and its value
    in every dimension (NULL where the dimension does not apply to the metric). With a prefix,
    the CTEs and their parameters carry it (`old_inputs`, `%(old_year)s`...), so that two sets
    of inputs can be read in one statement. Materialized, each ratio is computed once however
    often the statement reads it."""
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
            # Also as a condition on the records themselves: read through their index.
            f"AND r.submission_id = ANY(%(submission_ids)s::bigint[]) "
            f"WHERE r.year = %(year)s AND ({source.eligibility_sql}) AND ({metric.condition_sql})"
            # The ratio is NULL exactly when this holds; testing the ratio itself would
            # compute every division twice.
            f" AND ({metric.numerator_sql}) IS NOT NULL "
            f"AND nullif(({metric.denominator_sql})::numeric, 0) IS NOT NULL"
        )
    union = "\nUNION ALL\n".join(branches)
    sql = (
        f"{prefix}inputs AS (SELECT * FROM unnest(%(submission_ids)s::bigint[], "
        "%(practice_ids)s::bigint[], %(regions)s::text[], %(size_bands)s::text[]) "
        "AS i(submission_id, practice_id, region, size_band)),\n"
        f"{prefix}obs AS {'MATERIALIZED ' if materialized else ''}({union})"
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
    read with its own settings (minimum clinical FTE, targets) and recorded region and size
    band. An observation depends on its record, its input row and those settings alone (see
    metrics.ObservationSource), so under the same settings only the practices and kinds whose
    input row differs are read, for the metrics of those kinds: a correction of one practice's
    file reads that file twice."""
    old_inputs = earlier.inputs
    metrics = list(metrics or METRICS.values())
    if _settings_params(rules) == _settings_params(earlier.rules):
        inputs, old_inputs = _differing_inputs(inputs, old_inputs)
        kinds = {row.kind for row in [*inputs, *old_inputs]}
        metrics = [m for m in metrics if m.source.submission_kind in kinds]
        if not metrics:
            return []
    return _read_changes(
        year=year,
        inputs=inputs,
        rules=rules,
        old_inputs=old_inputs,
        old_rules=earlier.rules,
        metrics=metrics,
    )


def _settings_params(rules: RuleSet) -> dict:
    """The query parameters that come from the rule settings rather than the inputs."""
    inputs = {"submission_ids", "practice_ids", "regions", "size_bands"}
    return {k: v for k, v in _params(year=0, inputs=[], rules=rules).items() if k not in inputs}


def _differing_inputs(
    inputs: list[InputRow], old_inputs: list[InputRow]
) -> tuple[list[InputRow], list[InputRow]]:
    """Both lists without the practices' kinds whose input row is the same in each."""
    old_rows = {(row.practice_id, row.kind): row for row in old_inputs}
    same = {
        (row.practice_id, row.kind)
        for row in inputs
        if old_rows.get((row.practice_id, row.kind)) == row
    }
    return (
        [row for row in inputs if (row.practice_id, row.kind) not in same],
        [row for row in old_inputs if (row.practice_id, row.kind) not in same],
    )


def _read_changes(
    *,
    year: int,
    inputs: list[InputRow],
    rules: RuleSet,
    old_inputs: list[InputRow],
    old_rules: RuleSet,
    metrics: list[Metric] | None = None,
) -> list[ObservationChange]:
    """observation_changes over the whole of both lists, in one statement."""
    metrics = list(metrics or METRICS.values())
    params = _params(year=year, inputs=inputs, rules=rules)
    params.update(
        {f"old_{k}": v for k, v in _params(year=year, inputs=old_inputs, rules=old_rules).items()}
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


def _earlier_versions(
    *, year: int, inputs: list[InputRow], rules: RuleSet, metrics, earlier
) -> list[EarlierVersion]:
    return [
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


def _decided(
    counts: list[CellCounts],
    raw: dict[CellKey, dict[str, Decimal | None]],
    rules: RuleSet,
    versions: list[EarlierVersion],
) -> list[ComputedCell]:
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


def compute_cells_sql(
    *,
    year: int,
    inputs: list[InputRow],
    rules: RuleSet,
    metrics: list[Metric] | None = None,
    earlier: list[PublishedVersion] = (),
) -> list[ComputedCell]:
    """compute_cells in the SQL formulation alone (aggregates and percentile_cont in
    PostgreSQL): the reference the in-process summary is tested against."""
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
    versions = _earlier_versions(
        year=year, inputs=inputs, rules=rules, metrics=metrics, earlier=earlier
    )
    return _decided(counts, raw, rules, versions)


# --- in process ---------------------------------------------------------------------------------
# What numeric division and avg() select as the result scale (PostgreSQL's select_div_scale):
# at least 16 significant digits, and no fewer decimals than either input shows.
NUMERIC_MIN_SIG_DIGITS = 16
NUMERIC_MAX_DISPLAY_SCALE = 1000
# Half a tenth away from a tie is far more than float8's error on a percentage: ranks that
# close to a tie are rounded from their exact decimal form instead.
TIE_MARGIN = 1e-6


def _weight_and_first_digit(value: Decimal) -> tuple[int, int]:
    """The weight (power of 10000) and first base-10000 digit of a numeric, as PostgreSQL
    stores it; (0, 0) for zero."""
    if not value:
        return 0, 0
    value = abs(value)
    weight = value.adjusted() // 4
    return weight, int(value.scaleb(-4 * weight))


def _division_scale(dividend: Decimal, dividend_scale: int, divisor: Decimal) -> int:
    """The result scale PostgreSQL picks for dividend / divisor (a divisor of scale 0)."""
    weight1, first1 = _weight_and_first_digit(dividend)
    weight2, first2 = _weight_and_first_digit(divisor)
    quotient_weight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    scale = max(NUMERIC_MIN_SIG_DIGITS - quotient_weight * 4, dividend_scale, 0)
    return min(scale, NUMERIC_MAX_DISPLAY_SCALE)


def numeric_mean(total: Decimal, scale: int, count: int) -> Decimal:
    """`round(avg(v), 4)` of PostgreSQL, from the exact sum of the values and the largest
    scale among them: sum / count at the scale numeric division selects, rounded half away
    from zero, then rounded half away from zero to 4 places."""
    with localcontext(prec=NUMERIC_MAX_DISPLAY_SCALE * 2, traps=[]):
        result_scale = _division_scale(total, scale, Decimal(count))
        scaled = int(total.scaleb(result_scale))  # exact: result_scale >= scale
        quotient = (2 * abs(scaled) + count) // (2 * count)
        mean = Decimal(quotient if scaled >= 0 else -quotient).scaleb(-result_scale)
        return mean.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def _tenths(percent: float) -> int:
    """`round(percent::numeric, 1)` in tenths: float8 to numeric keeps 15 significant digits
    (PostgreSQL's float8_numeric), then the rounding is half away from zero."""
    return int(Decimal(f"{percent:.15g}").quantize(Decimal("0.1"), ROUND_HALF_UP) * 10)


@dataclass
class Observations:
    """Every observation of a year: one per metric and record (a provider-year, a
    practice-year...) that gives it a value. `records` holds each source's records (its rows:
    practice_id, obs_key and the source's d_<dimension> columns), in no particular order;
    per observation: its metric (index in METRICS), source and record (row in that source's
    records), `exact` (the exact numeric, as text) and `v` (float8)."""

    records: dict[str, pl.DataFrame]
    metric: np.ndarray
    source: np.ndarray
    record: np.ndarray
    exact: pl.Series
    v: np.ndarray

    def __len__(self) -> int:
        return len(self.metric)


def _csv_field(sql: str) -> str:
    """A CSV field of a text expression: quoted (quotes doubled), empty when NULL."""
    return f"coalesce('\"' || replace({sql}, '\"', '\"\"') || '\"', '')"


def _input_field(source, dimension: str) -> str | None:
    """The InputRow field a dimension of the source is, when its SQL is just that column of
    the release's input row (`i.region`): the same for every record of a submission, so it is
    not read with each record but taken from the inputs."""
    sql = source.dimension_sql[dimension].strip()
    name = sql.removeprefix("i.")
    if sql.startswith("i.") and name in InputRow.__dataclass_fields__:
        return name
    return None


def _source_rows_sql(source, metrics: list[Metric]) -> str:
    """One row per eligible record of a source: practice, key, the source's dimension values
    and, for each of its metrics where the record is an observation of it, the exact ratio
    (numeric division, computed once); as one CSV text. Dimensions that are a column of the
    input row are left out (read_observations takes them from the inputs)."""
    fields = ["r.practice_id::text", _csv_field(f"({source.key_sql})::text")]
    fields += [
        _csv_field(f"({source.dimension_sql[code]})::text")
        for code in source.dimension_sql
        if _input_field(source, code) is None
    ]
    ratios = []
    for n, metric in enumerate(metrics):
        ratios.append(
            f"CASE WHEN ({metric.condition_sql}) THEN ({metric.numerator_sql})::numeric"
            f" / nullif(({metric.denominator_sql})::numeric, 0) END AS v{n}"
        )
        # An empty field where the record is not an observation of the metric.
        fields.append(f"coalesce(x.v{n}::text, '')")
    # The fields of each row are built in the subquery (OFFSET 0 keeps it one), which a
    # parallel plan runs in its workers; only the final string_agg runs in the leader.
    return (
        f"SELECT string_agg(line, E'\\n') FROM (SELECT concat_ws(',', {', '.join(fields)}) AS line "
        f"FROM {source.table} r JOIN unnest(%(submission_ids)s::bigint[], "
        "%(practice_ids)s::bigint[], %(regions)s::text[], %(size_bands)s::text[]) "
        "AS i(submission_id, practice_id, region, size_band) "
        "ON i.submission_id = r.submission_id AND i.practice_id = r.practice_id "
        f"CROSS JOIN LATERAL (SELECT {', '.join(ratios)}) AS x "
        # Also as a condition on the records themselves: read through their index.
        "WHERE r.submission_id = ANY(%(submission_ids)s::bigint[]) AND r.year = %(year)s "
        f"AND ({source.eligibility_sql}) OFFSET 0) AS rows"
    )


# A year's records are a few thousand rows, below the sizes at which the planner considers a
# parallel plan; the per-row work (divisions, text) is worth both cores all the same. Starting
# a worker still costs about a millisecond, which a source of one row per practice does not
# repay: its plan stays serial. (Settings of the transaction, restored after the read.)
PARALLEL_READ = {
    "parallel_setup_cost": "100",
    "parallel_tuple_cost": "0",
    "min_parallel_index_scan_size": "0",
    "min_parallel_table_scan_size": "0",
}


def _set_locally(settings: dict[str, str], cursor) -> dict[str, str]:
    """Set the settings for the current transaction, in one statement; returns their values
    before."""
    names = list(settings)
    cursor.execute(
        "SELECT "
        + ", ".join("current_setting(%s)" for _ in names)
        + ", "
        + ", ".join("set_config(%s, %s, true)" for _ in names),
        [*names, *(part for name in names for part in (name, settings[name]))],
    )
    return dict(zip(names, cursor.fetchone()[: len(names)], strict=True))


def read_observations(
    *, year: int, inputs: list[InputRow], rules: RuleSet, metrics: list[Metric] | None = None
) -> Observations:
    """The year's observations of every metric, with their ratios computed by PostgreSQL
    (numeric division, exact). Each source's records are read once, every metric of the source
    two fields of the same row, as one CSV text (one value rather than a message per row,
    which costs the client far more than the server); each metric's non-empty fields are its
    observations."""
    import numpy as np
    import polars as pl

    metrics = list(metrics or METRICS.values())
    registry = list(METRICS)
    params = _params(year=year, inputs=inputs, rules=rules)
    by_source: dict[str, list[Metric]] = {}
    for metric in metrics:
        by_source.setdefault(metric.source.code, []).append(metric)
    sources = list(SOURCES)
    records: dict[str, pl.DataFrame] = {}
    metric_parts, source_parts, record_parts, exact_parts = [], [], [], []
    kinds = {row.kind for row in inputs}
    with transaction.atomic(), connection.cursor() as cursor:
        before = _set_locally(PARALLEL_READ, cursor)
        for source_metrics in by_source.values():
            source = source_metrics[0].source
            if source.submission_kind not in kinds:
                continue
            cursor.execute(_source_rows_sql(source, source_metrics), params)
            text = cursor.fetchone()[0]
            if not text:
                continue
            read = [f"d_{c}" for c in source.dimension_sql if _input_field(source, c) is None]
            ratios = [f"v_{m.code}" for m in source_metrics]
            rows = pl.read_csv(
                text.encode(),
                has_header=False,
                new_columns=["practice_id", "obs_key", *read, *ratios],
                infer_schema=False,
                schema_overrides={"practice_id": pl.Int64},
            )
            # One input row per practice and kind.
            by_practice = {
                row.practice_id: row for row in inputs if row.kind == source.submission_kind
            }
            from_inputs = {
                f"d_{code}": pl.col("practice_id").replace_strict(
                    list(by_practice),
                    [getattr(row, field) for row in by_practice.values()],
                    return_dtype=pl.String,
                )
                for code in source.dimension_sql
                if (field := _input_field(source, code)) is not None
            }
            records[source.code] = rows.select(
                "practice_id",
                "obs_key",
                *(
                    from_inputs.get(f"d_{code}", pl.col(f"d_{code}")).alias(f"d_{code}")
                    for code in source.dimension_sql
                ),
            )
            for metric, exact in zip(source_metrics, ratios, strict=True):
                present = rows[exact].is_not_null()
                at = present.arg_true().to_numpy().astype(np.int64)
                metric_parts.append(np.full(len(at), registry.index(metric.code)))
                source_parts.append(np.full(len(at), sources.index(source.code)))
                record_parts.append(at)
                exact_parts.append(rows[exact].filter(present))
        _set_locally(before, cursor)

    def joined(parts: list, dtype) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    exact = pl.concat(exact_parts) if exact_parts else pl.Series("exact", [], pl.String)
    return Observations(
        records=records,
        metric=joined(metric_parts, np.int64),
        source=joined(source_parts, np.int64),
        record=joined(record_parts, np.int64),
        exact=exact,
        # numeric -> float8 is correctly rounded in PostgreSQL (through its text form), as here.
        v=exact.cast(pl.Float64).to_numpy(),
    )


def _collation_order(keys: list[CellKey]) -> list[CellKey]:
    """The keys in the database's text order (ORDER BY metric, dimension, value of the SQL
    formulation): the rules visit cells in this order."""
    if not keys:
        return []
    # Each column's distinct texts in the database's order (a collation orders each text the
    # same wherever it stands), then the keys by those positions.
    distinct = [sorted({key[column] for key in keys}) for column in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c, t FROM unnest(%s::int[], %s::text[]) AS k(c, t) ORDER BY c, t",
            [
                [column for column, texts in enumerate(distinct) for _ in texts],
                [text for texts in distinct for text in texts],
            ],
        )
        ranked = [{} for _ in distinct]
        for column, text in cursor.fetchall():
            ranked[column][text] = len(ranked[column])
    first, second, third = ranked
    return sorted(keys, key=lambda k: (first[k[0]], second[k[1]], third[k[2]]))


@dataclass
class Summary:
    counts: list[CellCounts]
    raw: dict[CellKey, dict[str, Decimal | None]]
    cell_keys: list[CellKey]  # by cell index
    # The observations spread over their cells (`all` and each dimension that applies),
    # sorted by cell and value: the observation (its index), its dimension's index in
    # RANK_CODES, its cell's index and the tenths of its percent rank in that cell.
    rows: np.ndarray
    dimension_index: np.ndarray
    cell_index: np.ndarray
    tenths: np.ndarray
    # Each observation's value in the stored 4 places, in ten-thousandths.
    ten_thousandths: np.ndarray
    # Each dimension's values (sorted), and each source's records' index into them (-1: none).
    dimension_values: dict[str, list[str]]
    record_codes: dict[str, dict[str, np.ndarray]]


RANK_CODES = (ALL, *DIMENSION_CODES)


def summarize(observations: Observations, metrics: list[Metric]) -> Summary:
    """Every cell's counts and statistics, as the SQL formulation computes them."""
    import numpy as np
    import polars as pl

    source_of = {m.code: m.source.code for m in metrics}
    values = observations.v
    size = len(observations)
    metric_codes, metric_names = observations.metric, list(METRICS)
    # Each observation's practice and value in every dimension, from its record (a dimension
    # that does not apply to its source: -1).
    practices = np.zeros(size, dtype=np.int64)
    coded = [(np.zeros(size, dtype=np.int64), [ALL])]
    # Each dimension's distinct values over the sources (one pass over each source's columns).
    distinct: dict[str, set[str]] = {code: set() for code in DIMENSION_CODES}
    for records in observations.records.values():
        present = [c for c in DIMENSION_CODES if f"d_{c}" in records]
        found = records.select(pl.col(f"d_{c}").unique().implode() for c in present).row(0)
        for code, texts in zip(present, found, strict=True):
            distinct[code].update(text for text in texts if text is not None)
    for code in DIMENSION_CODES:
        coded.append((np.full(size, -1, dtype=np.int64), sorted(distinct[code])))
    names_of = dict(zip(DIMENSION_CODES, (names for _, names in coded[1:]), strict=True))
    # Each record's index in its dimensions' values (-1: none), by source and dimension.
    record_codes: dict[str, dict[str, np.ndarray]] = {}
    for index, code in enumerate(SOURCES):
        records = observations.records.get(code)
        if records is None:
            continue
        mine = np.flatnonzero(observations.source == index)
        at = observations.record[mine]
        practices[mine] = records["practice_id"].to_numpy()[at]
        present = [c for c in DIMENSION_CODES if f"d_{c}" in records]
        indexes = records.select(
            pl.col(f"d_{c}").cast(pl.Enum(names_of[c])).to_physical().cast(pl.Int64).fill_null(-1)
            for c in present
        )
        record_codes[code] = {}
        for dimension, column in zip(present, indexes.iter_columns(), strict=True):
            record_codes[code][dimension] = column.to_numpy()
            coded[1 + DIMENSION_CODES.index(dimension)][0][mine] = record_codes[code][dimension][at]
    dimension_values: list[list[str]] = [[ALL]]
    width = max(len(names) for _, names in coded) + 1
    # Sorted by (cell, value): the observations in value order (stable), spread over their
    # cells, then ordered by cell with a stable sort, which keeps the value order inside each
    # cell (a radix sort where the cell keys fit in 16 bits).
    by_value = np.argsort(values, kind="stable")
    key_parts, row_parts, dimension_parts = [], [], []
    for index, (value_codes, names) in enumerate(coded):
        if index:
            dimension_values.append(names)
        present = value_codes[by_value] >= 0
        rows_present = by_value[present]
        key_parts.append(
            (metric_codes[rows_present] * len(RANK_CODES) + index) * width
            + value_codes[rows_present]
        )
        row_parts.append(rows_present)
        dimension_parts.append(np.full(len(rows_present), index, dtype=np.int64))
    keys = np.concatenate(key_parts)
    rows = np.concatenate(row_parts)
    dimension_index = np.concatenate(dimension_parts)
    small = len(keys) and int(keys.max()) < np.iinfo(np.int16).max
    order = np.argsort(keys.astype(np.int16) if small else keys, kind="stable")
    keys, rows, dimension_index = keys[order], rows[order], dimension_index[order]
    sorted_values = values[rows]
    boundary = np.ones(len(keys), dtype=bool)
    boundary[1:] = keys[1:] != keys[:-1]
    start = np.flatnonzero(boundary)
    n = np.diff(np.append(start, len(keys)))
    cell_index = np.cumsum(boundary) - 1

    # percentile_cont: first + (second - first) * (p * (n - 1) - floor(p * (n - 1))), float8.
    percentiles = {}
    for name, fraction in PERCENTILES:
        target = fraction * (n - 1)
        first = np.floor(target).astype(np.int64)
        second = np.ceil(target).astype(np.int64)
        low, high = sorted_values[start + first], sorted_values[start + second]
        percentiles[name] = low + (high - low) * (target - first)

    # percent_rank: the values below / (n - 1). Equal floats are ties unless their exact
    # numerics differ (then that cell is ranked by the exact values).
    position = np.arange(len(keys))
    same = np.zeros(len(keys), dtype=bool)
    same[1:] = ~boundary[1:] & (sorted_values[1:] == sorted_values[:-1])
    # Each observation's run of equal floats in its cell starts at tie_start.
    tie_start = np.maximum.accumulate(np.where(same, 0, position))
    below = tie_start - start[cell_index]
    exact = observations.exact
    if same.any():
        # A run whose exact values differ is ranked by them; the run's place in its cell
        # stands, as a float never orders two numerics against their exact order.
        tied = np.flatnonzero(same)
        texts_differ = (exact.gather(rows[tied]) != exact.gather(rows[tied - 1])).to_numpy()
        broken = sorted(
            {
                int(tie_start[i])
                for i in tied[texts_differ].tolist()
                if Decimal(exact[int(rows[i])]) != Decimal(exact[int(rows[i - 1])])
            }
        )
        run_ends = np.flatnonzero(~same)
        for run in broken:
            after = np.searchsorted(run_ends, run, side="right")
            span = range(run, int(run_ends[after]) if after < len(run_ends) else len(keys))
            numerics = [Decimal(exact[int(rows[i])]) for i in span]
            ordered = sorted(numerics)
            placed = run - int(start[cell_index[run]])
            for i, numeric in zip(span, numerics, strict=True):
                below[i] = placed + bisect_left(ordered, numeric)
    denominator = (n - 1)[cell_index]
    percent = 100 * np.where(denominator > 0, below / np.maximum(denominator, 1), 0.0)
    scaled = percent * 10
    tenths = np.floor(scaled + 0.5).astype(np.int64)
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < TIE_MARGIN * 10):
        tenths[i] = _tenths(float(percent[i]))

    # Exact sums for the means: each value an integer of one scale (polars' 128-bit decimal)
    # where 38 digits hold them, split into two int64 parts whose sums cannot overflow.
    scale_of = (
        (exact.str.len_bytes() - exact.str.find(".", literal=True) - 1).fill_null(0).to_numpy()
    )
    frame_scale = int(scale_of.max()) if size else 0
    magnitude = float(np.abs(values).max()) if size else 0.0
    integer_digits = int(math.log10(magnitude)) + 1 if magnitude >= 1 else 1
    count_digits = int(math.log10(max(size, 1))) + 1
    split_digits = 18 - count_digits  # the low part: below 10**split_digits, summed
    high_digits = integer_digits + frame_scale - split_digits + count_digits
    cell_scales = np.maximum.reduceat(scale_of[rows], start).tolist() if len(start) else []
    if integer_digits + frame_scale <= 38 and high_digits <= 18:
        scaled = exact.cast(pl.Decimal(38, frame_scale)).to_physical()
        base = pl.lit(10**split_digits, dtype=pl.Int128)
        parts = pl.select(
            high=(scaled // base).cast(pl.Int64),
            low=(scaled % base).cast(pl.Int64),
            # The value in the stored 4 places (round(v, 4), half away from zero), in
            # ten-thousandths, as observation sets store it.
            ten_thousandths=(
                scaled * pl.lit(10 ** (4 - frame_scale), dtype=pl.Int128)
                if frame_scale <= 4
                else (scaled.abs() + pl.lit(5 * 10 ** (frame_scale - 5), dtype=pl.Int128))
                // pl.lit(10 ** (frame_scale - 4), dtype=pl.Int128)
                * scaled.sign()
            ).cast(pl.Int64, strict=False),
        )
        high = np.add.reduceat(parts["high"].to_numpy()[rows], start).tolist()
        low = np.add.reduceat(parts["low"].to_numpy()[rows], start).tolist()
        totals = [
            Decimal(h * 10**split_digits + lo).scaleb(-frame_scale)
            for h, lo in zip(high, low, strict=True)
        ]
        ten_thousandths = parts["ten_thousandths"]
    else:
        with localcontext(prec=NUMERIC_MAX_DISPLAY_SCALE * 2):
            totals = [
                sum(Decimal(exact[int(rows[i])]) for i in range(begin, begin + size))
                for begin, size in zip(start.tolist(), n.tolist(), strict=True)
            ]
            stored = [
                int(Decimal(text).quantize(FOUR_PLACES, ROUND_HALF_UP).scaleb(4)) for text in exact
            ]
        ten_thousandths = pl.Series(
            [value if -(2**63) <= value < 2**63 else None for value in stored], dtype=pl.Int64
        )
    # More than a 64-bit integer holds: refused, never stored wrong.
    if ten_thousandths.null_count():
        raise ValueError(
            "An observation's value is too large to store: "
            f"{exact[ten_thousandths.is_null().arg_true()[0]]}"
        )

    # Observations per practice in each cell, by practice id.
    practice_list = np.unique(
        np.concatenate(
            [r["practice_id"].to_numpy() for r in observations.records.values()]
            or [np.zeros(0, dtype=np.int64)]
        )
    )
    practice_rank = np.searchsorted(practice_list, practices)
    # A count per cell and practice (a dense grid: cells x practices is small).
    grid = np.bincount(
        cell_index * len(practice_list) + practice_rank[rows],
        minlength=len(start) * len(practice_list),
    )
    pairs = np.flatnonzero(grid)
    pair_counts = grid[pairs]
    pair_cell, pair_practice = np.divmod(pairs, max(len(practice_list), 1))
    pair_practice = practice_list[pair_practice]
    split = np.flatnonzero(np.diff(pair_cell)) + 1
    practice_ids = np.split(pair_practice, split)
    practice_ns = np.split(pair_counts, split)

    cell_keys: list[CellKey] = []
    for key in keys[start].tolist():
        key, value_code = divmod(key, width)
        metric_code, index = divmod(key, len(RANK_CODES))
        cell_keys.append(
            (metric_names[metric_code], RANK_CODES[index], dimension_values[index][value_code])
        )
    counts, raw = [], {}
    rounded = {name: [_round(p) for p in percentiles[name].tolist()] for name, _ in PERCENTILES}
    for i, (metric, dimension, value) in enumerate(cell_keys):
        ids, ns = practice_ids[i].tolist(), practice_ns[i].tolist()
        cell = CellCounts(
            metric=metric,
            source=source_of[metric],
            dimension=dimension,
            value=value,
            n_observations=int(n[i]),
            n_practices=len(ids),
            max_practice_observations=max(ns),
            practice_counts=tuple(zip(ids, ns, strict=True)),
        )
        counts.append(cell)
        stats: dict[str, Decimal | None] = {
            "mean": numeric_mean(Decimal(totals[i]), cell_scales[i], int(n[i]))
        }
        for name, _ in PERCENTILES:
            stats[name] = rounded[name][i]
        raw[cell.key] = stats
    collated = {key: position for position, key in enumerate(_collation_order(list(raw)))}
    counts.sort(key=lambda c: collated[c.key])
    return Summary(
        counts=counts,
        raw=raw,
        cell_keys=cell_keys,
        rows=rows,
        dimension_index=dimension_index,
        cell_index=cell_index,
        tenths=tenths,
        ten_thousandths=ten_thousandths.to_numpy(),
        dimension_values=dict(zip(RANK_CODES, dimension_values, strict=True)),
        record_codes=record_codes,
    )


@dataclass
class Computation:
    cells: list[ComputedCell]
    observations: Observations
    summary: Summary


def compute(
    *,
    year: int,
    inputs: list[InputRow],
    rules: RuleSet,
    metrics: list[Metric] | None = None,
    earlier: list[PublishedVersion] = (),
) -> Computation:
    """Every cell of the year with the rules applied, and the observations they came from.
    Reads only the inputs' records (and, for the differencing rule, those of the earlier
    published versions of the year)."""
    metrics = list(metrics or METRICS.values())
    observations = read_observations(year=year, inputs=inputs, rules=rules, metrics=metrics)
    summary = summarize(observations, metrics)
    versions = _earlier_versions(
        year=year, inputs=inputs, rules=rules, metrics=metrics, earlier=earlier
    )
    cells = _decided(summary.counts, summary.raw, rules, versions) if summary.counts else []
    return Computation(cells=cells, observations=observations, summary=summary)


def compute_cells(
    *,
    year: int,
    inputs: list[InputRow],
    rules: RuleSet,
    metrics: list[Metric] | None = None,
    earlier: list[PublishedVersion] = (),
) -> list[ComputedCell]:
    """Every cell of the year with the rules applied."""
    return compute(year=year, inputs=inputs, rules=rules, metrics=metrics, earlier=earlier).cells


def _banded_ranks(computation: Computation) -> np.ndarray:
    """Each observation's percentile rank in tenths per RANK_CODES dimension (rows of the
    array), -1 where the cell it ranks in does not publish its full p10-p90 band."""
    import numpy as np

    summary = computation.summary
    banded_keys = {
        cell.key
        for cell in computation.cells
        if cell.statistics["p10"] is not None and cell.statistics["p90"] is not None
    }
    banded = np.array([key in banded_keys for key in summary.cell_keys], dtype=bool)
    ranks = np.full((len(RANK_CODES), len(computation.observations)), -1, dtype=np.int64)
    kept = banded[summary.cell_index] if len(summary.cell_index) else np.zeros(0, bool)
    ranks[summary.dimension_index[kept], summary.rows[kept]] = summary.tenths[kept]
    return ranks


def _listed(frame) -> list[tuple[str, np.ndarray]]:
    """Each text column of the frame, its entries joined by commas, with where each entry
    starts (and, last, where one more would start): the entries of rows begin..end-1 are
    _part(listed, begin, end)."""
    import numpy as np
    import polars as pl

    lengths = frame.select(pl.all().str.len_chars())
    joined = frame.select(pl.all().str.join(",")).row(0)
    listed = []
    for text, column in zip(joined, lengths.iter_columns(), strict=True):
        starts = np.zeros(len(column) + 1, dtype=np.int64)
        np.cumsum(column.to_numpy() + 1, out=starts[1:])
        listed.append((text, starts))
    return listed


def _part(listed: tuple[str, np.ndarray], begin: int, end: int) -> str:
    text, starts = listed
    return text[int(starts[begin]) : int(starts[end]) - 1]


def observation_sets(computation: Computation, *, release_id: int) -> list[tuple]:
    """The release's ObservationSet rows: per practice and source, its records as positions,
    and per metric each position's value and, where the cell of that dimension publishes its
    full p10-p90 band, its percentile rank in that cell (what the SQL formulation,
    _observation_rows_sql, gives per observation), one tuple of SET_COLUMNS per set."""
    import numpy as np
    import polars as pl

    from benchmarks.models import NO_RANK

    observations, summary = computation.observations, computation.summary
    ranks = _banded_ranks(computation)
    registered = list(METRICS)
    metric_of = observations.metric
    present = {registered[i] for i in np.unique(metric_of).tolist()}
    record_of = observations.record
    rows = []
    for source in {m.source.code: m.source for m in METRICS.values()}.values():
        records = observations.records.get(source.code)
        if records is None or records.is_empty():
            continue
        codes = [m.code for m in METRICS.values() if m.source is source and m.code in present]
        if not codes:  # records, none of them an observation of any metric
            continue
        dimensions = list(source.dimension_sql)
        rank_indexes = [0, *(RANK_CODES.index(code) for code in dimensions)]
        size = len(records)
        # Positions are the records ordered by practice, a practice's positions a run:
        # position p holds record order[p], record r is at position position_of[r].
        record_practices = records["practice_id"].to_numpy()
        order = np.argsort(record_practices, kind="stable")
        position_of = np.empty(size, dtype=np.int64)
        position_of[order] = np.arange(size)
        practices = record_practices[order]
        keys = records["obs_key"].fill_null("").gather(order)
        # Provider pseudonyms are SHA-256 digests in lower-case hex: stored as their bytes.
        joined = keys.str.join("").item()
        try:
            digest_bytes = bytes.fromhex(joined)
        except ValueError:
            digest_bytes = None
        digests = (
            digest_bytes is not None
            and len(digest_bytes) == 32 * size
            and bool((keys.str.len_bytes() == 64).all())
            and digest_bytes.hex() == joined
        )
        if not digests and keys.str.contains(",", literal=True).any():
            raise ValueError(f"An observation key of {source.code} holds a comma.")
        # Each text list is built once over all positions, each practice's part of it a slice;
        # ranks are a grid of metric x rank dimension x position, each practice's columns of it
        # as bytes.
        entries = {"keys": keys} if not digests else {}
        for row, code in enumerate(dimensions):
            index = summary.record_codes[source.code][code]
            if len(index) and index.min() < 0:
                raise ValueError(f"A record of {source.code} has no {code}.")
            entries[f"d{row}"] = pl.Series(index[order], dtype=pl.Int64)
        rank_grid = np.full((len(codes), len(rank_indexes), size), NO_RANK, dtype=">u2")
        for row, code in enumerate(codes):
            chosen = np.flatnonzero(metric_of == registered.index(code))
            at = position_of[record_of[chosen]]
            if len(at) and np.bincount(at, minlength=size).max() > 1:
                raise ValueError(f"Two observations of {code} come from one record.")
            values = np.zeros(size, dtype=np.int64)
            values[at] = summary.ten_thousandths[chosen]
            entries[f"m{row}"] = pl.Series(values)
            given = np.zeros(size, dtype=bool)
            given[at] = True
            entries[f"g{row}"] = pl.Series(given)
            for column, index in enumerate(rank_indexes):
                ranked = ranks[index, chosen]
                kept = ranked >= 0
                rank_grid[row, column, at[kept]] = ranked[kept]
        # Every list's entries as text (a value only where given), in one pass over the frame.
        listed = pl.DataFrame(entries).select(
            *(pl.col("keys") for _ in [1] if not digests),
            *(pl.col(f"d{row}").cast(pl.String) for row in range(len(dimensions))),
            *(
                pl.when(pl.col(f"g{row}"))
                .then(pl.col(f"m{row}").cast(pl.String))
                .otherwise(pl.lit(""))
                .alias(f"m{row}")
                for row in range(len(codes))
            ),
        )
        texts = _listed(listed)
        key_text = None if digests else texts.pop(0)
        index_texts, value_texts = texts[: len(dimensions)], texts[len(dimensions) :]
        dictionaries = [summary.dimension_values[code] for code in dimensions]
        rank_dimensions = [RANK_CODES[i] for i in rank_indexes]
        starts = np.flatnonzero(np.r_[True, practices[1:] != practices[:-1]])
        ends = np.r_[starts[1:], size]
        for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
            rows.append(
                (
                    release_id,
                    int(practices[begin]),
                    source.code,
                    end - begin,
                    "" if digests else _part(key_text, begin, end),
                    digest_bytes[32 * begin : 32 * end] if digests else None,
                    dimensions,
                    dictionaries,
                    ",".join(_part(listed, begin, end) for listed in index_texts),
                    codes,
                    ",".join(_part(listed, begin, end) for listed in value_texts),
                    rank_dimensions,
                    rank_grid[:, :, begin:end].tobytes(),
                )
            )
    return rows


# The columns of ObservationSet rows as observation_sets gives them, with their types.
SET_COLUMNS = {
    "release_id": "int8",
    "practice_id": "int8",
    "source": "varchar",
    "size": "int4",
    "observation_keys": "text",
    "observation_digests": "bytea",
    "dimensions": "varchar[]",
    "dimension_dictionaries": "jsonb",
    "dimension_indexes": "text",
    "metrics": "varchar[]",
    "metric_values": "text",
    "rank_dimensions": "varchar[]",
    "ranks": "bytea",
}


def write_observations(computation: Computation, *, release_id: int) -> int:
    """Store every practice's own observations of the release, as one ObservationSet row per
    practice and source, with one binary COPY (a few dozen rows of long values, which
    PostgreSQL stores as they come). Returns the number of set rows."""
    from benchmarks.models import ObservationSet
    from practices.submissions.storage import copy_binary_rows

    rows = observation_sets(computation, release_id=release_id)
    if rows:
        copy_binary_rows(ObservationSet._meta.db_table, SET_COLUMNS, rows)
    return len(rows)


CELL_COLUMNS = {
    "release_id": "int8",
    "metric": "varchar",
    "dimension": "varchar",
    "value": "varchar",
    "n_practices": "int4",
    "n_observations": "int4",
    "max_practice_observations": "int4",
    **dict.fromkeys(STATISTICS, "numeric"),
    "suppressed": "bool",
    "suppression_reasons": "varchar[]",
    "suppression_notes": "jsonb",
}
INPUT_COLUMNS = {
    "release_id": "int8",
    "practice_id": "int8",
    "submission_id": "int8",
    "kind": "varchar",
    "version": "int4",
    "sha256": "varchar",
    "region": "varchar",
    "size_band": "varchar",
}


def write_cells(cells: list[ComputedCell], *, release_id: int) -> int:
    """Store the release's cells with one binary COPY (withheld statistics as NULL). Returns
    their number."""
    from benchmarks.models import BenchmarkCell
    from practices.submissions.storage import copy_binary_rows

    copy_binary_rows(
        BenchmarkCell._meta.db_table,
        CELL_COLUMNS,
        (
            (
                release_id,
                c.counts.metric,
                c.counts.dimension,
                c.counts.value,
                c.counts.n_practices,
                c.counts.n_observations,
                c.counts.max_practice_observations,
                *(c.statistics[name] for name in STATISTICS),
                c.decision.suppressed,
                [str(reason) for reason in c.decision.reasons],
                list(c.decision.notes),
            )
            for c in cells
        ),
    )
    return len(cells)


def write_inputs(inputs: list[InputRow], *, release_id: int) -> int:
    """Store the submissions a release is computed from, with one binary COPY."""
    from benchmarks.models import ReleaseInput
    from practices.submissions.storage import copy_binary_rows

    copy_binary_rows(
        ReleaseInput._meta.db_table,
        INPUT_COLUMNS,
        (
            (
                release_id,
                row.practice_id,
                row.submission_id,
                row.kind,
                row.version,
                row.sha256,
                row.region,
                row.size_band,
            )
            for row in inputs
        ),
    )
    return len(inputs)


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
