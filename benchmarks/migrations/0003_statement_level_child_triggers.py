"""The children of a release (cells, inputs, observations) are checked once per statement
instead of once per row: a release writes tens of thousands of observation rows in one
INSERT ... SELECT, and a check per row cost as much as the insert itself. Same rule: no row of a
published release may be inserted, updated or deleted."""

from django.db import migrations

TABLES = {
    "benchmarks_benchmarkcell": "cell",
    "benchmarks_releaseinput": "input",
    "benchmarks_practiceobservation": "observation",
}

FUNCTION = r"""
CREATE OR REPLACE FUNCTION benchmarks_release_children_immutable() RETURNS trigger AS $$
BEGIN
    -- Nested IFs: a transition table may be named only where the trigger's event has it.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF EXISTS (
            SELECT 1 FROM old_rows o JOIN benchmarks_benchmarkrelease r ON r.id = o.release_id
            WHERE r.status = 'published'
        ) THEN
            RAISE EXCEPTION 'rows of a published benchmark release cannot change (%)', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF EXISTS (
            SELECT 1 FROM new_rows n JOIN benchmarks_benchmarkrelease r ON r.id = n.release_id
            WHERE r.status = 'published'
        ) THEN
            RAISE EXCEPTION 'rows of a published benchmark release cannot change (%)', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def forward_sql() -> str:
    statements = [FUNCTION]
    for table, short in TABLES.items():
        statements += [
            f"DROP TRIGGER IF EXISTS benchmarks_{short}_immutable ON {table};",
            f"CREATE TRIGGER benchmarks_{short}_immutable_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION benchmarks_release_children_immutable();",
            f"CREATE TRIGGER benchmarks_{short}_immutable_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION benchmarks_release_children_immutable();",
            f"CREATE TRIGGER benchmarks_{short}_immutable_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION benchmarks_release_children_immutable();",
        ]
    return "\n".join(statements)


def backward_sql() -> str:
    statements = []
    for table, short in TABLES.items():
        statements += [
            f"DROP TRIGGER IF EXISTS benchmarks_{short}_immutable_{event} ON {table};"
            for event in ("insert", "update", "delete")
        ]
        statements.append(
            f"CREATE TRIGGER benchmarks_{short}_immutable BEFORE INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION benchmarks_release_child_immutable();"
        )
    statements.append("DROP FUNCTION IF EXISTS benchmarks_release_children_immutable();")
    return "\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [("benchmarks", "0002_published_release_immutable")]

    operations = [migrations.RunSQL(forward_sql(), backward_sql())]
