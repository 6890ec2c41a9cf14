"""Writes about practices and their people. Every function is keyword-only and atomic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from practices.models import (
    Invitation,
    Membership,
    Ownership,
    Practice,
    PracticeAPIKey,
    Role,
)
from practices.regions import STATE_REGION

User = get_user_model()


# --- practices ----------------------------------------------------------------------------------
@transaction.atomic
def practice_create(
    *,
    name: str,
    slug: str,
    state: str,
    radiologist_fte: Decimal,
    ownership: str = Ownership.PHYSICIAN_OWNED,
    joined_on: date | None = None,
    time_zone: str = "",
) -> Practice:
    state = state.strip().upper()
    if state not in STATE_REGION:
        raise ValidationError({"state": f"{state!r} is not a US state or DC postal code."})
    practice = Practice(
        name=name.strip(),
        slug=slug.strip().lower(),
        state=state,
        radiologist_fte=Decimal(str(radiologist_fte)),
        ownership=ownership,
        joined_on=joined_on or timezone.localdate(),
        time_zone=time_zone,  # blank: the zone of most of its state (Practice.save)
    )
    if not practice.time_zone:
        practice._derive_region_and_size()
    practice.full_clean()
    practice.save()
    return practice


@transaction.atomic
def practice_update(*, practice: Practice, **fields) -> Practice:
    allowed = {
        "name",
        "state",
        "radiologist_fte",
        "ownership",
        "joined_on",
        "is_active",
        "time_zone",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    for field, value in fields.items():
        setattr(practice, field, value)
    practice.full_clean()
    practice.save()
    return practice


# --- memberships --------------------------------------------------------------------------------
@transaction.atomic
def membership_create(*, practice: Practice, user, role: str = Role.VIEWER) -> Membership:
    membership = Membership(practice=practice, user=user, role=Role(role))
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError({"user": f"{user.email} is already a member."}) from None
    return membership


def _lock_admins(practice: Practice) -> int:
    # Lock the practice row so two admins demoting each other cannot both succeed.
    Practice.objects.select_for_update().get(pk=practice.pk)
    return Membership.objects.for_practice(practice).filter(role=Role.PRACTICE_ADMIN).count()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    role = Role(role)
    if membership.role == Role.PRACTICE_ADMIN and role != Role.PRACTICE_ADMIN:
        if _lock_admins(membership.practice) <= 1:
            raise ValidationError({"role": "A practice must keep at least one practice admin."})
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.role == Role.PRACTICE_ADMIN and _lock_admins(membership.practice) <= 1:
        raise ValidationError("A practice must keep at least one practice admin.")
    # Keys act for their creator: they stop working when the creator leaves the practice.
    for api_key in PracticeAPIKey.objects.for_practice(membership.practice).filter(
        created_by=membership.user, revoked=False
    ):
        api_key_revoke(api_key=api_key)
    membership.delete()


# --- invitations --------------------------------------------------------------------------------
def _send_invitation(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.across_practices().select_related("practice").get(pk=invitation_id)
    )
    link = settings.SITE_URL.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": invitation.token}
    )
    send_mail(
        subject=f"You are invited to {invitation.practice.name} on the coalition data platform",
        message=(
            f"You have been invited to join {invitation.practice.name} as "
            f"{invitation.get_role_display().lower()}.\n\nAccept the invitation here:\n{link}\n\n"
            f"The link expires on {timezone.localtime(invitation.expires_at):%B %d, %Y}."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, practice: Practice, email: str, role: str, invited_by) -> Invitation:
    email = email.strip().lower()
    role = Role(role)
    if Membership.objects.for_practice(practice).filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {practice.name}."})
    # A newer invitation replaces one still open for the same address.
    Invitation.objects.for_practice(practice).filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        practice=practice, email=email, role=role, invited_by=invited_by
    )
    transaction.on_commit(lambda: _send_invitation(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user=None, password: str = "", full_name: str = ""
) -> Membership:
    """Join the practice. A signed-in user must hold the invited address. Without one, an
    account is created for the invited address with the given password, unless an account
    already holds it: its owner signs in through the site's sign-in first (lockout, rate
    limits, the failed sign-in record, two-factor), so no password is checked here."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(practice=invitation.practice)
        .get(pk=invitation.pk)
    )
    if not invitation.is_open:
        raise ValidationError("This invitation has expired or was already used.")
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                f"This invitation is for {invitation.email}; you are signed in as {user.email}."
            )
    elif User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            "An account already holds this address: sign in to it, then accept the invitation."
        )
    else:
        candidate = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user=candidate)
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name.strip()
        )
    membership = Membership.objects.for_practice(invitation.practice).filter(user=user).first()
    if membership is None:
        membership = membership_create(
            practice=invitation.practice, user=user, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


# --- API keys -----------------------------------------------------------------------------------
@transaction.atomic
def api_key_create(*, practice: Practice, name: str, created_by) -> tuple[PracticeAPIKey, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the key a name, e.g. the system that will use it."})
    return PracticeAPIKey.objects.create_key(practice=practice, name=name, created_by=created_by)


@transaction.atomic
def api_key_revoke(*, api_key: PracticeAPIKey) -> PracticeAPIKey:
    if not api_key.revoked:
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
    return api_key
