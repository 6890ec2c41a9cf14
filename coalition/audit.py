"""The audit trail.

Model changes (practice profiles, memberships, invitations, API keys, users, and every kind of
practice data added later) are recorded by django-auditlog with the acting user, the time and
the changed fields; its middleware attributes changes made on the site and in the admin, and
the API's key authentication those made with a practice API key (to the key's creator).
Sign-ins, failed sign-ins and sign-outs are AuthEvent rows written from Django's auth signals.
Neither can be edited through the site or the admin.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")[:300]


def _on_login(sender, request, user, **kwargs) -> None:
    from coalition.models import AuthEvent

    ip, agent = _client(request)
    AuthEvent.objects.create(
        kind=AuthEvent.Kind.LOGIN, user=user, email=user.email, ip_address=ip, user_agent=agent
    )


def _on_logout(sender, request, user, **kwargs) -> None:
    from coalition.models import AuthEvent

    if user is None:
        return
    ip, agent = _client(request)
    AuthEvent.objects.create(
        kind=AuthEvent.Kind.LOGOUT, user=user, email=user.email, ip_address=ip, user_agent=agent
    )


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from coalition.models import AuthEvent

    # Django has already masked the password in `credentials`; only the address is kept.
    email = str(credentials.get("email") or credentials.get("username") or "")[:254].lower()
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    ip, agent = _client(request)
    AuthEvent.objects.create(
        kind=AuthEvent.Kind.LOGIN_FAILED, user=user, email=email, ip_address=ip, user_agent=agent
    )


def connect_signals() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    _register_models()


def _register_models() -> None:
    from practices.models import Invitation, Membership, Practice, PracticeAPIKey

    user_model = get_user_model()
    auditlog.register(user_model, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
    auditlog.register(Practice, exclude_fields=["wrapped_secret", "updated_at"])
    auditlog.register(Membership)
    auditlog.register(Invitation, exclude_fields=["token"])
    auditlog.register(PracticeAPIKey, exclude_fields=["hashed_key", "id"])
