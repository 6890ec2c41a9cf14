"""A practice admin walks the practice pages: overview, members, API keys, sign-out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from practices.models import Invitation, PracticeAPIKey, Role
from tests.browser.helpers import path_is, screenshot, sign_in, sign_out
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

INVITEE = "new.radiologist@example.org"


def test_practice_admin_manages_members_and_api_keys(
    page, live_server, mailoutbox, practice_a, admin_a, viewer_a
):
    sign_in(page, live_server, admin_a.email, TEST_PASSWORD)

    # A member of a single practice lands on its overview: profile and members.
    expect(page).to_have_url(path_is("/practices/alpha/"))
    expect(page.get_by_role("heading", name="Alpha Radiology", level=1)).to_be_visible()
    profile = page.get_by_role("region", name="Practice profile")
    expect(profile.locator("dt:text-is('State') + dd")).to_have_text("OH")
    expect(profile.locator("dt:text-is('Census region') + dd")).to_have_text("Midwest")
    members = page.get_by_role("region", name="Members", exact=True)
    expect(members.get_by_role("row")).to_have_count(3)  # header, the admin, the viewer
    expect(members.get_by_role("row", name=admin_a.email)).to_contain_text("Practice admin")
    expect(members.get_by_role("row", name=viewer_a.email)).to_contain_text("Viewer")
    screenshot(page, "practice-overview")

    # Members: invite a new address.
    practice_tabs = page.get_by_role("navigation", name="Alpha Radiology")
    practice_tabs.get_by_role("link", name="Members", exact=True).click()
    expect(page).to_have_url(path_is("/practices/alpha/members/"))
    expect(page.get_by_role("heading", name="Members of Alpha Radiology")).to_be_visible()
    invite_form = page.get_by_role("region", name="Invite a member")
    invite_form.get_by_label("E-mail address").fill(INVITEE)
    invite_form.get_by_label("Role").select_option(label="Submitter")
    invite_form.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {INVITEE}.")
    invitation_row = page.get_by_role("row", name=INVITEE)
    expect(invitation_row).to_contain_text("Submitter")
    expect(invitation_row).to_contain_text(admin_a.email)
    assert Invitation.objects.for_practice(practice_a).filter(email=INVITEE).count() == 1
    assert [message.to for message in mailoutbox] == [[INVITEE]]

    # Members: make the viewer a submitter.
    viewer_row = page.get_by_role("row", name=viewer_a.email)
    viewer_row.get_by_label(f"Role of {viewer_a.email}").select_option(label="Submitter")
    viewer_row.get_by_role("button", name="Change role").click()

    expect(page.get_by_role("status")).to_contain_text(f"{viewer_a.email} is now Submitter.")
    expect(page.get_by_label(f"Role of {viewer_a.email}")).to_have_value(Role.SUBMITTER)
    screenshot(page, "practice-members")

    # API keys: create one, see it once, revoke it.
    practice_tabs.get_by_role("link", name="API keys", exact=True).click()
    expect(page).to_have_url(path_is("/practices/alpha/api-keys/"))
    expect(page.get_by_role("cell", name="No keys yet.")).to_be_visible()
    page.get_by_label("Name").fill("PACS export job")
    page.get_by_role("button", name="Create key").click()

    created = page.get_by_role("alert").filter(has_text="Key “PACS export job” created")
    expect(created).to_contain_text("shown only once")
    raw_key = page.locator("#new-api-key").inner_text().strip()
    api_key = PracticeAPIKey.objects.for_practice(practice_a).get(name="PACS export job")
    assert raw_key.startswith(f"{api_key.prefix}.")
    assert PracticeAPIKey.objects.get_from_key(raw_key) == api_key
    key_row = page.get_by_role("row", name="PACS export job")
    expect(key_row).to_contain_text("active")
    screenshot(page, "practice-api-keys")

    page.goto("/practices/alpha/api-keys/")  # shown once: not on the next visit
    expect(page.locator("#new-api-key")).to_have_count(0)
    expect(page.get_by_text(raw_key)).to_have_count(0)

    key_row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("API key “PACS export job” was revoked.")
    expect(key_row).to_contain_text("revoked")
    expect(key_row.get_by_role("button", name="Revoke")).to_have_count(0)
    api_key.refresh_from_db()
    assert api_key.revoked

    sign_out(page)
    page.goto("/practices/alpha/")
    expect(page).to_have_url(path_is("/accounts/login/"))
