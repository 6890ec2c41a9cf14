"""Reads about practices and their people."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from practices.models import Invitation, Membership, Practice, PracticeAPIKey


def membership_of(*, user, practice_slug: str) -> Membership | None:
    """The user's own membership in the practice with this slug, if any. This is the access
    check behind every practice-scoped page: it looks only at the user's own rows."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.across_practices()
        .select_related("practice")
        .filter(user=user, practice__slug=practice_slug, practice__is_active=True)
        .first()
    )


def memberships_of_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.across_practices()
        .select_related("practice")
        .filter(user=user, practice__is_active=True)
        .order_by("practice__name")
    )


def practice_members(*, practice: Practice) -> QuerySet[Membership]:
    return Membership.objects.for_practice(practice).select_related("user").order_by("user__email")


def practice_admin_count(*, practice: Practice) -> int:
    return Membership.objects.for_practice(practice).filter(role="practice_admin").count()


def open_invitations(*, practice: Practice) -> QuerySet[Invitation]:
    from django.utils import timezone

    return (
        Invitation.objects.for_practice(practice)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    # The token is the capability: whoever holds it may see which practice invited them.
    return (
        Invitation.objects.across_practices().select_related("practice").filter(token=token).first()
    )


def practice_api_keys(*, practice: Practice) -> QuerySet[PracticeAPIKey]:
    return PracticeAPIKey.objects.for_practice(practice).select_related("created_by")


def member_directory(*, search: str = "", region: str = "", role: str = "") -> QuerySet[Membership]:
    """Staff only: every membership of every practice."""
    queryset = Membership.objects.across_practices().select_related("user", "practice")
    if search:
        queryset = queryset.filter(
            Q(user__email__icontains=search)
            | Q(user__full_name__icontains=search)
            | Q(practice__name__icontains=search)
        )
    if region:
        queryset = queryset.filter(practice__region=region)
    if role:
        queryset = queryset.filter(role=role)
    return queryset.order_by("practice__name", "user__email")


def practices_for_staff() -> QuerySet[Practice]:
    return Practice.objects.annotate(member_count=Count("memberships")).order_by("name")


def practices_of(*, user, api_key=None) -> QuerySet[Practice]:
    """The practices the caller belongs to; an API key reaches only its own practice."""
    if api_key is not None:
        return Practice.objects.filter(pk=api_key.practice_id, is_active=True)
    return Practice.objects.filter(is_active=True, memberships__user=user).distinct()
