"""Alerts: contracts expiring within 90 days (to purchasing staff and enrolled practices), tier
thresholds near, commitments at risk; each recorded and e-mailed once, across runs, also
through a real broker and worker."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.core import mail
from django.db import connection

from coalition.purchasing import services
from coalition.purchasing.models import Alert
from practices.models import Role
from tests.factories import MembershipFactory
from tests.purchasing.factories import contract_with_tiers, enroll, purchase

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2025, 10, 15)


def _program(practice_a, practice_b, make_staff):
    staff = make_staff("purchasing")
    admin_a = MembershipFactory(practice=practice_a, role=Role.PRACTICE_ADMIN).user
    MembershipFactory(practice=practice_a, role=Role.VIEWER)  # viewers get no e-mail
    MembershipFactory(practice=practice_b, role=Role.PRACTICE_ADMIN)
    # Ends in 77 days; A is enrolled; B is not.
    ending = contract_with_tiers(
        number="END-1",
        starts_on=date(2024, 1, 1),
        ends_on=TODAY + timedelta(days=77),
        tiers=(("Bronze", "0", "3"), ("Silver", "10000", "6")),
    )
    enroll(practice_a, ending, tier_rank=1)
    # Far from expiry: A is near Silver (9,500 of 10,000), B at Gold is at risk.
    steady = contract_with_tiers(
        number="ST-2",
        starts_on=date(2025, 1, 1),
        ends_on=date(2028, 12, 31),
        tiers=(("Bronze", "0", "3"), ("Silver", "10000", "6"), ("Gold", "500000", "9")),
    )
    enroll(practice_a, steady, tier_rank=1)
    enroll(practice_b, steady, tier_rank=3)
    purchase(
        practice_a, steady, on=date(2025, 2, 1), quantity="1", list_price="9999", price_paid="9500"
    )
    purchase(
        practice_b, steady, on=date(2025, 2, 1), quantity="1", list_price="1000", price_paid="1000"
    )
    # Expired long ago: no alert.
    contract_with_tiers(number="OLD-3", starts_on=date(2020, 1, 1), ends_on=date(2024, 12, 31))
    return staff, admin_a


def test_each_alert_is_recorded_and_sent_once(practice_a, practice_b, make_staff):
    staff, admin_a = _program(practice_a, practice_b, make_staff)
    run = services.alerts_refresh(today=TODAY)
    keys = sorted(
        (kind, slug or "staff", number)
        for kind, slug, number in Alert.objects.values_list(
            "kind", "practice__slug", "contract__number"
        )
    )
    assert keys == [
        ("commitment_at_risk", "beta", "ST-2"),  # Gold asks 500,000; the pace gives ~1,400
        ("contract_expiring", "alpha", "END-1"),
        ("contract_expiring", "staff", "END-1"),
        ("tier_near", "alpha", "ST-2"),  # 9,500 of Silver's 10,000
    ]
    assert run.created == len(keys) and run.emailed == len(keys)
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert (
        staff.email,
        "[Coalition purchasing] Contract END-1 (Acme Imaging Supply) ends on 2025-12-31",
    ) in sent
    assert any(to == admin_a.email and "Silver tier is within reach" in s for to, s in sent)
    assert len(sent) == 4  # staff 1, A's admin 2 (the viewer none), B's admin 1
    outbox = len(mail.outbox)
    again = services.alerts_refresh(today=TODAY)
    assert (again.created, again.emailed, len(mail.outbox)) == (0, 0, outbox)
    assert Alert.objects.count() == len(keys)


def test_alerts_show_on_the_practice_page(practice_a, practice_b, make_staff, client_as):
    _, admin_a = _program(practice_a, practice_b, make_staff)
    services.alerts_refresh(today=TODAY)
    page = client_as(admin_a).get("/practices/alpha/purchasing/").content.decode()
    assert "Contract END-1" in page and "Silver tier is within reach" in page
    assert "ST-2: the Gold commitment" not in page  # B's alert


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A real `celery worker` process on the test database, e-mail written to files."""
    queue_name = f"test-{secrets.token_hex(4)}"
    settings_dict = connection.settings_dict
    database_url = (
        f"postgresql://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
        f"{settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coalition.settings",
        "COALITION_VAR_DIR": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "coalition",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue_name,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue_name, tmp_path
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.mark.broker
def test_the_beat_task_through_a_real_worker_sends_each_alert_once(
    worker, practice_a, practice_b, make_staff
):
    from tests.coalition.test_celery_broker import _broker_config

    queue_name, var_dir = worker
    today = date.today()
    staff = make_staff("purchasing")
    contract = contract_with_tiers(
        number="SOON-1", starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=30)
    )
    enroll(practice_a, contract)
    MembershipFactory(practice=practice_a, role=Role.PRACTICE_ADMIN)
    producer = Celery("producer", set_as_current=False)
    producer.conf.update(_broker_config(var_dir), task_serializer="json", accept_content=["json"])
    try:
        first = producer.send_task("purchasing.send_alerts", queue=queue_name).get(timeout=90)
        second = producer.send_task("purchasing.send_alerts", queue=queue_name).get(timeout=90)
    except Exception:
        print((var_dir / "worker.log").read_text())
        raise
    assert first["created"] >= 2 and first["emailed"] == first["created"]
    assert (second["created"], second["emailed"], second["messages"]) == (0, 0, 0)
    messages = "".join(p.read_text() for p in (var_dir / "mail").glob("*.log"))
    assert messages.count("Subject: [Coalition purchasing] Contract SOON-1") == first["messages"]
    assert messages.count(f"To: {staff.email}") == 1
    assert Alert.objects.filter(contract=contract, practice=None).count() == 1
