"""Sign-in, the sign-in record, lockout, password rules, password reset and staff 2FA."""

import pyotp
from django.core import mail
from django.urls import reverse

from coalition.models import AuthEvent
from tests.factories import TEST_PASSWORD, UserFactory, enable_totp

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_sign_in_with_email_and_password_is_recorded(client, viewer_a):
    response = sign_in(client, viewer_a.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code in (200, 302)
    event = AuthEvent.objects.get(kind="login")
    assert event.user == viewer_a
    assert event.ip_address == "127.0.0.1"


def test_failed_sign_in_is_recorded_without_the_password(client, viewer_a):
    response = sign_in(client, viewer_a.email, "wrong-password-123")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuthEvent.objects.get(kind="login_failed")
    assert event.user == viewer_a
    assert event.email == viewer_a.email
    assert "wrong-password" not in str(AuthEvent.objects.values().get())


def test_sign_out_is_recorded(client, viewer_a):
    client.force_login(viewer_a)
    client.post(reverse("account_logout"))
    assert AuthEvent.objects.filter(kind="logout", user=viewer_a).exists()


def test_account_locks_after_repeated_failures(client, viewer_a, settings):
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        sign_in(client, viewer_a.email, "wrong-password-123")
    # Even the right password is refused while the account is locked.
    response = sign_in(client, viewer_a.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_lockout_is_per_account(client, viewer_a, submitter_a, settings):
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        sign_in(client, viewer_a.email, "wrong-password-123")
    response = sign_in(client, submitter_a.email, TEST_PASSWORD)
    assert response.status_code == 302


def test_nobody_can_sign_up_without_an_invitation(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-good-pass-99",
            "password2": "a-long-good-pass-99",
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@example.org").exists()
    assert response.status_code == 200


def test_password_reset_sends_an_email_with_a_working_link(client, viewer_a):
    client.post(reverse("account_reset_password"), {"email": viewer_a.email})
    assert len(mail.outbox) == 1
    assert viewer_a.email in mail.outbox[0].to
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line
    )
    path = link[link.index("/accounts/") :].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "a-fresh-long-password-7"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    viewer_a.refresh_from_db()
    assert viewer_a.check_password(new_password)


def test_weak_new_passwords_are_refused(client, viewer_a):
    client.force_login(viewer_a)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    viewer_a.refresh_from_db()
    assert viewer_a.check_password(TEST_PASSWORD)


# --- two-factor ---------------------------------------------------------------------------------
def test_staff_without_two_factor_are_sent_to_set_it_up(client, make_staff):
    analyst = make_staff("analyst", totp=False)
    client.force_login(analyst)
    response = client.get(reverse("staff:directory"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_without_two_factor_get_403_from_the_api(api_client, make_staff):
    analyst = make_staff("analyst", totp=False)
    api_client.force_login(analyst)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_administrators_need_two_factor_for_the_admin(client, make_staff):
    administrator = make_staff(superuser=True, totp=False)
    client.force_login(administrator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_members_may_use_the_site_without_two_factor(client, viewer_a):
    client.force_login(viewer_a)
    assert client.get(reverse("home"), follow=True).status_code == 200


def test_sign_in_with_totp_asks_for_the_code(client, db):
    user = UserFactory()
    secret = enable_totp(user)
    response = sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_recovery_codes_sign_in_when_the_phone_is_lost(client, db):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = UserFactory()
    enable_totp(user)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    assert len(codes) == 10
    sign_in(client, user.email, TEST_PASSWORD)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# --- reauthentication ---------------------------------------------------------------------------
def test_staff_set_up_two_factor_right_after_signing_in_without_a_second_password(
    client, make_staff
):
    analyst = make_staff("analyst", totp=False)
    response = sign_in(client, analyst.email, TEST_PASSWORD)
    assert response.status_code == 302
    response = client.get(reverse("staff:directory"))
    assert response.url == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200, response.get("Location")
    assert b"Authenticator secret" in response.content or b"secret" in response.content


def test_later_sensitive_actions_still_ask_for_the_password(client, make_staff, settings):
    import time

    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    analyst = make_staff("analyst", totp=False)
    sign_in(client, analyst.email, TEST_PASSWORD)
    # The sign-in was longer ago than the reauthentication timeout.
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_a_session_without_a_sign_in_record_is_asked_for_the_password(client, make_staff):
    analyst = make_staff("analyst", totp=False)
    client.force_login(analyst)  # no record of how the session was opened
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
