"""Practices API: the caller's practices, their members, invitations and API keys."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition.middleware import has_totp
from coalition.models import STAFF_GROUPS
from coalition.scoping import PracticeRolePermission, PracticeScopedViewSet
from practices import selectors, services
from practices.api.serializers import (
    InvitationSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    MeSerializer,
    PracticeAPIKeyCreatedSerializer,
    PracticeAPIKeySerializer,
    PracticeSerializer,
)
from practices.models import Invitation, Membership, Practice, PracticeAPIKey, Role


def _api_key(request) -> PracticeAPIKey | None:
    return request.auth if isinstance(request.auth, PracticeAPIKey) else None


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        api_key = _api_key(request)
        if api_key is not None:
            # A key acts as a submitter of its one practice, whoever created it.
            data = {
                "kind": "api_key",
                "email": None,
                "full_name": None,
                "is_coalition_staff": False,
                "staff_groups": [],
                "two_factor_enabled": False,
                "memberships": [{"practice": api_key.practice, "role": api_key.role}],
                "api_key_practice": api_key.practice.slug,
                "api_key": api_key,
            }
            return Response(MeSerializer(data).data)
        user = request.user
        data = {
            "kind": "user",
            "email": user.email,
            "full_name": user.full_name,
            "is_coalition_staff": user.is_coalition_staff,
            "staff_groups": list(
                user.groups.filter(name__in=STAFF_GROUPS).values_list("name", flat=True)
            ),
            "two_factor_enabled": has_totp(user),
            "memberships": list(selectors.memberships_of_user(user=user)),
            "api_key_practice": None,
            "api_key": None,
        }
        return Response(MeSerializer(data).data)


class PracticeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's practices (an API key: its own). A practice admin may update the
    radiologist FTE and ownership of their practice."""

    serializer_class = PracticeSerializer
    permission_classes = [PracticeRolePermission]
    lookup_field = "slug"
    lookup_url_kwarg = "practice_slug"
    ordering_fields = ["name", "radiologist_fte", "joined_on"]
    ordering = ["name"]
    filterset_fields = ["region", "size_band", "state"]
    http_method_names = ["get", "patch", "head", "options"]

    def required_role_for(self, request) -> str:
        return Role.VIEWER if request.method in ("GET", "HEAD", "OPTIONS") else Role.PRACTICE_ADMIN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Practice.objects.none()
        return selectors.practices_of(user=self.request.user, api_key=_api_key(self.request))

    def perform_update(self, serializer):
        fields = {
            key: value
            for key, value in serializer.validated_data.items()
            if key in {"radiologist_fte", "ownership", "time_zone"}
        }
        serializer.instance = services.practice_update(practice=serializer.instance, **fields)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PracticeScopedViewSet,
):
    """Members of the practice. Practice admins change roles (PATCH) and remove members."""

    scoped_model = Membership
    serializer_class = MembershipSerializer
    lookup_url_kwarg = "membership_id"
    lookup_value_regex = r"\d+"
    ordering_fields = ["created_at", "role", "user__email"]
    ordering = ["user__email"]
    filterset_fields = ["role"]

    def refine_queryset(self, queryset):
        return queryset.select_related("user")

    @extend_schema(request=MembershipRoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        payload = MembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.membership_change_role(membership=membership, role=payload.validated_data["role"])
        return Response(self.get_serializer(membership).data)

    def perform_destroy(self, instance):
        services.membership_remove(membership=instance)


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    PracticeScopedViewSet,
):
    """Open invitations; practice admins invite by e-mail (POST) and withdraw (DELETE)."""

    scoped_model = Invitation
    serializer_class = InvitationSerializer
    read_role = Role.PRACTICE_ADMIN
    lookup_url_kwarg = "invitation_id"
    lookup_value_regex = r"\d+"
    ordering_fields = ["created_at", "email"]
    ordering = ["-created_at"]
    filterset_fields = ["role"]

    def refine_queryset(self, queryset):
        return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related(
            "invited_by"
        )

    def perform_create(self, serializer):
        serializer.instance = services.invitation_create(
            practice=self.practice, invited_by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.invitation_revoke(invitation=instance)


class PracticeAPIKeyViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    PracticeScopedViewSet,
):
    """The practice's API keys. POST answers the new key once; DELETE revokes."""

    scoped_model = PracticeAPIKey
    serializer_class = PracticeAPIKeySerializer
    read_role = Role.PRACTICE_ADMIN
    lookup_field = "prefix"  # the public id; the primary key holds the key's hash
    lookup_url_kwarg = "practiceapikey_id"
    lookup_value_regex = r"[^/]+"
    ordering_fields = ["created", "name"]
    ordering = ["-created"]
    filterset_fields = ["revoked"]

    def refine_queryset(self, queryset):
        return queryset.select_related("created_by")

    @extend_schema(responses={201: PracticeAPIKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, raw_key = services.api_key_create(
            practice=self.practice, name=serializer.validated_data["name"], created_by=request.user
        )
        api_key.key = raw_key
        return Response(
            PracticeAPIKeyCreatedSerializer(api_key, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        services.api_key_revoke(api_key=instance)
