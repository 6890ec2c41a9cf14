"""Benchmark pages: members see published figures and their own position (chart and table);
staff pages are for the analyst group; drafts never reach members."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from benchmarks import services
from benchmarks.models import BenchmarkRelease, ReferenceFigure, RuleSettings
from tests.factories import UserFactory


def position(practice):
    return reverse("practice_benchmarks:position", kwargs={"practice_slug": practice.slug})


def test_position_page_has_charts_tables_and_own_local_ids(
    client_as, viewer_a, practice_a, coalition
):
    services.reference_figures_seed()
    response = client_as(viewer_a).get(position(practice_a), {"year": 2024})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') >= 12  # a band and a trend chart per metric
    assert "<desc id=" in html and "<table" in html
    own = [
        p.local_id
        for p in coalition.data[2024].providers
        if p.practice_id == practice_a.pk and p.clinical_fte >= 0.5
    ]
    assert all(local_id in html for local_id in own)
    assert "10,693" in html  # the reference figure of the brief, beside the chart
    others = [p.local_id for p in coalition.data[2024].providers if p.practice_id != practice_a.pk]
    assert not any(local_id in html for local_id in others)
    assert "Beta Imaging" not in html


def test_the_typical_range_band_is_the_reference_figures_staff_edit(
    client_as, viewer_a, analyst, practice_a, coalition
):
    """One typical range: the hospital-support charts draw the two reference figures the
    economics model reads, as staff last edited them, and no band without them."""
    from benchmarks.economics import services as economics_services

    def support_chart() -> str:
        html = client_as(viewer_a).get(position(practice_a), {"year": 2024}).content.decode()
        start = html.index('id="band-support_needed_per_fte-title"')
        return html[start : html.index("</svg>", start)]

    assert 'class="typical-range"' not in support_chart()
    economics_services.typical_range_seed()
    chart = support_chart()
    assert 'class="typical-range"' in chart and "typical range, $100,000–$300,000" in chart
    assert "ref. typ. high" not in chart  # the ends are the band, not two more lines
    high = ReferenceFigure.objects.get(metric="support_needed_per_fte", statistic="range_high")
    edit = reverse("staff_benchmarks:reference_edit", kwargs={"referencefigure_id": high.pk})
    data = {
        "metric": high.metric,
        "statistic": high.statistic,
        "value": "350000",
        "source": high.source,
        "survey_year": "",
    }
    assert client_as(analyst).post(edit, data).status_code == 302
    assert "typical range, $100,000–$350,000" in support_chart()
    page = client_as(viewer_a).get(
        reverse("benchmarks:index"), {"metric": "support_needed_per_fte", "year": 2024}
    )
    assert "typical range, $100,000–$350,000" in page.content.decode()


def test_the_position_page_reads_reference_figures_once(
    client_as, viewer_a, practice_a, coalition, django_assert_max_num_queries
):
    """Every metric's chart, its reference lines and its typical range come from one read of
    the reference figures, not a query per metric."""
    from benchmarks.economics import services as economics_services

    services.reference_figures_seed()
    economics_services.typical_range_seed()
    client = client_as(viewer_a)
    client.get(position(practice_a), {"year": 2024})
    with django_assert_max_num_queries(14) as queries:
        assert client.get(position(practice_a), {"year": 2024}).status_code == 200
    reads = [q for q in queries.captured_queries if "benchmarks_referencefigure" in q["sql"]]
    assert len(reads) == 1


def test_a_typical_range_is_two_ends_of_one_source():
    from benchmarks.selectors import TypicalRange

    def figure(statistic, source, value):
        return ReferenceFigure(
            metric="support_needed_per_fte", statistic=statistic, source=source, value=value
        )

    low_a, high_a = figure("range_low", "A", 1), figure("range_high", "A", 3)
    high_b = figure("range_high", "B", 9)
    assert TypicalRange.of([high_b, low_a, high_a]) == TypicalRange(low=low_a, high=high_a)
    assert TypicalRange.of([low_a, high_b]).high is None  # no end from the low end's source
    assert not TypicalRange.of([high_b]).complete
    assert TypicalRange.of([figure("p50", "A", 2)]) == TypicalRange(low=None, high=None)


def test_position_page_by_dimension(client_as, viewer_a, practice_a, coalition):
    response = client_as(viewer_a).get(position(practice_a), {"dimension": "subspecialty"})
    assert response.status_code == 200
    assert "does not apply to this practice-level metric" in response.content.decode()


def test_position_page_rejects_bad_filters_with_a_message(
    client_as, viewer_a, practice_a, coalition, draft
):
    for params in ({"year": "abc"}, {"year": 2025}, {"dimension": "zip"}):
        response = client_as(viewer_a).get(position(practice_a), params)
        assert response.status_code == 400
        assert "form-errors" in response.content.decode()


def test_another_practice_position_page_is_404(client_as, admin_b, practice_a, coalition):
    assert client_as(admin_b).get(position(practice_a)).status_code == 404


def test_position_export_from_the_site(client_as, viewer_a, practice_a, coalition):
    url = reverse("practice_benchmarks:position_export", kwargs={"practice_slug": practice_a.slug})
    response = client_as(viewer_a).get(url, {"format": "csv", "year": 2023})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["year"] for r in rows} == {"2023"}
    assert client_as(viewer_a).get(url, {"format": "pdf"}).status_code == 400


def test_coalition_page_shows_published_figures(client_as, viewer_a, coalition, draft):
    response = client_as(viewer_a).get(
        reverse("benchmarks:index"), {"metric": "comp_per_fte", "dimension": "region"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Total compensation per clinical FTE" in html and 'role="img"' in html
    assert '<option value="2025"' not in html  # a draft year is not offered
    assert client_as(viewer_a).get(reverse("benchmarks:index"), {"year": 2025}).status_code == 400
    assert client_as(viewer_a).get(reverse("benchmarks:index"), {"metric": "x"}).status_code == 400


def test_members_see_published_releases_and_get_404_for_drafts(
    client_as, viewer_a, analyst, coalition, draft
):
    published = coalition.releases[2024]
    for user in (viewer_a, analyst):
        client = client_as(user)
        url = reverse("benchmarks:release", kwargs={"benchmarkrelease_id": published.pk})
        assert client.get(url).status_code == 200
        draft_url = reverse("benchmarks:release", kwargs={"benchmarkrelease_id": draft.pk})
        assert client.get(draft_url).status_code == 404
        export = reverse("benchmarks:release_export", kwargs={"benchmarkrelease_id": draft.pk})
        assert client.get(export).status_code == 404


def test_release_export_from_the_site(client_as, viewer_a, coalition):
    url = reverse(
        "benchmarks:release_export", kwargs={"benchmarkrelease_id": coalition.releases[2023].pk}
    )
    response = client_as(viewer_a).get(url, {"format": "csv"})
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0] == (
        "metric,year,dimension,value,n_practices,n_observations,mean,p10,p25,p50,p75,p90,"
        "suppressed,suppression_reason"
    )
    assert client_as(viewer_a).get(url, {"format": "docx"}).status_code == 400


def test_users_outside_the_coalition_cannot_read_benchmarks(client_as, coalition):
    assert client_as(UserFactory()).get(reverse("benchmarks:index")).status_code == 403


# --- staff --------------------------------------------------------------------------------------
STAFF_PAGES = ["release", "suppression", "compare", "verify"]


def test_analyst_reads_every_staff_page(client_as, analyst, coalition, draft):
    client = client_as(analyst)
    assert client.get(reverse("staff_benchmarks:releases")).status_code == 200
    for name in STAFF_PAGES:
        url = reverse(f"staff_benchmarks:{name}", kwargs={"benchmarkrelease_id": draft.pk})
        response = client.get(url)
        assert response.status_code == 200, name
    assert client.get(reverse("staff_benchmarks:rules")).status_code == 200
    assert client.get(reverse("staff_benchmarks:references")).status_code == 200


def test_suppression_report_page_lists_reasons_and_needs(client_as, analyst, coalition):
    url = reverse(
        "staff_benchmarks:suppression", kwargs={"benchmarkrelease_id": coalition.releases[2024].pk}
    )
    html = client_as(analyst).get(url).content.decode()
    assert "min_practices" in html and "more practice" in html


def test_verify_page_says_identical(client_as, analyst, coalition):
    url = reverse(
        "staff_benchmarks:verify", kwargs={"benchmarkrelease_id": coalition.releases[2023].pk}
    )
    assert "Identical" in client_as(analyst).get(url).content.decode()


def test_compare_page_rejects_a_malformed_id(client_as, analyst, coalition):
    url = reverse(
        "staff_benchmarks:compare", kwargs={"benchmarkrelease_id": coalition.releases[2024].pk}
    )
    assert client_as(analyst).get(url, {"against": "abc"}).status_code == 400
    assert client_as(analyst).get(url, {"against": "999999"}).status_code == 404
    response = client_as(analyst).get(url, {"against": coalition.releases[2023].pk, "show": "all"})
    assert response.status_code == 200


@pytest.mark.parametrize("group", [None, "pso_staff", "purchasing"])
def test_staff_pages_need_the_analyst_permissions(
    client_as, make_staff, coalition, group, viewer_a
):
    user = viewer_a if group is None else make_staff(group)
    client = client_as(user)
    assert client.get(reverse("staff_benchmarks:releases")).status_code == 403
    url = reverse(
        "staff_benchmarks:publish", kwargs={"benchmarkrelease_id": coalition.releases[2023].pk}
    )
    assert client.post(url).status_code == 403


def test_analyst_computes_and_publishes_from_the_pages(
    client_as, analyst, coalition, django_capture_on_commit_callbacks, celery_results_dir
):
    client = client_as(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff_benchmarks:releases"), {"year": 2024})
    assert response.status_code == 302
    draft = BenchmarkRelease.objects.get(year=2024, version=2)
    assert draft.status == "draft"  # computed by the (eager) Celery task after commit
    response = client.post(
        reverse("staff_benchmarks:publish", kwargs={"benchmarkrelease_id": draft.pk})
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == analyst


def test_compute_form_rejects_a_bad_year(client_as, analyst, db):
    response = client_as(analyst).post(reverse("staff_benchmarks:releases"), {"year": "twenty"})
    assert response.status_code == 400
    assert not BenchmarkRelease.objects.exists()


def test_rule_settings_page_saves_and_refuses_the_floor(client_as, analyst, db):
    client = client_as(analyst)
    data = {
        "min_practices": 6,
        "max_practice_share": "0.20",
        "min_observations_central": 5,
        "min_observations_tails": 10,
        "publication_lag_months": 3,
        "min_clinical_fte": "0.5",
    }
    assert client.post(reverse("staff_benchmarks:rules"), data).status_code == 302
    assert RuleSettings.objects.get().min_practices == 6
    response = client.post(
        reverse("staff_benchmarks:rules"), {**data, "max_practice_share": "0.40"}
    )
    assert response.status_code == 400
    assert RuleSettings.objects.get().max_practice_share == Decimal("0.20")


def test_reference_figures_are_managed_by_staff(client_as, analyst, db):
    client = client_as(analyst)
    data = {
        "metric": "wrvu_per_fte",
        "statistic": "p90",
        "value": "15000",
        "source": "Survey X",
        "survey_year": 2024,
    }
    assert client.post(reverse("staff_benchmarks:references"), data).status_code == 302
    figure = ReferenceFigure.objects.get(source="Survey X")
    edit = reverse("staff_benchmarks:reference_edit", kwargs={"referencefigure_id": figure.pk})
    assert client.post(edit, {**data, "value": "15500"}).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 15500
    assert (
        client.post(reverse("staff_benchmarks:references"), {**data, "metric": "bogus"}).status_code
        == 400
    )
    delete = reverse("staff_benchmarks:reference_delete", kwargs={"referencefigure_id": figure.pk})
    assert client.post(delete).status_code == 302
    assert not ReferenceFigure.objects.filter(pk=figure.pk).exists()


def test_publishing_asks_for_confirmation_first(client_as, analyst, coalition):
    draft = services.release_compute(
        release_id=services.release_request(year=2024, enqueue=False).pk
    )
    url = reverse("staff_benchmarks:publish", kwargs={"benchmarkrelease_id": draft.pk})
    page = client_as(analyst).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Publish the 2024 benchmarks v2?" in text
    assert "Members keep reading v1 of 2024" in text and "permanent" in text
    assert f'method="post" action="{url}"' in text
    draft.refresh_from_db()
    assert draft.status == "draft"  # asking is not publishing
    cells = reverse("staff_benchmarks:release", kwargs={"benchmarkrelease_id": draft.pk})
    release_page = client_as(analyst).get(cells).content.decode()
    assert f'<form method="get" action="{url}"><button type="submit" class="primary">Publish…' in (
        release_page
    )


def test_the_publish_button_is_disabled_with_its_date_until_the_year_opens(
    client_as, analyst, coalition, monkeypatch
):
    from datetime import date

    draft = services.release_compute(
        release_id=services.release_request(year=2024, enqueue=False).pk
    )
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2025, 3, 31))
    cells = reverse("staff_benchmarks:release", kwargs={"benchmarkrelease_id": draft.pk})
    text = client_as(analyst).get(cells).content.decode()
    assert 'disabled aria-describedby="opens-on">Publish…</button>' in text
    assert "Publishable from April 1, 2025" in text
    confirm = reverse("staff_benchmarks:publish", kwargs={"benchmarkrelease_id": draft.pk})
    text = client_as(analyst).get(confirm).content.decode()
    assert "disabled" in text and "Publishable from April 1, 2025" in text
    assert 'method="post"' not in text.split("<main")[1].split("</main>")[0]


def test_the_progress_of_a_computation_is_served_as_json(client_as, analyst, coalition):
    release = services.release_request(year=2024, enqueue=False)
    url = reverse("staff_benchmarks:progress", kwargs={"benchmarkrelease_id": release.pk})
    state = client_as(analyst).get(url).json()
    assert state["status"] == "queued" and state["processing"] is True
    listing = client_as(analyst).get(reverse("staff_benchmarks:releases")).content.decode()
    assert f'data-release-progress="{url}"' in listing and "<progress" in listing
    assert "benchmarks/release-progress" in listing and "<script>" not in listing
    services.release_compute(release_id=release.pk)
    state = client_as(analyst).get(url).json()
    assert state["status"] == "draft" and state["processing"] is False


def test_the_progress_of_a_computation_is_for_staff_only(client_as, viewer_a, coalition):
    release = coalition.releases[2024]
    url = reverse("staff_benchmarks:progress", kwargs={"benchmarkrelease_id": release.pk})
    assert client_as(viewer_a).get(url).status_code == 403
