"""The economics page and API: the worked example's figures, who may edit, bad input (a clear
message and 4xx, nothing half-saved), other practices (404), staff (404) and the schema."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from benchmarks.economics.models import EconomicsScenario, ScenarioVersion, SupportAsk
from tests.benchmarks.economics.conftest import DEFICIT, SUPPORT_PER_FTE

pytestmark = pytest.mark.django_db


def page_url(practice, year=2024, name="economics:year", **kwargs):
    return reverse(name, kwargs={"practice_slug": practice.slug, "economics_year": year, **kwargs})


def api_url(practice, year=2024, name="practice-economics-detail", **kwargs):
    return reverse(name, kwargs={"practice_slug": practice.slug, "economics_year": year, **kwargs})


def test_page_shows_the_worked_example(econ, practice_a, viewer_a, client_as, typical_range):
    response = client_as(viewer_a).get(page_url(practice_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "$6,318,609.00" in html and "$195,441.05" in html
    assert "within the typical range" in html
    assert html.count('role="img"') >= 4  # a band per metric and the trend
    assert "$100,000 to $300,000" in html
    # Viewers read; the forms are for admins and submitters.
    assert 'id="scenario-form"' not in html and 'id="ask-form"' not in html
    # No other practice is named.
    for other in econ.members[1:]:
        assert other.name not in html


def test_index_redirects_to_the_latest_year(econ, practice_a, viewer_a, client_as):
    response = client_as(viewer_a).get(
        reverse("economics:index", kwargs={"practice_slug": practice_a.slug})
    )
    assert response.status_code == 302 and response.url.endswith("/economics/2024/")


def test_year_without_financials_says_so(practice_a, viewer_a, client_as):
    response = client_as(viewer_a).get(page_url(practice_a, 2024))
    assert response.status_code == 404
    assert "No approved practice financials for 2024" in response.content.decode()
    response = client_as(viewer_a).get(
        reverse("economics:index", kwargs={"practice_slug": practice_a.slug})
    )
    assert (
        response.status_code == 200
        and "No approved practice financials yet" in response.content.decode()
    )


def test_submitter_saves_and_edits_a_scenario_with_history(
    econ, practice_a, submitter_a, client_as
):
    client = client_as(submitter_a)
    response = client.post(
        page_url(practice_a, name="economics:scenario_save"),
        {
            "name": "At p75",
            "comp_basis": "p75",
            "comp_cell": "all",
            "revenue_per_rvu_change_pct": "0",
            "fte_change": "0",
            "operating_expense_change": "0",
        },
    )
    assert response.status_code == 302
    scenario = EconomicsScenario.objects.for_practice(practice_a).get()
    detail = page_url(practice_a, name="economics:scenario", economicsscenario_id=scenario.pk)
    response = client.post(
        detail,
        {
            "name": "At p75",
            "comp_basis": "p75",
            "comp_cell": "all",
            "revenue_per_rvu_change_pct": "-3",
            "fte_change": "1",
            "operating_expense_change": "0",
            "note": "With one more radiologist",
        },
    )
    assert response.status_code == 302
    html = client.get(detail).content.decode()
    assert "v2" in html and "v1" in html and "With one more radiologist" in html
    assert ScenarioVersion.objects.for_practice(practice_a).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fte_change": "-32.33"}, "must be more than zero"),
        ({"fte_change": "abc"}, "Enter a number"),
        ({"comp_basis": "p50", "comp_cell": "practice_size"}, None),
    ],
)
def test_bad_scenarios_answer_400_and_save_nothing(
    econ, practice_a, admin_a, client_as, data, message
):
    from benchmarks.models import BenchmarkCell

    if "comp_cell" in data:
        band = BenchmarkCell.objects.get(
            release=econ.releases[2024],
            metric="comp_per_fte",
            dimension="practice_size",
            value=practice_a.size_band,
        )
        if not band.suppressed:
            pytest.skip(
                "the size band's cell is published in this coalition"
            )  # covered in test_model
        message = "withheld"
    payload = {
        "name": "Bad",
        "comp_basis": "actual",
        "comp_cell": "auto",
        "revenue_per_rvu_change_pct": "0",
        "fte_change": "0",
        "operating_expense_change": "0",
        **data,
    }
    response = client_as(admin_a).post(
        page_url(practice_a, name="economics:scenario_save"), payload
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EconomicsScenario.objects.for_practice(practice_a).exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-100", "Ensure this value is greater than"), ("lots", "Enter a number")],
)
def test_bad_asks_on_the_page(econ, practice_a, admin_a, client_as, amount, message):
    response = client_as(admin_a).post(
        page_url(practice_a, name="economics:ask_create"),
        {"category": "app_support", "amount": amount, "note": ""},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not SupportAsk.objects.for_practice(practice_a).exists()


def test_viewer_cannot_write(econ, practice_a, viewer_a, client_as):
    response = client_as(viewer_a).post(
        page_url(practice_a, name="economics:ask_create"),
        {"category": "app_support", "amount": "5"},
    )
    assert response.status_code == 403
    assert not SupportAsk.objects.for_practice(practice_a).exists()


def test_other_practice_and_staff_get_404(econ, practice_a, admin_b, analyst, client_as, api_as):
    for user in (admin_b, analyst):
        assert client_as(user).get(page_url(practice_a)).status_code == 404
        assert api_as(user).get(api_url(practice_a)).status_code == 404
        assert (
            client_as(user)
            .get(page_url(practice_a, name="economics:brief") + "?format=json")
            .status_code
            == 404
        )


def test_brief_downloads_from_the_page(econ, practice_a, viewer_a, client_as):
    client = client_as(viewer_a)
    response = client.get(page_url(practice_a, name="economics:brief") + "?format=json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert (data["deficit"], data["support_needed_per_fte"]) == (DEFICIT, SUPPORT_PER_FTE)
    response = client.get(page_url(practice_a, name="economics:brief") + "?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    response = client.get(page_url(practice_a, name="economics:brief"))
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    assert 'filename="alpha-economics-2024.pdf"' in response["Content-Disposition"]
    assert (
        client.get(page_url(practice_a, name="economics:brief") + "?format=doc").status_code == 400
    )
    response = client.get(
        page_url(practice_a, name="economics:brief") + "?format=pdf&scenario=Nope"
    )
    assert response.status_code == 400 and b"No saved scenario named 'Nope'" in response.content


# --- API ----------------------------------------------------------------------------------------
def test_api_model_of_the_worked_example(econ, practice_a, viewer_a, api_as, typical_range):
    response = api_as(viewer_a).get(api_url(practice_a))
    assert response.status_code == 200
    data = response.json()
    assert data["deficit"] == DEFICIT and data["support_needed_per_fte"] == SUPPORT_PER_FTE
    assert data["financials"]["radiologist_fte"] == "32.33"
    assert data["typical_range"]["low"] == "100000.00" and data["typical_range"]["position"]
    assert [d["metric"] for d in data["distribution"]] == [
        "support_needed_per_fte",
        "revenue_per_fte",
        "expense_per_fte",
    ]
    for position in data["distribution"]:
        for cell in position["cells"]:
            if cell["suppressed"]:
                assert cell["p50"] is None and cell["n_practices"] is None
    assert api_as(viewer_a).get(
        reverse("practice-economics-list", kwargs={"practice_slug": practice_a.slug})
    ).json() == [
        {"year": 2024},
        {"year": 2023},
    ]


def test_api_scenarios_and_asks(econ, practice_a, submitter_a, viewer_a, api_as):
    client = api_as(submitter_a)
    scenarios = api_url(practice_a, name="practice-economics-scenario-list")
    response = client.post(scenarios, {"name": "Median pay", "comp_basis": "p50"}, format="json")
    assert response.status_code == 201, response.content
    scenario = response.json()
    assert scenario["versions"] == 1 and scenario["latest"]["comp_basis"] == "p50"
    detail = api_url(
        practice_a, name="practice-economics-scenario-detail", economicsscenario_id=scenario["id"]
    )
    response = client.patch(detail, {"fte_change": "2.00"}, format="json")
    assert response.status_code == 200 and response.json()["versions"] == 2
    assert response.json()["latest"]["comp_basis"] == "p50"  # PATCH keeps the other settings
    history = client.get(detail + "versions/").json()
    assert [v["number"] for v in history] == [2, 1]

    asks = api_url(practice_a, name="practice-economics-ask-list")
    response = client.post(
        asks,
        {"category": "interventional_call", "amount": "600000.00", "note": "24/7 IR"},
        format="json",
    )
    assert response.status_code == 201
    for bad in (
        {"category": "app_support", "amount": "-1"},
        {"category": "app_support", "amount": "x"},
        {"category": "golf", "amount": "1"},
    ):
        response = client.post(asks, bad, format="json")
        assert response.status_code == 400, bad
    assert SupportAsk.objects.for_practice(practice_a).count() == 1
    model = client.get(api_url(practice_a)).json()
    assert model["asks"]["total"] == "600000.00" and model["asks"]["cost_basis"] == DEFICIT
    assert [o["name"] for o in model["scenarios"]["saved"]] == ["Median pay"]

    # Viewers read, do not write.
    viewer = api_as(viewer_a)
    assert viewer.get(scenarios).status_code == 200
    assert (
        viewer.post(asks, {"category": "app_support", "amount": "1"}, format="json").status_code
        == 403
    )


def test_api_bad_scenario_is_400_and_nothing_saved(econ, practice_a, admin_a, api_as):
    scenarios = api_url(practice_a, name="practice-economics-scenario-list")
    response = api_as(admin_a).post(scenarios, {"name": "Gone", "fte_change": "-40"}, format="json")
    assert response.status_code == 400 and "more than zero" in response.json()["detail"]
    response = api_as(admin_a).post(
        scenarios, {"name": "Gone", "fte_change": "many"}, format="json"
    )
    assert response.status_code == 400 and "fte_change" in response.json()
    assert not EconomicsScenario.objects.for_practice(practice_a).exists()


def test_api_year_without_financials_is_404(practice_a, viewer_a, api_as):
    response = api_as(viewer_a).get(api_url(practice_a, 2024))
    assert (
        response.status_code == 404
        and "No approved practice financials" in response.json()["detail"]
    )
    assert (
        api_as(viewer_a)
        .get(api_url(practice_a, 2024, name="practice-economics-ask-list"))
        .status_code
        == 404
    )


def test_api_brief_files(econ, practice_a, viewer_a, api_as):
    client = api_as(viewer_a)
    brief = api_url(practice_a, name="practice-economics-brief")
    response = client.get(brief, {"format": "json"})
    assert response.status_code == 200 and json.loads(response.content)["deficit"] == DEFICIT
    assert client.get(brief, {"format": "pdf"}).content[:5] == b"%PDF-"
    assert client.get(brief, {"format": "xlsx"}).content[:2] == b"PK"
    response = client.get(brief, {"format": "docx"})
    assert response.status_code == 400 and "format" in response.json()


def test_schema_documents_the_economics_endpoints(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    schema = response.json()
    paths = schema["paths"]
    model_path = "/api/v1/practices/{practice_slug}/economics/{economics_year}/"
    assert model_path in paths
    assert "/api/v1/practices/{practice_slug}/economics/{economics_year}/scenarios/" in paths
    assert (
        "/api/v1/practices/{practice_slug}/economics/{economics_year}/asks/{supportask_id}/"
        in paths
    )
    ref = paths[model_path]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["properties"]["deficit"]["format"] == "decimal"
    assert component["properties"]["deficit"]["type"] == "string"
