from __future__ import annotations

from rest_framework import serializers

from coalition.api.serializers import PracticeScopedModelSerializer
from practices.models import Invitation, Membership, Practice, PracticeAPIKey, Role


class PracticeSerializer(serializers.ModelSerializer):
    region = serializers.CharField(read_only=True)
    size_band = serializers.CharField(read_only=True)

    class Meta:
        model = Practice
        fields = [
            "slug",
            "name",
            "state",
            "region",
            "radiologist_fte",
            "size_band",
            "time_zone",
            "ownership",
            "joined_on",
            "is_active",
        ]
        read_only_fields = ["slug", "name", "state", "joined_on", "is_active"]


class MemberUserSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()


class MembershipSerializer(PracticeScopedModelSerializer):
    user = MemberUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(PracticeScopedModelSerializer):
    invited_by = serializers.EmailField(
        source="invited_by.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "invited_by", "created_at", "expires_at"]
        # Optional in the payload, as the model's default says: a viewer.
        extra_kwargs = {"role": {"default": Role.VIEWER}}


class PracticeAPIKeySerializer(PracticeScopedModelSerializer):
    # The stored primary key is "<prefix>.<hash of the key>": the API names a key by its
    # prefix alone (unique, and the first part of the key itself).
    id = serializers.CharField(
        source="prefix", read_only=True, help_text="The key's public id: its prefix."
    )
    name = serializers.CharField(max_length=50, help_text="What will use the key.")
    created_by = serializers.EmailField(
        source="created_by.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = PracticeAPIKey
        fields = ["id", "name", "prefix", "created", "created_by", "last_used_at", "revoked"]
        read_only_fields = ["id", "prefix", "created", "created_by", "last_used_at", "revoked"]


class PracticeAPIKeyCreatedSerializer(PracticeAPIKeySerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; only a hash is stored.")

    class Meta(PracticeAPIKeySerializer.Meta):
        fields = [*PracticeAPIKeySerializer.Meta.fields, "key"]


class MeMembershipSerializer(serializers.Serializer):
    practice = serializers.SlugField(source="practice.slug")
    practice_name = serializers.CharField(source="practice.name")
    role = serializers.CharField()


class MeApiKeySerializer(serializers.Serializer):
    id = serializers.CharField(source="prefix", help_text="The key's public id: its prefix.")
    name = serializers.CharField()
    practice = serializers.SlugField(source="practice.slug")
    role = serializers.CharField(help_text="What the key may do in its practice.")


class MeSerializer(serializers.Serializer):
    """Who the caller is. With an API key, what the key may do (a submitter of its one
    practice), never its creator's roles or staff groups."""

    kind = serializers.ChoiceField(choices=["user", "api_key"])
    email = serializers.EmailField(allow_null=True, help_text="Null for an API key.")
    full_name = serializers.CharField(allow_null=True, help_text="Null for an API key.")
    is_coalition_staff = serializers.BooleanField()
    staff_groups = serializers.ListField(child=serializers.CharField())
    two_factor_enabled = serializers.BooleanField()
    memberships = MeMembershipSerializer(many=True)
    api_key_practice = serializers.SlugField(allow_null=True)
    api_key = MeApiKeySerializer(allow_null=True)
