"""Member practices, who belongs to them, invitations and the practice's API keys."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from coalition.tenancy import PracticeOwnedModel, PracticeScopedManager
from practices import crypto
from practices.regions import (
    REGION_CHOICES,
    SIZE_BAND_CHOICES,
    STATE_CHOICES,
    TIME_ZONE_CHOICES,
    region_for_state,
    size_band_for_fte,
    time_zone_for_state,
)


class Role(models.TextChoices):
    PRACTICE_ADMIN = "practice_admin", "Practice admin"
    SUBMITTER = "submitter", "Submitter"
    VIEWER = "viewer", "Viewer"


# What each role may do is decided by rank: an admin may do what a submitter may, and so on.
ROLE_RANK = {Role.VIEWER: 1, Role.SUBMITTER: 2, Role.PRACTICE_ADMIN: 3}


def role_at_least(role: str, required: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(required)]


class Ownership(models.TextChoices):
    PHYSICIAN_OWNED = "physician_owned", "Independent, physician-owned"
    PHYSICIAN_OWNED_PE = "physician_owned_pe", "Physician-owned with private-equity partner"
    HOSPITAL_AFFILIATED = "hospital_affiliated", "Hospital-affiliated"
    ACADEMIC = "academic", "Academic affiliate"
    OTHER = "other", "Other"


class Practice(models.Model):
    """A member practice. Region and size band are derived from state and radiologist FTE."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Lower-case words and hyphens.")],
    )
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    region = models.CharField(max_length=20, choices=REGION_CHOICES, editable=False)
    radiologist_fte = models.DecimalField(
        "radiologist FTE",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    size_band = models.CharField(max_length=10, choices=SIZE_BAND_CHOICES, editable=False)
    # Exam times without a UTC offset in an upload are read in this zone, and an exam belongs to
    # the year (and month) of its completion here. Defaults to the zone of most of its state.
    time_zone = models.CharField(
        max_length=40,
        choices=TIME_ZONE_CHOICES,
        help_text="Exam times without a UTC offset in your files are read in this time zone.",
    )
    ownership = models.CharField(
        max_length=30, choices=Ownership.choices, default=Ownership.PHYSICIAN_OWNED
    )
    joined_on = models.DateField(default=timezone.localdate)
    is_active = models.BooleanField("active", default=True)
    # 32 random bytes wrapped with PRACTICE_SECRETS_KEY; see practices/crypto.py.
    wrapped_secret = models.BinaryField(editable=False, default=crypto.new_wrapped_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(radiologist_fte__gt=0), name="practice_fte_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(region__in=[code for code, _ in REGION_CHOICES]),
                name="practice_region_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(size_band__in=[code for code, _ in SIZE_BAND_CHOICES]),
                name="practice_size_band_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(time_zone__in=[code for code, _ in TIME_ZONE_CHOICES]),
                name="practice_time_zone_valid",
            ),
        ]
        permissions = [
            ("view_member_directory", "Can view the coalition member directory"),
        ]

    def __str__(self) -> str:
        return self.name

    def _derive_region_and_size(self) -> None:
        self.region = region_for_state(self.state)
        self.size_band = size_band_for_fte(self.radiologist_fte)
        if not self.time_zone:
            self.time_zone = time_zone_for_state(self.state)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        try:
            self._derive_region_and_size()
        except (ValueError, ArithmeticError) as error:
            raise ValidationError({"state": str(error)}) from None

    def save(self, *args, **kwargs) -> None:
        self._derive_region_and_size()
        super().save(*args, **kwargs)

    @cached_property
    def _secret(self) -> bytes:
        return crypto.unwrap_secret(self.wrapped_secret)

    def pseudonymize(self, local_id: str) -> str:
        return crypto.pseudonymize(crypto.pseudonym_key(self._secret), local_id)

    def exam_key(self) -> bytes:
        """The key of this practice's exam-id tags; never leaves the server."""
        return crypto.exam_key(self._secret)

    def encrypt_local_id(self, local_id: str) -> bytes:
        return crypto.local_id_fernet(self._secret).encrypt(local_id.encode())

    def decrypt_local_id(self, token: bytes) -> str:
        return crypto.local_id_fernet(self._secret).decrypt(bytes(token)).decode()


class Membership(PracticeOwnedModel):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.practice} ({self.get_role_display()})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class Invitation(PracticeOwnedModel):
    """An e-mailed invitation to join a practice with a role; accepted once, before it expires."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and practice.
            models.UniqueConstraint(
                fields=["practice", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.practice}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class PracticeAPIKeyManager(BaseAPIKeyManager, PracticeScopedManager):
    def get_usable_keys(self):
        # Authentication finds the key by its prefix before anyone knows the practice: the key
        # itself names the practice, so this lookup is legitimately across practices. The creator
        # comes along in the same query: authentication acts as that user on every request.
        return super().get_usable_keys().across_practices().select_related("practice", "created_by")

    def get_from_key(self, key: str) -> PracticeAPIKey:
        """The usable key (not revoked) the presented key names, with its practice and creator,
        or DoesNotExist. The same lookup as get_usable_keys().get(prefix=...), written as one SQL
        statement because it runs on every API request, where building the query
        through the ORM cost more than the database took to answer it."""
        prefix = key.partition(".")[0]
        with connection.cursor() as cursor:
            cursor.execute(_api_key_sql(), [prefix])
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist("No usable key has this prefix.")
        api_key = _api_key_from_row(row)
        if not api_key.is_valid(key):
            raise self.model.DoesNotExist("Key is not valid.")
        return api_key


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@cache
def _api_key_sql() -> str:
    from coalition.models import User

    key, practice, user = PracticeAPIKey, Practice, User
    selected = ", ".join(
        [f'k."{c}"' for c in _columns(key)]
        + [f'p."{c}"' for c in _columns(practice)]
        + [f'u."{c}"' for c in _columns(user)]
    )
    # Table and column names come from the models; the prefix is a parameter.
    return (
        f'SELECT {selected} FROM "{key._meta.db_table}" k '  # noqa: S608
        f'JOIN "{practice._meta.db_table}" p ON p.id = k.practice_id '
        f'LEFT JOIN "{user._meta.db_table}" u ON u.id = k.created_by_id '
        "WHERE k.prefix = %s AND NOT k.revoked"
    )


def _api_key_from_row(row) -> PracticeAPIKey:
    from coalition.models import User

    first, second = (
        len(_columns(PracticeAPIKey)),
        len(_columns(PracticeAPIKey)) + len(_columns(Practice)),
    )
    api_key = PracticeAPIKey.from_db("default", _attnames(PracticeAPIKey), row[:first])
    practice = Practice.from_db("default", _attnames(Practice), row[first:second])
    user_values = row[second:]
    creator = (
        User.from_db("default", _attnames(User), user_values)
        if user_values[0] is not None
        else None
    )
    PracticeAPIKey.practice.field.set_cached_value(api_key, practice)
    PracticeAPIKey.created_by.field.set_cached_value(api_key, creator)
    return api_key


class PracticeAPIKey(PracticeOwnedModel, AbstractAPIKey):
    """A key a practice admin creates for automated uploads; it acts as a submitter of its
    practice. Only a hash is stored; the key is shown once, when created."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "practice API key"
        verbose_name_plural = "practice API keys"

    @property
    def role(self) -> str:
        return Role.SUBMITTER
