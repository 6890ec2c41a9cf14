"""The practices API: me, practices, memberships, invitations and API keys."""

import pytest

from practices import services
from practices.models import Membership, PracticeAPIKey, Role
from tests.factories import MembershipFactory


def test_me_lists_the_callers_memberships(api_as, admin_a, practice_b):
    MembershipFactory(practice=practice_b, user=admin_a, role=Role.VIEWER)
    data = api_as(admin_a).get("/api/v1/me/").json()
    assert data["email"] == admin_a.email
    assert {(m["practice"], m["role"]) for m in data["memberships"]} == {
        ("alpha", "practice_admin"),
        ("beta", "viewer"),
    }


def test_practices_lists_only_the_callers_practices(api_as, viewer_a, practice_b):
    data = api_as(viewer_a).get("/api/v1/practices/").json()
    assert [p["slug"] for p in data["results"]] == ["alpha"]
    assert data["results"][0]["region"] == "midwest"


def test_a_practice_admin_updates_the_fte_and_the_size_band_follows(api_as, admin_a, practice_a):
    response = api_as(admin_a).patch(
        "/api/v1/practices/alpha/", {"radiologist_fte": "120.5", "name": "Renamed"}, format="json"
    )
    assert response.status_code == 200, response.content
    practice_a.refresh_from_db()
    assert practice_a.size_band == "gt100"
    assert practice_a.name == "Alpha Radiology"  # read-only through the API


def test_a_viewer_cannot_update_the_practice(api_as, viewer_a):
    response = api_as(viewer_a).patch("/api/v1/practices/alpha/", {"radiologist_fte": "1"})
    assert response.status_code == 403


def test_bad_fte_is_a_field_error(api_as, admin_a):
    response = api_as(admin_a).patch(
        "/api/v1/practices/alpha/", {"radiologist_fte": "lots"}, format="json"
    )
    assert response.status_code == 400
    assert "radiologist_fte" in response.json()


def test_memberships_list_without_n_plus_one(
    api_as, admin_a, practice_a, django_assert_max_num_queries
):
    for _ in range(15):
        MembershipFactory(practice=practice_a)
    client = api_as(admin_a)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/practices/alpha/memberships/")
    assert response.status_code == 200
    assert response.json()["count"] == 16


def test_memberships_filter_and_order(api_as, admin_a, practice_a):
    MembershipFactory(practice=practice_a, role=Role.SUBMITTER)
    client = api_as(admin_a)
    data = client.get("/api/v1/practices/alpha/memberships/?role=submitter").json()
    assert [m["role"] for m in data["results"]] == ["submitter"]
    assert (
        client.get("/api/v1/practices/alpha/memberships/?ordering=-created_at").status_code == 200
    )
    assert client.get("/api/v1/practices/alpha/memberships/?role=king").status_code == 400


def test_an_admin_changes_a_role_and_removes_a_member(api_as, admin_a, viewer_a, practice_a):
    client = api_as(admin_a)
    membership = Membership.objects.for_practice(practice_a).get(user=viewer_a)
    url = f"/api/v1/practices/alpha/memberships/{membership.pk}/"
    assert client.patch(url, {"role": "submitter"}, format="json").json()["role"] == "submitter"
    assert client.patch(url, {"role": "emperor"}, format="json").status_code == 400
    assert client.delete(url).status_code == 204
    assert not Membership.objects.for_practice(practice_a).filter(user=viewer_a).exists()


def test_the_last_admin_cannot_leave_through_the_api(api_as, admin_a, practice_a):
    membership = Membership.objects.for_practice(practice_a).get(user=admin_a)
    response = api_as(admin_a).delete(f"/api/v1/practices/alpha/memberships/{membership.pk}/")
    assert response.status_code == 400
    assert "practice admin" in str(response.json())


def test_a_submitter_cannot_manage_members(api_as, submitter_a, viewer_a, practice_a):
    membership = Membership.objects.for_practice(practice_a).get(user=viewer_a)
    response = api_as(submitter_a).delete(f"/api/v1/practices/alpha/memberships/{membership.pk}/")
    assert response.status_code == 403


def test_an_invitation_without_a_role_invites_a_viewer(api_as, admin_a):
    """The schema says `role` is optional (the model's default): leaving it out is no 500."""
    response = api_as(admin_a).post(
        "/api/v1/practices/alpha/invitations/", {"email": "v@example.org"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "viewer"


def test_invitations_through_the_api(api_as, admin_a, django_capture_on_commit_callbacks):
    client = api_as(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/practices/alpha/invitations/", {"email": "dr@example.org", "role": "submitter"}
        )
    assert response.status_code == 201, response.content
    assert client.post("/api/v1/practices/alpha/invitations/", {"email": "nope"}).status_code == 400
    invitation_id = response.json()["id"]
    assert client.delete(f"/api/v1/practices/alpha/invitations/{invitation_id}/").status_code == 204
    assert client.get("/api/v1/practices/alpha/invitations/").json()["count"] == 0


def test_api_key_is_shown_once_and_authenticates_as_a_submitter(api_as, admin_a, api_client):
    created = api_as(admin_a).post("/api/v1/practices/alpha/api-keys/", {"name": "PACS job"})
    assert created.status_code == 201
    key = created.json()["key"]
    listed = api_as(admin_a).get("/api/v1/practices/alpha/api-keys/").json()["results"]
    assert "key" not in listed[0]

    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    me = api_client.get("/api/v1/me/").json()
    assert me["api_key_practice"] == "alpha"
    assert api_client.get("/api/v1/practices/alpha/memberships/").status_code == 200
    # A key acts as a submitter: it cannot manage keys or members.
    assert api_client.get("/api/v1/practices/alpha/api-keys/").status_code == 403
    assert (
        api_client.post("/api/v1/practices/alpha/invitations/", {"email": "a@b.org"}).status_code
        == 403
    )


def test_api_key_reaches_only_its_own_practice(api_client, admin_a, practice_b):
    MembershipFactory(practice=practice_b, user=admin_a, role=Role.PRACTICE_ADMIN)
    _, key = services.api_key_create(
        practice=Membership.objects.across_practices()
        .get(user=admin_a, practice__slug="alpha")
        .practice,
        name="k",
        created_by=admin_a,
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api_client.get("/api/v1/practices/beta/memberships/").status_code == 404
    assert [p["slug"] for p in api_client.get("/api/v1/practices/").json()["results"]] == ["alpha"]


@pytest.mark.parametrize("header", ["Api-Key nope.nope", "Api-Key ", "Api-Key x" * 50])
def test_bad_api_keys_answer_401_or_403(api_client, header, db):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert api_client.get("/api/v1/me/").status_code in (401, 403)


def test_a_revoked_key_stops_working(api_client, practice_a, admin_a):
    api_key, key = services.api_key_create(practice=practice_a, name="k", created_by=admin_a)
    services.api_key_revoke(api_key=api_key)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/practices/{practice_slug}/memberships/" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_anonymous_api_calls_are_refused(api_client, db):
    assert api_client.get("/api/v1/me/").status_code in (401, 403)


# --- what an API key may do, and how it is named ------------------------------------------------
def test_me_with_an_api_key_reports_the_key_not_its_creator(api_client, practice_a, make_staff):
    # The key's creator is a practice admin and an analyst with two-factor: none of that is
    # what the key may do.
    creator = make_staff("analyst")
    MembershipFactory(practice=practice_a, user=creator, role=Role.PRACTICE_ADMIN)
    api_key, key = services.api_key_create(practice=practice_a, name="PACS", created_by=creator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    me = api_client.get("/api/v1/me/").json()
    assert me["kind"] == "api_key"
    assert me["memberships"] == [
        {"practice": "alpha", "practice_name": practice_a.name, "role": "submitter"}
    ]
    assert me["is_coalition_staff"] is False
    assert me["staff_groups"] == []
    assert me["two_factor_enabled"] is False
    assert me["email"] is None and me["full_name"] is None
    assert me["api_key"] == {
        "id": api_key.prefix,
        "name": "PACS",
        "practice": "alpha",
        "role": "submitter",
    }
    assert me["api_key_practice"] == "alpha"


def test_me_for_a_signed_in_user_has_no_api_key(api_as, admin_a):
    me = api_as(admin_a).get("/api/v1/me/").json()
    assert (me["kind"], me["api_key"], me["api_key_practice"]) == ("user", None, None)


def test_an_api_key_id_never_carries_its_hash(api_as, admin_a, practice_a):
    client = api_as(admin_a)
    created = client.post("/api/v1/practices/alpha/api-keys/", {"name": "PACS job"}).json()
    api_key = PracticeAPIKey.objects.for_practice(practice_a).get()
    hashed = api_key.pk.split(".", 1)[1]
    assert created["id"] == api_key.prefix
    listed = client.get("/api/v1/practices/alpha/api-keys/")
    assert listed.json()["results"][0]["id"] == api_key.prefix
    for response_text in (str(created), listed.content.decode()):
        assert hashed not in response_text
        assert api_key.hashed_key not in response_text
    # The stored primary key no longer names the key; the public id does.
    assert client.delete(f"/api/v1/practices/alpha/api-keys/{api_key.pk}/").status_code == 404
    assert client.delete(f"/api/v1/practices/alpha/api-keys/{api_key.prefix}/").status_code == 204
    api_key.refresh_from_db()
    assert api_key.revoked


def test_the_api_keys_page_names_keys_by_prefix(client_as, admin_a, practice_a):
    api_key, _ = services.api_key_create(practice=practice_a, name="PACS", created_by=admin_a)
    page = client_as(admin_a).get("/practices/alpha/api-keys/").content.decode()
    assert api_key.pk.split(".", 1)[1] not in page
    assert f"/api-keys/{api_key.prefix}/revoke/" in page
