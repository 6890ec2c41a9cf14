"""Who sees what, on the pages and the API: the reporting practice and PSO staff only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quality.pso.models import EventAccess, SafetyEvent
from tests.pso.factories import report


@pytest.fixture
def pso(make_staff):
    return make_staff("pso_staff")


@pytest.fixture
def event(practice_a, admin_a):
    return report(practice_a, reporter=admin_a)


def test_report_form_creates_an_event_anonymously(client_as, practice_a, viewer_a):
    response = client_as(viewer_a).post(
        reverse("pso:report", kwargs={"practice_slug": practice_a.slug}),
        {
            "event_type": "fall",
            "event_class": "incident",
            "harm": "mild",
            "discovered_on": "2025-05-02",
            "modality": "XR",
            "preventability": "unknown",
            "contributing_factors": ["environment"],
            "narrative": "Slipped stepping off the table.",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    created = SafetyEvent.objects.for_practice(practice_a).get()
    assert created.reporter is None and created.anonymous


def test_report_form_refuses_an_identifier_in_place(client_as, practice_a, viewer_a):
    response = client_as(viewer_a).post(
        reverse("pso:report", kwargs={"practice_slug": practice_a.slug}),
        {
            "event_type": "fall",
            "event_class": "incident",
            "harm": "mild",
            "discovered_on": "2025-05-02",
            "modality": "XR",
            "preventability": "unknown",
            "narrative": "Mrs. Okafor slipped stepping off the table.",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "a person&#x27;s name at characters 1-11" in html or "a person's name" in html
    assert SafetyEvent.objects.for_practice(practice_a).count() == 0


@pytest.mark.parametrize("who", ["analyst", "purchasing"])
def test_other_staff_cannot_open_pso_pages(client_as, make_staff, event, who):
    client = client_as(make_staff(who))
    for url in (
        reverse("staff_pso:queue"),
        reverse("staff_pso:event", kwargs={"event_id": event.pk}),
        reverse("staff_pso:export", kwargs={"file_format": "csv"}),
    ):
        assert client.get(url).status_code == 403


def test_pso_staff_read_is_recorded_and_shown_to_the_practice(client_as, pso, event, admin_a):
    response = client_as(pso).get(reverse("staff_pso:event", kwargs={"event_id": event.pk}))
    assert response.status_code == 200
    access = EventAccess.objects.for_practice(event.practice).get()
    assert access.user == pso
    page = client_as(admin_a).get(
        reverse("pso:access_log", kwargs={"practice_slug": event.practice.slug})
    )
    assert pso.email in page.content.decode()


def test_other_practice_gets_404(client_as, event, admin_b, practice_b):
    url = reverse(
        "pso:event", kwargs={"practice_slug": practice_b.slug, "safetyevent_id": event.pk}
    )
    assert client_as(admin_b).get(url).status_code == 404


def test_workspace_walks_the_workflow(client_as, pso, event, admin_a):
    client = client_as(pso)
    url = reverse("staff_pso:event", kwargs={"event_id": event.pk})
    assert (
        client.post(url, {"step": "triage", "likelihood": "likely", "owner": pso.pk}).status_code
        == 302
    )
    assert client.post(url, {"step": "start_analysis"}).status_code == 302
    bad = client.post(
        url, {"step": "analysis", "team": "Dr. Who", "timeline": "", "causal_statements": ""}
    )
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "step": "action",
            "description": "Screening question",
            "strength": "stronger",
            "owner": pso.pk,
            "due_on": "2030-01-01",
        },
    )
    assert ok.status_code == 302
    assert client.post(url, {"step": "close", "reason": ""}).status_code == 302
    event.refresh_from_db()
    assert event.status == "closed"


def test_api_report_list_and_field_errors(api_as, practice_a, viewer_a):
    client = api_as(viewer_a)
    base = f"/api/v1/practices/{practice_a.slug}/safety-events/"
    bad = client.post(
        base,
        {
            "event_class": "incident",
            "event_type": "fall",
            "harm": "mild",
            "discovered_on": "2025-01-02",
            "modality": "CT",
            "preventability": "unknown",
            "narrative": "Dr. Gray saw it",
        },
        format="json",
    )
    assert bad.status_code == 400 and "narrative" in bad.json()
    good = client.post(
        base,
        {
            "event_class": "incident",
            "event_type": "fall",
            "harm": "mild",
            "discovered_on": "2025-01-02",
            "modality": "CT",
            "preventability": "unknown",
            "anonymous": True,
        },
        format="json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["reporter"] is None
    listed = client.get(base).json()
    assert listed["count"] == 1


def test_api_staff_endpoints_for_pso_only(api_as, pso, event, make_staff):
    assert api_as(make_staff("analyst")).get("/api/v1/pso/events/").status_code == 403
    client = api_as(pso)
    assert client.get("/api/v1/pso/events/").json()["count"] == 1
    detail = client.get(f"/api/v1/pso/events/{event.pk}/")
    assert detail.status_code == 200 and detail.json()["practice_slug"] == event.practice.slug
    triage = client.post(
        f"/api/v1/pso/events/{event.pk}/triage/",
        {"likelihood": "rare", "owner": pso.pk},
        format="json",
    )
    assert triage.status_code == 200 and triage.json()["severity"] == "low"
    again = client.post(
        f"/api/v1/pso/events/{event.pk}/triage/",
        {"likelihood": "rare", "owner": pso.pk},
        format="json",
    )
    assert again.status_code == 400
    assert client.get("/api/v1/pso/export/?file_format=json").status_code == 200
    assert client.get("/api/v1/pso/export/?file_format=pdf").status_code == 400


def test_member_trends_api_withholds_small_counts(api_as, practice_a, viewer_a, event):
    body = api_as(viewer_a).get(f"/api/v1/practices/{practice_a.slug}/safety-events/trends/").json()
    assert body["by_type"]["contrast_reaction"]["2025"]["count"] is None
    assert body["own_by_type"]["contrast_reaction"]["2025"] == 1
