"""The audit trail: who changed what and when, readable by staff, editable by nobody."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from coalition.models import AuthEvent
from practices.models import Membership, Practice


def test_role_change_on_the_site_is_recorded_with_its_actor(
    client_as, admin_a, viewer_a, practice_a
):
    membership = Membership.objects.for_practice(practice_a).get(user=viewer_a)
    client_as(admin_a).post(
        f"/practices/alpha/members/{membership.pk}/role/", {"role": "submitter"}
    )
    entry = LogEntry.objects.get_for_object(membership).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_a
    assert entry.changes_dict["role"] == ["viewer", "submitter"]


def test_practice_profile_changes_are_recorded_without_the_secret(client_as, admin_a, practice_a):
    client_as(admin_a).post(
        "/practices/alpha/profile/",
        {
            "radiologist_fte": "77",
            "ownership": "physician_owned",
            "time_zone": practice_a.time_zone,
        },
    )
    entry = LogEntry.objects.get_for_object(practice_a).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_a
    assert "radiologist_fte" in entry.changes_dict
    assert all("wrapped_secret" not in e.changes_dict for e in LogEntry.objects.all())


def test_admin_actions_are_recorded(client_as, make_staff, practice_a):
    administrator = make_staff(superuser=True)
    client = client_as(administrator)
    url = f"/admin/practices/practice/{practice_a.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "name": "Alpha Renamed",
        "slug": "alpha",
        "state": "OH",
        "radiologist_fte": "40",
        "ownership": "physician_owned",
        "time_zone": practice_a.time_zone,
        "joined_on": str(practice_a.joined_on),
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(practice_a).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == administrator
    assert entry.changes_dict["name"] == ["Alpha Radiology", "Alpha Renamed"]


def test_analysts_read_changes_and_sign_ins(client_as, analyst, viewer_a):
    AuthEvent.objects.create(kind="login_failed", email="someone@example.org")
    client = client_as(analyst)
    assert "someone@example.org" in client.get("/staff/audit/?tab=sign-ins").content.decode()
    Practice.objects.filter(pk__gt=0).first().save()
    assert client.get("/staff/audit/").status_code == 200


def test_purchasing_staff_cannot_read_the_audit_trail(client_as, make_staff):
    assert client_as(make_staff("purchasing")).get("/staff/audit/").status_code == 403


def test_nobody_edits_the_audit_trail_in_the_admin(client_as, make_staff, practice_a):
    administrator = make_staff(superuser=True)
    client = client_as(administrator)
    practice_a.save()
    entry = LogEntry.objects.first()
    event = AuthEvent.objects.create(kind="login", email="x@example.org")
    assert client.get("/admin/auditlog/logentry/").status_code == 200
    assert client.get("/admin/coalition/authevent/").status_code == 200
    assert client.get("/admin/coalition/authevent/add/").status_code == 403
    assert client.post(f"/admin/coalition/authevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/").status_code == 403
    page = client.get(f"/admin/coalition/authevent/{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert ContentType.objects.get_for_model(AuthEvent)


def test_changes_show_local_times_and_people_by_name(client_as, analyst, practice_a, settings):
    from datetime import UTC, datetime

    from tests.factories import InvitationFactory, UserFactory

    settings.TIME_ZONE = "America/New_York"
    inviter = UserFactory(full_name="Dana Whitfield", email="dana@example.org")
    invitation = InvitationFactory(practice=practice_a, invited_by=inviter)
    entry = LogEntry.objects.get_for_object(invitation).get(action=LogEntry.Action.CREATE)
    # As auditlog stores it: the related user's id, and times in UTC with microseconds.
    entry.changes = {
        "invited_by": ["None", str(inviter.pk)],
        "expires_at": ["None", "2026-03-04 17:05:06.123456+00:00"],
        "role": ["None", "submitter"],
    }
    entry.timestamp = datetime(2026, 3, 4, 17, 5, 6, 654321, tzinfo=UTC)
    entry.actor = inviter
    entry.save()
    page = client_as(analyst).get("/staff/audit/").content.decode()
    row = page.split(f"{entry.content_type.name}: {entry.object_repr}", 1)[1].split("</tr>")[0]
    # America/New_York: 17:05 UTC is 12:05 local, in the same format as the When column.
    assert "2026-03-04 12:05:06" in page
    assert "2026-03-04 12:05:06" in row and "17:05:06" not in page and ".123456" not in page
    assert "Dana Whitfield" in row and f"→ {inviter.pk}<" not in row
    assert "Submitter" in row
    assert "Dana Whitfield <span" in page  # the Who column names the actor
    # Reverse relations are no change of the row; a group added reads as such.
    assert ".None" not in page
    assert "<strong>Groups</strong>: — → added analyst" in page


def test_the_changes_page_reads_related_names_in_few_queries(
    client_as, analyst, practice_a, django_assert_max_num_queries
):
    from tests.factories import InvitationFactory

    for _ in range(20):
        InvitationFactory(practice=practice_a)
    client = client_as(analyst)
    client.get("/staff/audit/")
    with django_assert_max_num_queries(20):
        assert client.get("/staff/audit/").status_code == 200
