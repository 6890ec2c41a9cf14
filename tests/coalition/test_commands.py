from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from practices.models import Membership, Practice


def test_add_practice_derives_region_and_size_band(db):
    out = StringIO()
    call_command(
        "add_practice",
        "lone-star",
        "--name",
        "Lone Star Radiology",
        "--state",
        "TX",
        "--radiologist-fte",
        "32.33",
        stdout=out,
    )
    practice = Practice.objects.get(slug="lone-star")
    assert (practice.region, practice.size_band) == ("south", "25-50")
    assert "South" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--state", "ZZ", "--radiologist-fte", "3"], "state"),
        (["--state", "OH", "--radiologist-fte", "many"], "number"),
        (["--state", "OH", "--radiologist-fte", "-2"], "greater than 0"),
    ],
)
def test_add_practice_refuses_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_practice", "x-practice", "--name", "X", *args)
    assert not Practice.objects.exists()


def test_add_practice_refuses_a_taken_slug(db, practice_a):
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "add_practice", "alpha", "--name", "Other", "--state", "OH", "--radiologist-fte", "5"
        )


# The demo's submissions and releases are tested with their loaders (tests/submissions,
# tests/benchmarks); here the coalition's practices and people.
def test_seed_demo_loads_a_coalition_is_idempotent_and_its_users_sign_in(client, db):
    out = StringIO()
    call_command("seed_demo", "--people-only", stdout=out)
    assert Practice.objects.count() == 25
    assert set(Practice.objects.values_list("region", flat=True)) == {
        "northeast",
        "midwest",
        "south",
        "west",
    }
    assert set(Practice.objects.values_list("size_band", flat=True)) == {
        "lt25",
        "25-50",
        "50-100",
        "gt100",
    }
    roles = set(Membership.objects.across_practices().values_list("role", flat=True))
    assert roles == {"practice_admin", "submitter", "viewer"}
    users = get_user_model().objects
    assert users.filter(groups__name="analyst").exists()
    assert users.filter(is_superuser=True).exists()
    assert "coalition-demo-2026" in out.getvalue()
    response = client.post(
        "/accounts/login/",
        {"login": "viewer@alleghenyvalleyradiology.example", "password": "coalition-demo-2026"},
    )
    assert response.status_code == 302

    counts = (
        Practice.objects.count(),
        Membership.objects.across_practices().count(),
        users.count(),
    )
    call_command("seed_demo", "--people-only", stdout=StringIO())
    assert counts == (
        Practice.objects.count(),
        Membership.objects.across_practices().count(),
        users.count(),
    )
