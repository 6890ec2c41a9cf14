import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from practice invitations (or administrators), never self sign-up.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in with the password moments ago is as recent as entering it again: staff
        sent to set up two-factor right after signing in are not asked for it a second time.
        Past ACCOUNT_REAUTHENTICATION_TIMEOUT after the sign-in, sensitive actions ask again."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not self._signed_in_with_password_recently()

    def _signed_in_with_password_recently(self) -> bool:
        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        sign_ins = [
            record
            for record in get_authentication_records(request, user)
            if record.get("method") == "password" and not record.get("reauthenticated")
        ]
        if not sign_ins:
            return False
        elapsed = time.time() - sign_ins[-1]["at"]
        return elapsed < account_settings.REAUTHENTICATION_TIMEOUT
