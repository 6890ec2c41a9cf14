from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from practices import services
from practices.models import Invitation, Membership, PracticeAPIKey, Role
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


def test_practice_create_derives_region_and_size(db):
    practice = services.practice_create(
        name="Lone Star Radiology", slug="lone-star", state="tx", radiologist_fte=Decimal("32.33")
    )
    assert (practice.state, practice.region, practice.size_band) == ("TX", "south", "25-50")


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"state": "ZZ"}, "state"),
        ({"radiologist_fte": Decimal("0")}, "radiologist_fte"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_practice_create_refuses_bad_profiles(db, fields, error_field):
    data = {"name": "X", "slug": "x", "state": "OH", "radiologist_fte": Decimal("10"), **fields}
    with pytest.raises(ValidationError) as error:
        services.practice_create(**data)
    assert error_field in error.value.message_dict


def test_the_last_practice_admin_cannot_be_demoted_or_removed(practice_a, admin_a):
    membership = Membership.objects.for_practice(practice_a).get(user=admin_a)
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=membership, role=Role.VIEWER)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership)
    membership.refresh_from_db()
    assert membership.role == Role.PRACTICE_ADMIN


def test_an_admin_can_step_down_when_another_remains(practice_a, admin_a):
    MembershipFactory(practice=practice_a, role=Role.PRACTICE_ADMIN)
    membership = Membership.objects.for_practice(practice_a).get(user=admin_a)
    services.membership_change_role(membership=membership, role=Role.VIEWER)
    assert Membership.objects.for_practice(practice_a).get(user=admin_a).role == Role.VIEWER


def test_invitation_is_emailed_on_commit(practice_a, admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            practice=practice_a,
            email="New.Person@Example.org",
            role=Role.SUBMITTER,
            invited_by=admin_a,
        )
    assert invitation.email == "new.person@example.org"
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body


def test_inviting_an_existing_member_is_refused(practice_a, admin_a, viewer_a):
    with pytest.raises(ValidationError):
        services.invitation_create(
            practice=practice_a, email=viewer_a.email, role=Role.VIEWER, invited_by=admin_a
        )


def test_a_new_invitation_replaces_the_open_one(practice_a, admin_a):
    first = services.invitation_create(
        practice=practice_a, email="x@example.org", role=Role.VIEWER, invited_by=admin_a
    )
    second = services.invitation_create(
        practice=practice_a, email="x@example.org", role=Role.SUBMITTER, invited_by=admin_a
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_open


def test_accepting_creates_the_account_and_membership(practice_a):
    invitation = InvitationFactory(practice=practice_a, role=Role.SUBMITTER)
    membership = services.invitation_accept(
        invitation=invitation, password="a-very-good-password-1", full_name="Dr. New"
    )
    assert membership.role == Role.SUBMITTER
    assert membership.user.check_password("a-very-good-password-1")
    with pytest.raises(ValidationError):  # used once
        services.invitation_accept(invitation=invitation, password="a-very-good-password-1")


def test_accepting_refuses_a_weak_password(practice_a):
    invitation = InvitationFactory(practice=practice_a)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, password="password", full_name="X")
    assert not Membership.objects.for_practice(practice_a).exists()


def test_an_expired_invitation_cannot_be_accepted(practice_a):
    invitation = InvitationFactory(
        practice=practice_a, expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, password="a-very-good-password-1")


def test_an_existing_account_joins_only_once_signed_in(practice_a, practice_b):
    from tests.factories import TEST_PASSWORD

    user = MembershipFactory(practice=practice_b).user
    invitation = InvitationFactory(practice=practice_a, email=user.email)
    # Even the right password does not stand in for signing in.
    with pytest.raises(ValidationError, match="sign in"):
        services.invitation_accept(invitation=invitation, password=TEST_PASSWORD)
    assert not Membership.objects.for_practice(practice_a).exists()
    membership = services.invitation_accept(invitation=invitation, user=user)
    assert membership.user == user
    assert Invitation.objects.for_practice(practice_a).get().accepted_at is not None


def test_a_signed_in_user_must_hold_the_invited_address(practice_a):
    invitation = InvitationFactory(practice=practice_a, email="someone@example.org")
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=UserFactory())


def test_api_keys_are_hashed_and_revocable(practice_a, admin_a):
    api_key, raw = services.api_key_create(practice=practice_a, name="PACS", created_by=admin_a)
    assert raw.startswith(api_key.prefix + ".")
    assert raw not in api_key.hashed_key
    assert PracticeAPIKey.objects.get_from_key(raw) == api_key
    services.api_key_revoke(api_key=api_key)
    with pytest.raises(PracticeAPIKey.DoesNotExist):
        PracticeAPIKey.objects.get_from_key(raw)


def test_key_lookup_loads_what_the_orm_would_in_one_query(
    practice_a, admin_a, django_assert_num_queries
):
    """The hand-written lookup of the authentication hot path returns the key, its practice
    and its creator exactly as get_usable_keys().get(prefix=...) does."""
    api_key, raw = services.api_key_create(practice=practice_a, name="PACS", created_by=admin_a)
    with django_assert_num_queries(1):
        found = PracticeAPIKey.objects.get_from_key(raw)
        practice, creator = found.practice, found.created_by
    expected = PracticeAPIKey.objects.get_usable_keys().get(prefix=api_key.prefix)
    fields = PracticeAPIKey._meta.concrete_fields
    assert [f.value_from_object(found) for f in fields] == [
        f.value_from_object(expected) for f in fields
    ]
    assert practice == practice_a and practice.name == practice_a.name
    assert (creator.pk, creator.email, creator.password) == (
        admin_a.pk,
        admin_a.email,
        admin_a.password,
    )
    with pytest.raises(PracticeAPIKey.DoesNotExist):
        PracticeAPIKey.objects.get_from_key(raw[:-1] + ("x" if raw[-1] != "x" else "y"))
    with pytest.raises(PracticeAPIKey.DoesNotExist):
        PracticeAPIKey.objects.get_from_key("nosuchprefix.secret")


def test_a_key_whose_creator_is_gone_loads_without_one(practice_a, admin_a):
    _key, raw = services.api_key_create(practice=practice_a, name="PACS", created_by=admin_a)
    admin_a.delete()
    assert PracticeAPIKey.objects.get_from_key(raw).created_by is None


def test_removing_a_member_revokes_their_keys(practice_a, admin_a):
    MembershipFactory(practice=practice_a, role=Role.PRACTICE_ADMIN)
    api_key, _ = services.api_key_create(practice=practice_a, name="PACS", created_by=admin_a)
    services.membership_remove(
        membership=Membership.objects.for_practice(practice_a).get(user=admin_a)
    )
    api_key.refresh_from_db()
    assert api_key.revoked
