"""Practice pages: overview, members (invite, role, remove), API keys, invitation acceptance."""

from django.core import mail
from django.urls import reverse

from practices.models import Invitation, Membership, PracticeAPIKey, Role
from tests.factories import InvitationFactory, MembershipFactory


def test_overview_shows_the_profile_and_members(client_as, viewer_a, admin_a):
    response = client_as(viewer_a).get("/practices/alpha/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alpha Radiology" in body and "Midwest" in body and admin_a.email in body


def test_a_member_of_one_practice_lands_on_it(client_as, viewer_a):
    response = client_as(viewer_a).get("/")
    assert response.status_code == 302
    assert response.url == "/practices/alpha/"


def test_members_page_invites_by_email(client_as, admin_a, django_capture_on_commit_callbacks):
    client = client_as(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/practices/alpha/members/", {"email": "rad@example.org", "role": "submitter"}
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["rad@example.org"]
    page = client.get("/practices/alpha/members/").content.decode()
    assert "rad@example.org" in page


def test_invite_form_shows_field_errors(client_as, admin_a):
    response = client_as(admin_a).post("/practices/alpha/members/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


def test_viewers_see_members_but_cannot_invite(client_as, viewer_a):
    client = client_as(viewer_a)
    page = client.get("/practices/alpha/members/")
    assert page.status_code == 200
    assert "Send invitation" not in page.content.decode()
    assert client.post("/practices/alpha/members/", {"email": "x@example.org"}).status_code == 403


def test_admin_changes_a_role_and_removes_a_member(client_as, admin_a, viewer_a, practice_a):
    client = client_as(admin_a)
    membership = Membership.objects.for_practice(practice_a).get(user=viewer_a)
    client.post(f"/practices/alpha/members/{membership.pk}/role/", {"role": "submitter"})
    membership.refresh_from_db()
    assert membership.role == Role.SUBMITTER
    client.post(f"/practices/alpha/members/{membership.pk}/remove/")
    assert not Membership.objects.for_practice(practice_a).filter(pk=membership.pk).exists()


def test_removing_the_last_admin_is_explained(client_as, admin_a, practice_a):
    membership = Membership.objects.for_practice(practice_a).get(user=admin_a)
    response = client_as(admin_a).post(
        f"/practices/alpha/members/{membership.pk}/remove/", follow=True
    )
    assert "at least one practice admin" in response.content.decode()
    assert Membership.objects.for_practice(practice_a).filter(pk=membership.pk).exists()


def test_withdrawing_an_invitation(client_as, admin_a, practice_a):
    invitation = InvitationFactory(practice=practice_a)
    client_as(admin_a).post(f"/practices/alpha/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_api_key_page_shows_a_new_key_once(client_as, admin_a, practice_a):
    client = client_as(admin_a)
    response = client.post("/practices/alpha/api-keys/", {"name": "Nightly export"})
    body = response.content.decode()
    api_key = PracticeAPIKey.objects.for_practice(practice_a).get()
    assert f"{api_key.prefix}." in body and 'id="new-api-key"' in body
    assert 'id="new-api-key"' not in client.get("/practices/alpha/api-keys/").content.decode()
    client.post(f"/practices/alpha/api-keys/{api_key.prefix}/revoke/")
    api_key.refresh_from_db()
    assert api_key.revoked


def test_profile_edit_is_for_practice_admins(client_as, admin_a, viewer_a, practice_a):
    assert client_as(viewer_a).get("/practices/alpha/profile/").status_code == 403
    page = client_as(admin_a).get("/practices/alpha/profile/").content.decode()
    assert 'name="time_zone"' in page and "America/New_York" in page
    response = client_as(admin_a).post(
        "/practices/alpha/profile/",
        {"radiologist_fte": "60", "ownership": "physician_owned", "time_zone": "America/Detroit"},
    )
    assert response.status_code == 302
    practice_a.refresh_from_db()
    assert practice_a.size_band == "50-100"
    assert practice_a.time_zone == "America/Detroit"
    # The time zone is a required field of the profile, from a fixed list.
    for zone in ("", "Mars/Olympus"):
        refused = client_as(admin_a).post(
            "/practices/alpha/profile/",
            {"radiologist_fte": "60", "ownership": "physician_owned", "time_zone": zone},
        )
        assert refused.status_code == 400
    bad = client_as(admin_a).post("/practices/alpha/profile/", {"radiologist_fte": "-3"})
    assert bad.status_code == 400


def test_accepting_an_invitation_creates_the_account_and_signs_in(client, practice_a):
    invitation = InvitationFactory(practice=practice_a, role=Role.SUBMITTER)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    assert client.get(url).status_code == 200
    weak = client.post(url, {"full_name": "Dr. Who", "password": "123"})
    assert weak.status_code == 400
    response = client.post(url, {"full_name": "Dr. Who", "password": "a-long-enough-pass-5"})
    assert response.status_code == 302
    assert response.url == "/practices/alpha/"
    assert client.get("/practices/alpha/").status_code == 200
    assert Invitation.objects.for_practice(practice_a).get().accepted_at is not None


def test_an_unknown_or_used_invitation_answers_404(client, practice_a):
    assert client.get("/invitations/not-a-token/").status_code == 404
    invitation = InvitationFactory(practice=practice_a)
    MembershipFactory(practice=practice_a)
    invitation.revoked_at = invitation.created_at
    invitation.save()
    assert client.get(f"/invitations/{invitation.token}/").status_code == 404
