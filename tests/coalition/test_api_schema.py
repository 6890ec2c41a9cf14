from io import StringIO

from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(tmp_path, db):
    """Every endpoint documents itself: a warning here is an undocumented parameter or body."""
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )
    schema = target.read_text()
    assert "PracticeAPIKey" in schema
    assert "/api/v1/practices/{practice_slug}/api-keys/" in schema
