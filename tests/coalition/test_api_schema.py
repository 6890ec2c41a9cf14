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


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def test_every_operation_documents_the_refusals_it_can_give(db):
    for path, method, operation in _operations(_schema()):
        codes = set(operation["responses"])
        assert {"401", "403", "429"} <= codes, (method, path, codes)
        if "{" in path:
            assert "404" in codes, (method, path)
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        if method != "GET" or query:
            assert "400" in codes, (method, path)
        for code in codes - {"200", "201", "202", "204"}:
            content = operation["responses"][code]["content"]
            assert list(content) == ["application/json"], (method, path, code)


def test_upload_documents_the_size_limit(db):
    responses = _schema()["paths"]["/api/v1/practices/{practice_slug}/submissions/"]["post"][
        "responses"
    ]
    assert {"202", "200", "400", "413"} <= set(responses)
    assert "File larger than the upload limit" in responses["413"]["description"]


def test_fields_that_can_be_null_say_so(db):
    components = _schema()["components"]["schemas"]
    assert components["Submission"]["properties"]["uploaded_by"]["nullable"] is True
    assert components["Invitation"]["properties"]["invited_by"]["nullable"] is True
    assert components["PracticeAPIKey"]["properties"]["created_by"]["nullable"] is True


def test_template_path_parameters_name_their_values(db):
    operation = _schema()["paths"]["/api/v1/submission-templates/{kind}.{file_format}"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    from practices.submissions import kinds

    assert parameters["kind"]["enum"] == sorted(kinds.codes())
    assert {"practice_financials", "provider_year", "rvu_detail"} <= set(kinds.codes())
    assert parameters["file_format"]["enum"] == ["csv", "xlsx"]
    assert set(operation["responses"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_an_unknown_api_address_answers_json_404(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
