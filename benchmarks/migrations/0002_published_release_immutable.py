"""A published release, its cells, inputs and observations cannot change: PostgreSQL refuses
the UPDATE or DELETE (and any INSERT of children), whatever code issues it. Only clearing the
user of requested_by/published_by is let through, so that deleting a user account still works
(Django's SET NULL)."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION benchmarks_release_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'published' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'benchmark release % is published and cannot be deleted', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.year, NEW.version, NEW.status, NEW.rule_settings, NEW.inputs_digest,
        NEW.requested_at, NEW.computed_at, NEW.compute_seconds, NEW.error, NEW.published_at)
       IS DISTINCT FROM
       (OLD.id, OLD.year, OLD.version, OLD.status, OLD.rule_settings, OLD.inputs_digest,
        OLD.requested_at, OLD.computed_at, OLD.compute_seconds, OLD.error, OLD.published_at)
       OR (NEW.published_by_id IS DISTINCT FROM OLD.published_by_id AND NEW.published_by_id IS NOT NULL)
       OR (NEW.requested_by_id IS DISTINCT FROM OLD.requested_by_id AND NEW.requested_by_id IS NOT NULL)
    THEN
        RAISE EXCEPTION 'benchmark release % is published and cannot change', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION benchmarks_release_child_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM benchmarks_benchmarkrelease WHERE id = OLD.release_id AND status = 'published'
    ) THEN
        RAISE EXCEPTION '% of published benchmark release % cannot change', TG_TABLE_NAME, OLD.release_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM benchmarks_benchmarkrelease WHERE id = NEW.release_id AND status = 'published'
    ) THEN
        RAISE EXCEPTION '% of published benchmark release % cannot change', TG_TABLE_NAME, NEW.release_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER benchmarks_release_immutable
    BEFORE UPDATE OR DELETE ON benchmarks_benchmarkrelease
    FOR EACH ROW EXECUTE FUNCTION benchmarks_release_immutable();
CREATE TRIGGER benchmarks_cell_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON benchmarks_benchmarkcell
    FOR EACH ROW EXECUTE FUNCTION benchmarks_release_child_immutable();
CREATE TRIGGER benchmarks_input_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON benchmarks_releaseinput
    FOR EACH ROW EXECUTE FUNCTION benchmarks_release_child_immutable();
CREATE TRIGGER benchmarks_observation_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON benchmarks_practiceobservation
    FOR EACH ROW EXECUTE FUNCTION benchmarks_release_child_immutable();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS benchmarks_observation_immutable ON benchmarks_practiceobservation;
DROP TRIGGER IF EXISTS benchmarks_input_immutable ON benchmarks_releaseinput;
DROP TRIGGER IF EXISTS benchmarks_cell_immutable ON benchmarks_benchmarkcell;
DROP TRIGGER IF EXISTS benchmarks_release_immutable ON benchmarks_benchmarkrelease;
DROP FUNCTION IF EXISTS benchmarks_release_child_immutable();
DROP FUNCTION IF EXISTS benchmarks_release_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("benchmarks", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
