from django.contrib import admin

from coalition.admin import PracticeOwnedAdmin
from practices.models import Invitation, Membership, Practice, PracticeAPIKey


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return Membership.objects.across_practices().select_related("user")


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "state",
        "region",
        "radiologist_fte",
        "size_band",
        "time_zone",
        "ownership",
        "joined_on",
        "is_active",
    ]
    list_filter = ["region", "size_band", "ownership", "is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["region", "size_band", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(PracticeOwnedAdmin):
    list_display = ["user", "practice", "role", "created_at"]
    list_filter = ["role", "practice"]
    search_fields = ["user__email", "practice__name"]
    autocomplete_fields = ["user", "practice"]
    list_select_related = ["user", "practice"]


@admin.register(Invitation)
class InvitationAdmin(PracticeOwnedAdmin):
    list_display = ["email", "practice", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "practice"]
    search_fields = ["email"]
    readonly_fields = ["token", "accepted_at", "created_at"]
    list_select_related = ["practice"]


@admin.register(PracticeAPIKey)
class PracticeAPIKeyAdmin(PracticeOwnedAdmin):
    list_display = ["name", "practice", "prefix", "created", "created_by", "revoked"]
    list_filter = ["revoked", "practice"]
    readonly_fields = ["prefix", "created", "created_by", "last_used_at"]
    fields = ["name", "practice", "prefix", "created", "created_by", "last_used_at", "revoked"]

    def has_add_permission(self, request):
        # Keys are created by practice admins on the site, where the key is shown once.
        return False
