"""A provider-month's CPT codes and modalities become comma-separated text, its units and work
RVUs exact integers of hundredths and ten-thousandths. PostgreSQL parses arrays of varchar and
numeric element by element, which was most of the COPY of a large import; text and integer
arrays it reads several times faster (docs/performance.md). The line view converts back, so
what reads RvuDetailRecord sees the same codes and decimals as before."""

import django.contrib.postgres.fields
import django.db.models.expressions
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

TABLE = "submissions_rvudetailmonth"
COLUMNS = ("cpt_codes", "modalities", "units", "work_rvus")

OLD_VIEW = """
CREATE VIEW submissions_rvudetailrecord AS
SELECT m.id * 1000000 + line.position AS id,
       m.practice_id,
       m.submission_id,
       m.provider_pseudonym,
       m.service_month,
       line.cpt_code::varchar(5) AS cpt_code,
       line.modality::varchar(10) AS modality,
       line.units::numeric(10, 2) AS units,
       line.work_rvus::numeric(12, 4) AS work_rvus
FROM submissions_rvudetailmonth AS m
CROSS JOIN LATERAL unnest(m.cpt_codes, m.modalities, m.units, m.work_rvus)
    WITH ORDINALITY AS line (cpt_code, modality, units, work_rvus, position);
"""

# One row per CPT line, as before; the id is stable as long as the month row is.
NEW_VIEW = """
CREATE VIEW submissions_rvudetailrecord AS
SELECT m.id * 1000000 + line.position AS id,
       m.practice_id,
       m.submission_id,
       m.provider_pseudonym,
       m.service_month,
       line.cpt_code::varchar(5) AS cpt_code,
       line.modality::varchar(10) AS modality,
       (line.units / 100.0)::numeric(10, 2) AS units,
       (line.work_rvus / 10000.0)::numeric(12, 4) AS work_rvus
FROM submissions_rvudetailmonth AS m
CROSS JOIN LATERAL unnest(
    string_to_array(m.cpt_codes, ','), string_to_array(m.modalities, ','), m.units, m.work_rvus
) WITH ORDINALITY AS line (cpt_code, modality, units, work_rvus, position);
"""

NONNEGATIVE = f"""
ALTER TABLE {TABLE}
    ADD CONSTRAINT rvu_month_units_nonnegative CHECK (0 <= ALL (units)),
    ADD CONSTRAINT rvu_month_work_rvus_nonnegative CHECK (0 <= ALL (work_rvus));
"""

DROP_VIEW_AND_CHECKS = f"""
DROP VIEW submissions_rvudetailrecord;
ALTER TABLE {TABLE}
    DROP CONSTRAINT rvu_month_arrays_aligned,
    DROP CONSTRAINT rvu_month_units_nonnegative,
    DROP CONSTRAINT rvu_month_work_rvus_nonnegative;
"""

# Conversion helpers, for this session only.
FUNCTIONS = """
CREATE FUNCTION pg_temp.rvu_scaled(numbers numeric[], factor numeric) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg((n * factor)::bigint ORDER BY i) FROM unnest(numbers) WITH ORDINALITY AS u(n, i)
$$;
CREATE FUNCTION pg_temp.rvu_unscaled(numbers bigint[], factor numeric) RETURNS numeric[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(n / factor ORDER BY i) FROM unnest(numbers) WITH ORDINALITY AS u(n, i)
$$;
"""

STORAGE_EXTERNAL = "\n".join(
    f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE EXTERNAL;" for column in COLUMNS
)

CONVERT = f"""
{FUNCTIONS}
ALTER TABLE {TABLE}
    ALTER COLUMN cpt_codes TYPE text USING array_to_string(cpt_codes, ','),
    ALTER COLUMN modalities TYPE text USING array_to_string(modalities, ','),
    ALTER COLUMN units TYPE bigint[] USING pg_temp.rvu_scaled(units, 100),
    ALTER COLUMN work_rvus TYPE bigint[] USING pg_temp.rvu_scaled(work_rvus, 10000);
{STORAGE_EXTERNAL}
"""

CONVERT_BACK = f"""
{FUNCTIONS}
ALTER TABLE {TABLE}
    ALTER COLUMN cpt_codes TYPE varchar(5)[] USING string_to_array(cpt_codes, ',')::varchar(5)[],
    ALTER COLUMN modalities TYPE varchar(10)[]
        USING string_to_array(modalities, ',')::varchar(10)[],
    ALTER COLUMN units TYPE numeric(10, 2)[] USING pg_temp.rvu_unscaled(units, 100),
    ALTER COLUMN work_rvus TYPE numeric(12, 4)[] USING pg_temp.rvu_unscaled(work_rvus, 10000);
{STORAGE_EXTERNAL}
ALTER TABLE {TABLE} ADD CONSTRAINT rvu_month_arrays_aligned CHECK (
    coalesce(array_length(cpt_codes, 1), 0) = row_count
    AND coalesce(array_length(modalities, 1), 0) = row_count
    AND coalesce(array_length(units, 1), 0) = row_count
    AND coalesce(array_length(work_rvus, 1), 0) = row_count
);
"""


def _listed(field):
    F, V = models.F, models.Value
    text = django.db.models.functions.text
    return django.db.models.expressions.CombinedExpression(
        django.db.models.expressions.CombinedExpression(
            text.Length(field), "-", text.Length(text.Replace(F(field), V(","), V("")))
        ),
        "+",
        V(1),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0002_practice_time_zone"),
        ("submissions", "0004_kind_check_registered"),
    ]

    operations = [
        migrations.RunSQL(DROP_VIEW_AND_CHECKS, reverse_sql=OLD_VIEW + NONNEGATIVE),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(CONVERT, reverse_sql=CONVERT_BACK)],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="rvudetailmonth", name="rvu_month_arrays_aligned"
                ),
                migrations.AlterField(
                    model_name="rvudetailmonth",
                    name="cpt_codes",
                    field=models.TextField(help_text="The month's CPT codes, comma-separated."),
                ),
                migrations.AlterField(
                    model_name="rvudetailmonth",
                    name="modalities",
                    field=models.TextField(help_text="Their modalities, comma-separated."),
                ),
                migrations.AlterField(
                    model_name="rvudetailmonth",
                    name="units",
                    field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(),
                        help_text="Units, in hundredths.",
                        size=None,
                    ),
                ),
                migrations.AlterField(
                    model_name="rvudetailmonth",
                    name="work_rvus",
                    field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(),
                        help_text="Work RVUs, in ten-thousandths.",
                        size=None,
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="rvudetailmonth",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    django.db.models.lookups.Exact(_listed("cpt_codes"), models.F("row_count")),
                    django.db.models.lookups.Exact(_listed("modalities"), models.F("row_count")),
                    ("units__len", models.F("row_count")),
                    ("work_rvus__len", models.F("row_count")),
                ),
                name="rvu_month_arrays_aligned",
            ),
        ),
        migrations.RunSQL(
            NONNEGATIVE + NEW_VIEW,
            reverse_sql=(
                "DROP VIEW submissions_rvudetailrecord;"
                f"ALTER TABLE {TABLE} DROP CONSTRAINT rvu_month_units_nonnegative, "
                "DROP CONSTRAINT rvu_month_work_rvus_nonnegative;"
            ),
        ),
    ]
