"""Two-factor sign-in is required of coalition staff and administrators."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

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
