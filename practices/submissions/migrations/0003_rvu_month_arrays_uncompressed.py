from django.db import migrations

ARRAYS = ("cpt_codes", "modalities", "units", "work_rvus")

# A month's arrays are a few kilobytes, so PostgreSQL moves them out of line and by default
# compresses them (pglz). Compressing the arrays of a million-line file costs more than the
# rest of its COPY (docs/performance.md); out of line without compression does not. The
# server build has no lz4, which would be the cheap alternative.
SET_EXTERNAL = "\n".join(
    f"ALTER TABLE submissions_rvudetailmonth ALTER COLUMN {column} SET STORAGE EXTERNAL;"
    for column in ARRAYS
)
SET_EXTENDED = SET_EXTERNAL.replace("EXTERNAL", "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_submission_issues_and_rvu_months")]

    operations = [migrations.RunSQL(sql=SET_EXTERNAL, reverse_sql=SET_EXTENDED)]
