"""Two-factor sign-in is required of coalition staff and administrators; signed-in pages and
API responses are never stored by a browser or a proxy."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# Pages a staff user without two-factor can still reach: sign-out, account and 2FA set-up.
EXEMPT_PREFIXES = ("/accounts/", "/static/")


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffTwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and user.is_coalition_staff
            and not has_totp(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Staff accounts must set up two-factor authentication first."},
                    status=403,
                )
            messages.warning(
                request, "Coalition staff must set up two-factor authentication before going on."
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's never-cache headers) on every response to a
    signed-in user and on every API response: they carry practice data, which must not stay
    in a shared computer's browser cache or a proxy. Static files (WhiteNoise answers them
    before this runs) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response
