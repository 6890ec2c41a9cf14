"""Accepting an invitation for an existing account goes through the site's sign-in (allauth:
rate limits, lockout, the failed sign-in record, two-factor); nothing starts a session around
it."""

from __future__ import annotations

import ast
from pathlib import Path

import pyotp
from django.urls import reverse

from coalition.models import AuthEvent
from practices.models import Invitation, Membership, Role
from tests.factories import TEST_PASSWORD, InvitationFactory

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_staff_account_with_totp_cannot_get_a_session_without_the_code(
    client, practice_a, analyst
):
    invitation = InvitationFactory(practice=practice_a, email=analyst.email, role=Role.VIEWER)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})

    page = client.get(url)
    assert page.status_code == 200
    assert b'type="password"' not in page.content
    sign_in_url = page.context["sign_in_url"]
    assert sign_in_url.startswith(LOGIN) and "next=" in sign_in_url

    # The right password posted to the invitation itself starts nothing and joins nothing.
    posted = client.post(url, {"password": TEST_PASSWORD, "full_name": "X"})
    assert posted.status_code == 302 and posted.url == sign_in_url
    assert not _signed_in(client)
    assert not Membership.objects.for_practice(practice_a).exists()

    # The site's sign-in asks for the TOTP code; until then there is no session.
    response = client.post(sign_in_url, {"login": analyst.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not _signed_in(client)
    client.post(url)
    assert not _signed_in(client)
    assert not Membership.objects.for_practice(practice_a).exists()
    assert Invitation.objects.for_practice(practice_a).get().accepted_at is None

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    done = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert done.url == url  # back to the invitation
    assert client.session["_auth_user_id"] == str(analyst.pk)

    joined = client.post(url)
    assert joined.status_code == 302 and joined.url == "/practices/alpha/"
    membership = Membership.objects.for_practice(practice_a).get()
    assert (membership.user, membership.role) == (analyst, Role.VIEWER)


def test_wrong_passwords_on_the_way_to_an_invitation_are_recorded_and_lock_out(
    client, practice_a, practice_b, settings
):
    from tests.factories import MembershipFactory

    user = MembershipFactory(practice=practice_b).user
    invitation = InvitationFactory(practice=practice_a, email=user.email)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    sign_in_url = client.get(url).context["sign_in_url"]

    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        failed = client.post(sign_in_url, {"login": user.email, "password": "wrong-password-1"})
        assert failed.status_code == 200
    failures = AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGIN_FAILED, user=user)
    assert failures.count() == settings.LOGIN_LOCKOUT_ATTEMPTS
    # Locked: even the right password is refused now, and the invitation stays open.
    locked = client.post(sign_in_url, {"login": user.email, "password": TEST_PASSWORD})
    assert b"Too many failed login attempts" in locked.content
    assert not _signed_in(client)
    client.post(url, {"password": TEST_PASSWORD})
    assert not Membership.objects.for_practice(practice_a).exists()


def test_a_new_account_is_signed_in_by_allauth_and_recorded(client, practice_a):
    invitation = InvitationFactory(practice=practice_a, role=Role.SUBMITTER)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    response = client.post(url, {"full_name": "Dr. New", "password": "a-long-enough-pass-5"})
    assert response.status_code == 302 and response.url == "/practices/alpha/"
    assert _signed_in(client)
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGIN, email=invitation.email).exists()


def _project_sources():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "tests", "var", "node_modules"} or any(
            part.startswith(".") for part in relative.parts
        ):
            continue
        yield relative, ast.parse(path.read_text(), filename=str(path))


def _offences(relative, tree) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.contrib.auth":
            names = {alias.name for alias in node.names} & {"login", "authenticate"}
            found += [f"{relative}:{node.lineno} imports {name}" for name in sorted(names)]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"login", "authenticate", "check_password"}:
                found.append(f"{relative}:{node.lineno} calls {name}()")
    return found


def test_no_code_starts_a_session_or_checks_a_password_around_allauth():
    """Sessions start only in allauth's flow: no project module imports Django's login() or
    authenticate(), or calls login(), authenticate() or check_password() itself."""
    sources = list(_project_sources())
    assert any(str(relative) == "practices/views.py" for relative, _ in sources)
    offences = [offence for relative, tree in sources for offence in _offences(relative, tree)]
    assert offences == []


def test_the_source_check_sees_a_direct_login():
    # The shape the invitation page used to have is caught.
    tree = ast.parse(
        "from django.contrib.auth import login\n"
        "def view(request, user):\n"
        "    if user.check_password('x'):\n"
        "        login(request, user)\n"
    )
    assert _offences("example.py", tree) == [
        "example.py:1 imports login",
        "example.py:3 calls check_password()",
        "example.py:4 calls login()",
    ]
