"""The quality page, its export and API: the practice's own figures, the coalition's, scoping."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.urls import reverse

from benchmarks import services as benchmark_services
from tests.benchmarks.factories import practices as make_practices
from tests.quality.helpers import generate_practice_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(practice_a, practice_b):
    members = [practice_a, practice_b, *make_practices(6, prefix="qpage")]
    rng = random.Random(7)
    raw = {p.pk: generate_practice_year(p, rng, i, year=2024) for i, p in enumerate(members)}
    release = benchmark_services.release_request(year=2024, enqueue=False)
    release = benchmark_services.release_compute(release_id=release.pk)
    release = benchmark_services.release_publish(release=release, user=None, today=date(2025, 6, 1))
    return members, raw, release


def test_quality_page_shows_coalition_target_and_own_breakdowns(client_as, viewer_a, published):
    response = client_as(viewer_a).get(reverse("quality:page", kwargs={"practice_slug": "alpha"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Coalition figures of the 2024 release" in html
    assert "Peer review major discrepancies (%)" in html
    assert "Target band from 8" in html and "Target: above 95" in html
    assert "Target: at most 30 minutes" in html  # the ED target, drawn on the chart
    assert "better than" in html and "<svg" in html
    assert "R1" in html  # the practice's own provider id
    assert "Your report turnaround, 2024" in html
    # Other practices' raw figures and names never appear.
    assert "Beta Imaging" not in html


def test_quality_export_and_api(client_as, api_as, viewer_a, published):
    client = client_as(viewer_a)
    url = reverse("quality:export", kwargs={"practice_slug": "alpha"})
    csv_text = client.get(url, {"format": "csv", "year": 2024}).content.decode()
    assert csv_text.splitlines()[0].startswith("section,year,metric,group,figure")
    assert "tat_median_minutes_ed" in csv_text
    assert client.get(url, {"format": "pdf"}).status_code == 400
    assert client.get(url, {"format": "csv", "year": "soon"}).status_code == 400
    api = api_as(viewer_a)
    body = api.get("/api/v1/practices/alpha/quality/", {"year": 2024}).json()
    assert body["year"] == 2024 and body["release"] == published[2].pk
    metrics = {m["metric"]: m for m in body["metrics"]}
    assert metrics["mammography_recall_pct"]["better"] == "band"
    assert metrics["mammography_recall_pct"]["target_low"] == "8.0000"
    assert metrics["tat_median_minutes_ed"]["target_high"] == "30.0000"
    assert body["peer_review"]["provider"][0]["group"] == "R1"
    assert api.get("/api/v1/practices/alpha/quality/", {"year": 1999}).status_code == 400
    export = api.get("/api/v1/practices/alpha/quality/export/", {"format": "csv", "year": 2024})
    assert export.status_code == 200 and b"peer_review_major_discrepancy_pct" in export.content


def test_another_practice_gets_404(client_as, api_as, admin_b, practice_a, db):
    assert client_as(admin_b).get("/practices/alpha/quality/").status_code == 404
    assert api_as(admin_b).get("/api/v1/practices/alpha/quality/").status_code == 404


def test_page_without_data(client_as, viewer_a):
    response = client_as(viewer_a).get("/practices/alpha/quality/")
    assert response.status_code == 200
    assert "No quality data yet" in response.content.decode()
