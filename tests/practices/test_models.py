from decimal import Decimal

import pytest
from django.db import IntegrityError

from practices.crypto import pseudonymize
from practices.models import Practice
from practices.regions import region_for_state, size_band_for_fte
from tests.factories import MembershipFactory, PracticeFactory


@pytest.mark.parametrize(
    ("state", "region"),
    [
        ("NY", "northeast"),
        ("PA", "northeast"),
        ("OH", "midwest"),
        ("ND", "midwest"),
        ("TX", "south"),
        ("DC", "south"),
        ("CA", "west"),
        ("HI", "west"),
        ("az", "west"),
    ],
)
def test_census_region_of_a_state(state, region):
    assert region_for_state(state) == region


def test_every_state_and_dc_has_a_region():
    from practices.regions import STATE_REGION

    assert len(STATE_REGION) == 51


def test_unknown_state_is_refused():
    with pytest.raises(ValueError, match="ZZ"):
        region_for_state("ZZ")


@pytest.mark.parametrize(
    ("fte", "band"),
    [
        ("0.5", "lt25"),
        ("24.99", "lt25"),
        ("25", "25-50"),
        ("49.99", "25-50"),
        ("50", "50-100"),
        ("100", "50-100"),
        ("100.01", "gt100"),
        ("300", "gt100"),
    ],
)
def test_size_band_boundaries(fte, band):
    assert size_band_for_fte(Decimal(fte)) == band


def test_region_and_size_band_follow_the_profile(db):
    practice = PracticeFactory(state="TX", radiologist_fte=Decimal("20"))
    assert (practice.region, practice.size_band) == ("south", "lt25")
    practice.state, practice.radiologist_fte = "WA", Decimal("120")
    practice.save()
    practice.refresh_from_db()
    assert (practice.region, practice.size_band) == ("west", "gt100")


def test_database_refuses_a_non_positive_fte(db):
    practice = PracticeFactory()
    with pytest.raises(IntegrityError):
        Practice.objects.filter(pk=practice.pk).update(radiologist_fte=0)


def test_a_user_is_a_member_of_a_practice_once(db):
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(practice=membership.practice, user=membership.user)


def test_pseudonyms_are_stable_per_practice_and_differ_between_practices(db):
    a, b = PracticeFactory(), PracticeFactory()
    assert a.pseudonymize("R-1001") == a.pseudonymize("R-1001")
    assert a.pseudonymize("R-1001") != b.pseudonymize("R-1001")
    assert a.pseudonymize("R-1001") != a.pseudonymize("R-1002")
    assert len(a.pseudonymize("R-1001")) == 64
    # Reloaded from the database (the secret is stored wrapped), the pseudonym is the same.
    assert Practice.objects.get(pk=a.pk).pseudonymize("R-1001") == a.pseudonymize("R-1001")


def test_pseudonym_is_an_hmac_not_a_plain_hash(db):
    import hashlib

    practice = PracticeFactory()
    assert practice.pseudonymize("R-1") != hashlib.sha256(b"R-1").hexdigest()
    assert pseudonymize(b"k" * 32, "R-1") != pseudonymize(b"j" * 32, "R-1")


def test_local_ids_decrypt_only_with_their_practice(db):
    from cryptography.fernet import InvalidToken

    a, b = PracticeFactory(), PracticeFactory()
    token = a.encrypt_local_id("R-1001")
    assert b"R-1001" not in bytes(token)
    assert a.decrypt_local_id(token) == "R-1001"
    with pytest.raises(InvalidToken):
        b.decrypt_local_id(token)


def test_the_practice_secret_is_stored_wrapped(db):
    practice = PracticeFactory()
    stored = bytes(Practice.objects.get(pk=practice.pk).wrapped_secret)
    assert practice._secret not in stored
    assert len(practice._secret) == 32


def test_a_new_practice_gets_the_time_zone_of_its_state(db):
    from practices import services as practice_services

    hawaii = practice_services.practice_create(
        name="Aloha Imaging", slug="aloha", state="HI", radiologist_fte="12"
    )
    assert hawaii.time_zone == "Pacific/Honolulu"
    chosen = practice_services.practice_create(
        name="Panhandle Radiology",
        slug="panhandle",
        state="FL",
        radiologist_fte="20",
        time_zone="America/Chicago",
    )
    assert chosen.time_zone == "America/Chicago"
