"""Practice API keys: `Authorization: Api-Key <key>` (or `X-Api-Key: <key>`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

KEYWORD = "Api-Key"


class PracticeAPIKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's creator, limited to the key's practice with the submitter
    role (coalition.scoping enforces the limit). Revoked or expired keys are refused."""

    def authenticate(self, request):
        from practices.models import PracticeAPIKey

        header = authentication.get_authorization_header(request).decode("latin-1")
        key = ""
        if header.startswith(KEYWORD + " "):
            key = header[len(KEYWORD) + 1 :].strip()
        elif request.META.get("HTTP_X_API_KEY"):
            key = request.META["HTTP_X_API_KEY"].strip()
        if not key:
            return None
        try:
            api_key = PracticeAPIKey.objects.get_from_key(key)
        except PracticeAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        user = api_key.created_by
        if user is None or not user.is_active or not api_key.practice.is_active:
            raise exceptions.AuthenticationFailed("This API key is no longer valid.")
        _audit_as(user)
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
            PracticeAPIKey.objects.for_practice(api_key.practice).filter(pk=api_key.pk).update(
                last_used_at=now
            )
        return user, api_key

    def authenticate_header(self, request) -> str:
        return KEYWORD


def _audit_as(user) -> None:
    """Changes this request makes are audited as the key's creator. The audit middleware took
    its actor from the session, before the API authenticated the key; its per-request context
    is a dict the audit log reads when an entry is saved, so the actor is set there."""
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:  # outside a request through the middleware
        return
    if context.get("actor") is None:
        context["actor"] = user
