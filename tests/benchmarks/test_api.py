"""Benchmarks API: members get published releases and cells only, their own practice's
position only, and bad input answers 4xx with a message."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from benchmarks.models import BenchmarkCell
from practices import services as practice_services
from tests.factories import UserFactory

CELLS = "/api/v1/benchmarks/cells/"
RELEASES = "/api/v1/benchmarks/releases/"


def position_url(practice):
    return f"/api/v1/practices/{practice.slug}/benchmarks/position/"


def test_members_list_published_releases_only(api_as, viewer_a, coalition, draft):
    response = api_as(viewer_a).get(RELEASES)
    assert response.status_code == 200
    ids = {r["id"] for r in response.json()["results"]}
    assert ids == {r.pk for r in coalition.releases.values()}
    assert draft.pk not in ids
    assert {r["status"] for r in response.json()["results"]} == {"published"}


def test_members_get_a_published_release_and_404_for_a_draft(api_as, viewer_a, coalition, draft):
    client = api_as(viewer_a)
    published = coalition.releases[2024]
    response = client.get(f"{RELEASES}{published.pk}/")
    assert response.status_code == 200
    assert response.json()["rule_settings"]["min_practices"] == 5
    assert client.get(f"{RELEASES}{draft.pk}/").status_code == 404
    assert client.get(f"{RELEASES}999999/").status_code == 404
    assert client.get(f"{RELEASES}{draft.pk}/export/?format=csv").status_code == 404


def test_staff_do_not_get_drafts_through_the_member_api(api_as, analyst, draft, coalition):
    assert api_as(analyst).get(f"{RELEASES}{draft.pk}/").status_code == 404


def test_cells_filter_by_metric_year_and_dimension(api_as, viewer_a, coalition, draft):
    response = api_as(viewer_a).get(
        CELLS, {"metric": "wrvu_per_fte", "year": 2024, "dimension": "region"}
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    stored = BenchmarkCell.objects.filter(
        release=coalition.releases[2024], metric="wrvu_per_fte", dimension="region"
    )
    assert {r["value"] for r in rows} == {c.value for c in stored}
    assert {(r["year"], r["metric"], r["dimension"]) for r in rows} == {
        (2024, "wrvu_per_fte", "region")
    }
    # Without a year: each published year's current release, never the 2025 draft.
    years = {
        r["year"] for r in api_as(viewer_a).get(CELLS, {"metric": "comp_per_fte"}).json()["results"]
    }
    assert years == {2023, 2024}


def test_suppressed_cells_have_no_figures_and_say_why(api_as, viewer_a, coalition):
    response = api_as(viewer_a).get(CELLS, {"suppressed": "true"})
    rows = response.json()["results"]
    assert rows, "the test coalition has suppressed cells"
    for row in rows:
        assert row["suppression_reasons"]
        for name in ("n_practices", "n_observations", "mean", "p10", "p25", "p50", "p75", "p90"):
            assert row[name] is None
    for row in api_as(viewer_a).get(CELLS, {"suppressed": "false"}).json()["results"]:
        assert row["n_practices"] >= 5
        assert "max_practice_observations" not in row


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"metric": "nonsense"}, "metric"),
        ({"dimension": "zip_code"}, "dimension"),
        ({"release": "1; DROP TABLE"}, "release"),
        ({"suppressed": "maybe"}, "suppressed"),
    ],
)
def test_bad_cell_filters_answer_400_naming_the_parameter(
    api_as, viewer_a, coalition, params, field
):
    response = api_as(viewer_a).get(CELLS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_draft_release_id_as_a_filter_gives_nothing(api_as, viewer_a, draft):
    response = api_as(viewer_a).get(CELLS, {"release": draft.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_cells_api_query_count_does_not_grow_with_cells(
    api_as, viewer_a, coalition, django_assert_max_num_queries
):
    client = api_as(viewer_a)
    with django_assert_max_num_queries(10):
        response = client.get(CELLS)
    assert len(response.json()["results"]) == 100  # a full page, in a fixed number of queries


def test_users_without_a_practice_or_staff_role_are_refused(api_as, coalition):
    outsider = UserFactory()
    assert api_as(outsider).get(CELLS).status_code == 403
    assert api_as(outsider).get(RELEASES).status_code == 403


def test_anonymous_is_refused(api_client, coalition):
    assert api_client.get(CELLS).status_code in (401, 403)


def test_api_key_of_a_practice_reads_cells_and_its_own_position(
    api_client, admin_a, practice_a, practice_b, coalition
):
    _, raw = practice_services.api_key_create(practice=practice_a, name="bot", created_by=admin_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get(CELLS, {"year": 2024}).status_code == 200
    assert api_client.get(position_url(practice_a)).status_code == 200
    assert api_client.get(position_url(practice_b)).status_code == 404


# --- exports ----------------------------------------------------------------------------------
def test_cells_export_csv_and_xlsx(api_as, viewer_a, coalition):
    client = api_as(viewer_a)
    response = client.get(f"{CELLS}export/", {"format": "csv", "year": 2024})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == BenchmarkCell.objects.filter(release=coalition.releases[2024]).count()
    assert list(rows[0]) == [
        "metric",
        "year",
        "dimension",
        "value",
        "n_practices",
        "n_observations",
        "mean",
        "p10",
        "p25",
        "p50",
        "p75",
        "p90",
        "suppressed",
        "suppression_reason",
    ]
    for row in rows:
        if row["suppressed"] == "true":
            assert row["p50"] == row["n_observations"] == ""
    response = client.get(f"{RELEASES}{coalition.releases[2023].pk}/export/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "metric" and header[-1] == "suppression_reason"


def test_unknown_export_format_is_a_400_with_a_message(api_as, viewer_a, coalition):
    response = api_as(viewer_a).get(f"{CELLS}export/", {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.json()
    response = api_as(viewer_a).get(f"{CELLS}export/", {"format": "csv", "year": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "year" in response.json()


# --- position ---------------------------------------------------------------------------------
def test_position_shows_own_figures_with_local_ids(api_as, viewer_a, practice_a, coalition):
    response = api_as(viewer_a).get(position_url(practice_a), {"year": 2024})
    assert response.status_code == 200
    body = response.json()
    assert body["practice"] == practice_a.slug and body["year"] == 2024
    wrvu = next(m for m in body["metrics"] if m["metric"] == "wrvu_per_fte")
    group = wrvu["groups"][0]
    own_ids = {
        p.local_id
        for p in coalition.data[2024].providers
        if p.practice_id == practice_a.pk and p.clinical_fte >= 0.5
    }
    assert {p["local_id"] for p in group["providers"]} == own_ids
    assert group["coalition"]["p50"] is not None
    assert [t["year"] for t in wrvu["trend"]] == [2023, 2024]
    refs = next(m for m in body["metrics"] if m["metric"] == "comp_per_wrvu")["references"]
    assert refs == []  # none entered in this test


def test_position_never_names_another_practice(api_as, viewer_a, practice_a, practice_b, coalition):
    text = (
        api_as(viewer_a)
        .get(position_url(practice_a), {"dimension": "subspecialty"})
        .content.decode()
    )
    assert practice_b.name not in text and practice_b.slug not in text
    other_ids = {
        p.local_id for p in coalition.data[2024].providers if p.practice_id != practice_a.pk
    }
    assert not any(local_id in text for local_id in other_ids)


def test_position_of_another_practice_is_404(api_as, admin_b, practice_a, coalition):
    assert api_as(admin_b).get(position_url(practice_a)).status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"year": 2025}, {"dimension": "zip"}, {"metric": "nonsense"}, {"year": 1999}],
)
def test_bad_position_parameters_answer_400(api_as, viewer_a, practice_a, coalition, draft, params):
    response = api_as(viewer_a).get(position_url(practice_a), params)
    assert response.status_code == 400
    assert set(response.json()) & {"year", "dimension", "metric"}


def test_position_before_anything_is_published_is_empty(api_as, viewer_a, practice_a, db):
    response = api_as(viewer_a).get(position_url(practice_a))
    assert response.status_code == 200
    assert response.json() == {
        "practice": practice_a.slug,
        "year": None,
        "release": None,
        "metrics": [],
    }


def test_position_query_count_is_bounded(
    api_as, viewer_a, practice_a, coalition, django_assert_max_num_queries
):
    client = api_as(viewer_a)
    with django_assert_max_num_queries(14):
        response = client.get(position_url(practice_a), {"dimension": "subspecialty"})
    assert response.status_code == 200


def test_position_export_has_local_ids(api_as, viewer_a, practice_a, coalition):
    response = api_as(viewer_a).get(f"{position_url(practice_a)}export/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert any(r["row"] == "provider" and r["local_id"].startswith("ALPHA-") for r in rows)
    assert any(r["row"] == "practice median" for r in rows)


def test_rows_have_the_documented_shape_and_stored_values(api_as, viewer_a, coalition):
    from benchmarks.api.serializers import CellSerializer

    response = api_as(viewer_a).get(
        CELLS, {"year": 2024, "metric": "wrvu_per_fte", "dimension": "all"}
    )
    (row,) = response.json()["results"]
    assert list(row) == list(CellSerializer().fields)
    cell = BenchmarkCell.objects.get(
        release=coalition.releases[2024], metric="wrvu_per_fte", dimension="all"
    )
    assert row["p50"] == f"{cell.p50:.4f}" and row["mean"] == f"{cell.mean:.4f}"
    assert row["n_observations"] == cell.n_observations and row["release"] == cell.release_id


@pytest.mark.parametrize("direction", ["", "-"])
def test_ordering_by_counts_never_places_suppressed_cells_by_their_hidden_counts(
    api_as, viewer_a, coalition, direction
):
    response = api_as(viewer_a).get(
        CELLS, {"year": 2024, "metric": "wrvu_per_fte", "ordering": f"{direction}n_observations"}
    )
    rows = response.json()["results"]
    flags = [r["suppressed"] for r in rows]
    assert True in flags and flags == sorted(flags)  # every suppressed cell comes last
    hidden = [(r["dimension"], r["value"]) for r in rows if r["suppressed"]]
    assert hidden == sorted(hidden)  # among themselves: by name, not by count
    shown = [r["n_observations"] for r in rows if not r["suppressed"]]
    assert shown == sorted(shown, reverse=direction == "-")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"ordering": "max_practice_observations"}, 400),
        ({"year": "2024.5"}, 400),
        ({"page": "abc"}, 404),
        ({"page": "99"}, 404),
    ],
)
def test_more_bad_cell_requests(api_as, viewer_a, coalition, params, status):
    assert api_as(viewer_a).get(CELLS, params).status_code == status


def test_paging_links(api_as, viewer_a, coalition):
    first = api_as(viewer_a).get(CELLS).json()
    assert first["count"] == BenchmarkCell.objects.count() and first["previous"] is None
    second = api_as(viewer_a).get(first["next"]).json()
    assert second["previous"] and len(first["results"]) + len(second["results"]) == first["count"]


def test_a_new_publication_shows_at_once_in_this_process(api_as, viewer_a, coalition):
    from tests.benchmarks.conftest import publish_year

    client = api_as(viewer_a)
    params = {"year": 2024, "metric": "comp_per_fte", "dimension": "all"}
    assert client.get(CELLS, params).json()["results"][0]["release"] == coalition.releases[2024].pk
    newer = publish_year(2024)
    assert client.get(CELLS, params).json()["results"][0]["release"] == newer.pk


def test_a_publication_elsewhere_shows_once_the_stamp_is_read_again(
    api_as, viewer_a, coalition, monkeypatch
):
    from benchmarks import selectors, services

    client = api_as(viewer_a)
    params = {"year": 2024, "metric": "comp_per_fte", "dimension": "all"}
    assert client.get(CELLS, params).json()["results"][0]["release"] == coalition.releases[2024].pk
    # Another process publishes: this process's stamp is not reset, only re-read after a while.
    monkeypatch.setattr(selectors, "published_stamp_reset", lambda: None)
    draft = services.release_compute(
        release_id=services.release_request(year=2024, enqueue=False).pk
    )
    services.release_publish(release=draft, user=None, today=date(2025, 6, 1))
    monkeypatch.setattr(selectors, "STAMP_SECONDS", 0.0)
    assert client.get(CELLS, params).json()["results"][0]["release"] == draft.pk


def test_position_schema_describes_one_object(db):
    """The position endpoint answers one object (practice, year, release, metrics)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/practices/{practice_slug}/benchmarks/position/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Position"}
    position = schema["components"]["schemas"]["Position"]
    assert set(position["properties"]) == {"practice", "year", "release", "metrics"}
