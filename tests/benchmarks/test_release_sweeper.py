"""Releases survive a broker outage and a dead computation: the request is saved as queued and
says the queue is down (no 500), and the sweeper sends again the releases that were queued but
never started or whose computation died (no live transaction holds the release's row)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from benchmarks import services
from benchmarks.models import BenchmarkRelease
from tests.faults import raw_connection

# Runs again in .ci/run's second pass, against the machine's PostgreSQL server and Redis.
pytestmark = pytest.mark.services


@pytest.mark.django_db(transaction=True)
def test_a_release_requested_while_the_broker_is_down_is_saved_and_says_so():
    from coalition.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # sent for real, to a broker that refuses
    try:
        with mock.patch(
            "benchmarks.tasks.compute_release.delay", side_effect=OperationalError("refused")
        ):
            release = services.release_request(year=2022)
    finally:
        app.conf.task_always_eager = eager
    assert release.enqueued.failed
    assert BenchmarkRelease.objects.get(pk=release.pk).status == "queued"


@pytest.mark.django_db(transaction=True)
def test_the_compute_page_answers_clearly_while_the_broker_is_down(client_as, analyst):
    from coalition.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with mock.patch(
            "benchmarks.tasks.compute_release.delay", side_effect=OperationalError("refused")
        ):
            response = client_as(analyst).post(
                reverse("staff_benchmarks:releases"), {"year": 2024}, follow=True
            )
    finally:
        app.conf.task_always_eager = eager
    assert response.status_code == 200
    assert "cannot be reached" in response.content.decode()
    assert BenchmarkRelease.objects.get(year=2024).status == "queued"


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_requeues_queued_and_dead_releases_only(settings):
    settings.SUBMISSION_REQUEUE_SECONDS = 300
    old = timezone.now() - timedelta(hours=1)
    made = {}
    for year, (name, status, requested_at) in enumerate(
        [
            ("never_started", "queued", old),
            ("just_queued", "queued", timezone.now()),
            ("dead", "computing", old),
            ("alive", "computing", old),
            ("draft", "draft", old),
        ],
        start=2020,
    ):
        release = BenchmarkRelease.objects.create(year=year, version=1, status=status)
        BenchmarkRelease.objects.filter(pk=release.pk).update(requested_at=requested_at)
        made[name] = release.pk
    live = raw_connection(autocommit=False)  # a live computation holds its release's row
    live.execute(
        f'SELECT 1 FROM "{BenchmarkRelease._meta.db_table}" WHERE id = %s FOR UPDATE',  # noqa: S608
        [made["alive"]],
    )
    try:
        with mock.patch("benchmarks.tasks.compute_release.delay") as delay:
            sent = services.releases_requeue_stalled()
    finally:
        live.rollback()
        live.close()
    assert sorted(sent) == sorted([made["never_started"], made["dead"]])
    assert sorted(c.args[0] for c in delay.call_args_list) == sorted(sent)
    assert BenchmarkRelease.objects.get(pk=made["dead"]).status == "queued"
    assert BenchmarkRelease.objects.get(pk=made["alive"]).status == "computing"
