# ruff: noqa: S608 - fixed table names of this migration; values are parameters.
"""A release's observations are stored as one ObservationSet row per release, practice and
observation source, with their keys, dimension values, values and ranks as flat lists, and
benchmarks_practiceobservation becomes a view that reads them back one observation per row
(the same columns as the table it replaces). A release wrote some 26,000 observation rows a
year, and inserting them (heap, two indexes, two foreign-key checks each at commit, JSON
parsed twice per row) cost more than computing the whole release (docs/performance.md).
Existing observations are converted, and converted back when the migration is reversed."""

import json
import re
from decimal import Decimal

import django.contrib.postgres.fields
import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

import coalition.expressions

OLD_TABLE = "benchmarks_practiceobservation"
SET_TABLE = "benchmarks_observationset"
LONG_COLUMNS = (
    "observation_keys",
    "observation_digests",
    "dimension_indexes",
    "metric_values",
    "ranks",
)

# The sources of the metrics registered when this migration was written (benchmarks/metrics.py);
# an observation of any other metric is converted as a source of its own.
SOURCES = {
    "wrvu_per_fte": "provider_year",
    "comp_per_fte": "provider_year",
    "comp_per_wrvu": "provider_year",
    "revenue_per_fte": "practice_year",
    "expense_per_fte": "practice_year",
    "support_needed_per_fte": "practice_year",
    "tat_median_minutes_ed": "turnaround_year",
    "tat_median_minutes_inpatient": "turnaround_year",
    "tat_median_minutes_outpatient": "turnaround_year",
    "tat_within_target_pct_ed": "turnaround_year",
    "tat_within_target_pct_inpatient": "turnaround_year",
    "tat_within_target_pct_outpatient": "turnaround_year",
    "peer_review_major_discrepancy_pct": "peer_review_year",
    "critical_result_timely_pct": "quality_measure_year",
    "mammography_recall_pct": "quality_measure_year",
    "patient_experience_top_box_pct": "quality_measure_year",
}

# The value that stands for "no value" in a set's integer lists once they are arrays: arrays
# without NULLs of a fixed-size type are indexed directly, where any other array is walked
# from its start for every element read.
NO_VALUE = -9223372036854775808

NO_RANK = 65535

# One row per observation, as the table had; the id is stable as long as the set row is. A
# set's lists are flat: entry (d, i) of dimension_indexes is at (d - 1) * size + i, value (m, i)
# at (m - 1) * size + i, rank (m, r, i) at ((m - 1) * R + r - 1) * size + i (ranks: two bytes
# each). `k` splits and reads each list once per set (OFFSET 0 keeps it a subquery, and the
# positions and metrics are drawn from it, so it runs before them; `|| ''` holds a long value
# in memory rather than reading it from its TOAST table at every access). Positions and metrics
# are unnested rather than counted with generate_series, whose row estimate (1,000) would make
# the planner expect a costly query and compile it (JIT) for longer than it runs.
RANK_AT = "(((m.position - 1) * k.rank_dimensions + r.n - 1) * s.size + o.position - 1) * 2"
VIEW = f"""
CREATE VIEW {OLD_TABLE} AS
SELECT s.id * 10000000 + m.position * 100000 + o.position AS id,
       s.release_id,
       s.practice_id,
       m.metric::varchar(40) AS metric,
       coalesce(
           o.key, encode(substring(k.digests FROM (o.position::int - 1) * 32 + 1 FOR 32), 'hex')
       )::varchar(64) AS provider_pseudonym,
       (k.metric_values[(m.position - 1) * s.size + o.position]::numeric / 10000)::numeric(20, 4)
           AS value,
       coalesce((
           SELECT jsonb_object_agg(
               d.code,
               s.dimension_dictionaries -> (d.n::int - 1)
                   -> k.dimension_indexes[(d.n - 1) * s.size + o.position]
           )
           FROM unnest(s.dimensions) WITH ORDINALITY AS d(code, n)
       ), '{{}}'::jsonb) AS dimension_values,
       coalesce((
           SELECT jsonb_object_agg(r.code, round(x.rank::numeric / 10, 1))
               FILTER (WHERE x.rank <> {NO_RANK})
           FROM unnest(s.rank_dimensions) WITH ORDINALITY AS r(code, n)
           CROSS JOIN LATERAL (
               SELECT get_byte(k.ranks, ({RANK_AT})::int) * 256
                      + get_byte(k.ranks, ({RANK_AT})::int + 1) AS rank
           ) AS x
       ), '{{}}'::jsonb) AS percentile_ranks
FROM {SET_TABLE} AS s
CROSS JOIN LATERAL (
    SELECT CASE WHEN s.observation_digests IS NOT NULL THEN array_fill(NULL::text, ARRAY[s.size])
                WHEN s.size = 1 THEN ARRAY[s.observation_keys]
                ELSE string_to_array(s.observation_keys, ',') END AS keys,
           s.observation_digests || ''::bytea AS digests,
           s.metrics,
           cardinality(s.rank_dimensions) AS rank_dimensions,
           string_to_array(nullif(s.dimension_indexes, ''), ',')::int[] AS dimension_indexes,
           array_replace(
               CASE WHEN cardinality(s.metrics) * s.size = 1
                    THEN ARRAY[nullif(s.metric_values, '')]
                    ELSE string_to_array(s.metric_values, ',', '') END::bigint[],
               NULL, {NO_VALUE}
           ) AS metric_values,
           s.ranks || ''::bytea AS ranks
    OFFSET 0
) AS k
CROSS JOIN LATERAL unnest(k.keys) WITH ORDINALITY AS o(key, position)
CROSS JOIN LATERAL unnest(k.metrics) WITH ORDINALITY AS m(metric, position)
WHERE k.metric_values[(m.position - 1) * s.size + o.position] <> {NO_VALUE};
"""

TRIGGERS = f"""
CREATE TRIGGER benchmarks_observation_set_immutable_insert AFTER INSERT ON {SET_TABLE}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION benchmarks_release_children_immutable();
CREATE TRIGGER benchmarks_observation_set_immutable_update AFTER UPDATE ON {SET_TABLE}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION benchmarks_release_children_immutable();
CREATE TRIGGER benchmarks_observation_set_immutable_delete AFTER DELETE ON {SET_TABLE}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION benchmarks_release_children_immutable();
""" + "\n".join(
    f"ALTER TABLE {SET_TABLE} ALTER COLUMN {column} SET STORAGE EXTERNAL;"
    for column in LONG_COLUMNS
)

OLD_TABLE_DDL = f"""
CREATE TABLE {OLD_TABLE} (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    metric varchar(40) NOT NULL,
    provider_pseudonym varchar(64) NOT NULL,
    value numeric(20, 4) NOT NULL,
    dimension_values jsonb NOT NULL,
    percentile_ranks jsonb NOT NULL,
    practice_id bigint NOT NULL REFERENCES practices_practice (id) DEFERRABLE INITIALLY DEFERRED,
    release_id bigint NOT NULL REFERENCES benchmarks_benchmarkrelease (id)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT observation_unique UNIQUE (release_id, practice_id, metric, provider_pseudonym)
);
CREATE INDEX benchmarks__practic_6bd713_idx ON {OLD_TABLE} (practice_id, release_id, metric);
"""

OLD_TRIGGERS = f"""
CREATE TRIGGER benchmarks_observation_immutable_insert AFTER INSERT ON {OLD_TABLE}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION benchmarks_release_children_immutable();
CREATE TRIGGER benchmarks_observation_immutable_update AFTER UPDATE ON {OLD_TABLE}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION benchmarks_release_children_immutable();
CREATE TRIGGER benchmarks_observation_immutable_delete AFTER DELETE ON {OLD_TABLE}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION benchmarks_release_children_immutable();
"""

# Published releases are immutable (triggers): the conversion runs with them set aside.
TRIGGERS_OFF = f"ALTER TABLE {SET_TABLE} DISABLE TRIGGER USER;"
TRIGGERS_ON = f"ALTER TABLE {SET_TABLE} ENABLE TRIGGER USER;"

FORWARD = f"""
DROP TABLE {OLD_TABLE};
{VIEW}
"""

BACKWARD = f"""
ALTER VIEW {OLD_TABLE} RENAME TO {OLD_TABLE}_sets;
{OLD_TABLE_DDL}
INSERT INTO {OLD_TABLE}
    (release_id, practice_id, metric, provider_pseudonym, value, dimension_values,
     percentile_ranks)
SELECT release_id, practice_id, metric, provider_pseudonym, value, dimension_values,
       percentile_ranks
FROM {OLD_TABLE}_sets;
DROP VIEW {OLD_TABLE}_sets;
{OLD_TRIGGERS}
{TRIGGERS_OFF}
DELETE FROM {SET_TABLE};
{TRIGGERS_ON}
"""


def _rank_tenths(rank) -> int:
    """A rank in tenths (341 for 34.1); NO_RANK where there is none."""
    return NO_RANK if rank is None else int(Decimal(str(rank)) * 10)


def _value_text(value: str) -> str:
    """A value in ten-thousandths; empty where there is none."""
    return "" if value == "" else str(int(Decimal(value) * 10000))


def convert_rows(apps, schema_editor):
    """Every observation row becomes a position of its release, practice and source's set."""
    sets: dict[tuple[int, int, str], dict] = {}
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT release_id, practice_id, metric, provider_pseudonym, value::text, "
            f"dimension_values, percentile_ranks FROM {OLD_TABLE} "
            "ORDER BY release_id, practice_id, metric, provider_pseudonym"
        )
        for release, practice, metric, key, value, dims, ranks in cursor.fetchall():
            dims = json.loads(dims) if isinstance(dims, str) else dims
            ranks = json.loads(ranks) if isinstance(ranks, str) else ranks
            found = sets.setdefault(
                (release, practice, SOURCES.get(metric, metric)),
                {"positions": {}, "metrics": [], "dimensions": set()},
            )
            position = (key, tuple(sorted(dims.items())))
            found["positions"].setdefault(position, {})[metric] = (value, ranks)
            found["dimensions"].update(dims)
            if metric not in found["metrics"]:
                found["metrics"].append(metric)
        rows = []
        for (release, practice, source), found in sets.items():
            positions = list(found["positions"].items())
            dimensions = sorted(found["dimensions"])
            dictionaries = [
                sorted({dict(p)[d] for (_, p), _ in positions if d in dict(p)}) for d in dimensions
            ]
            # Flat lists, dimension-, metric- and (metric, rank dimension)-major.
            indexes = ",".join(
                str(dictionary.index(dict(p)[d]))
                for d, dictionary in zip(dimensions, dictionaries, strict=True)
                for (_, p), _ in positions
            )
            rank_dimensions = ["all", *dimensions]
            values = ",".join(
                _value_text(by_metric.get(m, ("", {}))[0])
                for m in found["metrics"]
                for _, by_metric in positions
            )
            ranks = b"".join(
                _rank_tenths(by_metric.get(m, ("", {}))[1].get(r)).to_bytes(2, "big")
                for m in found["metrics"]
                for r in rank_dimensions
                for _, by_metric in positions
            )
            keys = [key for (key, _), _ in positions]
            digests = all(re.fullmatch("[0-9a-f]{64}", key) for key in keys)
            rows.append(
                (
                    release,
                    practice,
                    source,
                    len(positions),
                    "" if digests else ",".join(keys),
                    bytes.fromhex("".join(keys)) if digests else None,
                    dimensions,
                    json.dumps(dictionaries),
                    indexes,
                    found["metrics"],
                    values,
                    rank_dimensions,
                    ranks,
                )
            )
        cursor.execute(TRIGGERS_OFF)
        cursor.executemany(
            f"INSERT INTO {SET_TABLE} (release_id, practice_id, source, size, observation_keys, "
            "observation_digests, dimensions, dimension_dictionaries, dimension_indexes, metrics, "
            "metric_values, rank_dimensions, ranks) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        cursor.execute(TRIGGERS_ON)


class Migration(migrations.Migration):
    dependencies = [
        ("benchmarks", "0007_observation_fk_indexes_covered"),
        ("practices", "0002_practice_time_zone"),
    ]

    operations = [
        migrations.CreateModel(
            name="ObservationSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text="An observation source of the registry.", max_length=40
                    ),
                ),
                (
                    "size",
                    models.PositiveIntegerField(
                        help_text="How many positions (records) the set holds."
                    ),
                ),
                ("observation_keys", models.TextField(blank=True)),
                ("observation_digests", models.BinaryField(blank=True, null=True)),
                (
                    "dimensions",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=20),
                        blank=True,
                        default=list,
                        size=None,
                    ),
                ),
                ("dimension_dictionaries", models.JSONField(blank=True, default=list)),
                ("dimension_indexes", models.TextField(blank=True)),
                (
                    "metrics",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=40), size=None
                    ),
                ),
                ("metric_values", models.TextField()),
                (
                    "rank_dimensions",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=20), size=None
                    ),
                ),
                ("ranks", models.BinaryField()),
                (
                    "practice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="benchmark_observation_sets",
                        to="practices.practice",
                    ),
                ),
                (
                    "release",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="benchmarks.benchmarkrelease",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("release", "practice", "source"), name="observation_set_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("size__gte", 1),
                            ("size__lt", 100000),
                            django.db.models.lookups.LessThan(
                                coalition.expressions.Cardinality("metrics"), 100
                            ),
                            models.Q(
                                models.Q(
                                    ("observation_digests__isnull", True),
                                    django.db.models.lookups.Exact(
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.expressions.CombinedExpression(
                                                django.db.models.functions.text.Length(
                                                    "observation_keys"
                                                ),
                                                "-",
                                                django.db.models.functions.text.Length(
                                                    django.db.models.functions.text.Replace(
                                                        models.F("observation_keys"),
                                                        models.Value(","),
                                                        models.Value(""),
                                                    )
                                                ),
                                            ),
                                            "+",
                                            models.Value(1),
                                        ),
                                        models.F("size"),
                                    ),
                                ),
                                models.Q(
                                    ("observation_keys", ""),
                                    django.db.models.lookups.Exact(
                                        django.db.models.functions.text.Length(
                                            "observation_digests"
                                        ),
                                        django.db.models.expressions.CombinedExpression(
                                            models.F("size"), "*", models.Value(32)
                                        ),
                                    ),
                                ),
                                _connector="OR",
                            ),
                            django.db.models.lookups.Exact(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.functions.text.Length("metric_values"),
                                        "-",
                                        django.db.models.functions.text.Length(
                                            django.db.models.functions.text.Replace(
                                                models.F("metric_values"),
                                                models.Value(","),
                                                models.Value(""),
                                            )
                                        ),
                                    ),
                                    "+",
                                    models.Value(1),
                                ),
                                django.db.models.expressions.CombinedExpression(
                                    coalition.expressions.Cardinality("metrics"),
                                    "*",
                                    models.F("size"),
                                ),
                            ),
                            django.db.models.lookups.Exact(
                                django.db.models.functions.text.Length("ranks"),
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.expressions.CombinedExpression(
                                            coalition.expressions.Cardinality("metrics"),
                                            "*",
                                            coalition.expressions.Cardinality("rank_dimensions"),
                                        ),
                                        "*",
                                        models.F("size"),
                                    ),
                                    "*",
                                    models.Value(2),
                                ),
                            ),
                            models.Q(
                                models.Q(("dimensions", []), ("dimension_indexes", "")),
                                django.db.models.lookups.Exact(
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.expressions.CombinedExpression(
                                            django.db.models.functions.text.Length(
                                                "dimension_indexes"
                                            ),
                                            "-",
                                            django.db.models.functions.text.Length(
                                                django.db.models.functions.text.Replace(
                                                    models.F("dimension_indexes"),
                                                    models.Value(","),
                                                    models.Value(""),
                                                )
                                            ),
                                        ),
                                        "+",
                                        models.Value(1),
                                    ),
                                    django.db.models.expressions.CombinedExpression(
                                        coalition.expressions.Cardinality("dimensions"),
                                        "*",
                                        models.F("size"),
                                    ),
                                ),
                                _connector="OR",
                            ),
                            django.db.models.lookups.Exact(
                                coalition.expressions.Cardinality("rank_dimensions"),
                                django.db.models.expressions.CombinedExpression(
                                    coalition.expressions.Cardinality("dimensions"),
                                    "+",
                                    models.Value(1),
                                ),
                            ),
                        ),
                        name="observation_set_lists_aligned",
                    ),
                ],
            },
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(convert_rows, reverse_code=migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)],
            state_operations=[
                migrations.AlterModelOptions(
                    name="practiceobservation", options={"managed": False}
                ),
            ],
        ),
    ]
