from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from coalition.models import AuthEvent, User
from coalition.tenancy import is_practice_owned


class PracticeOwnedAdmin(admin.ModelAdmin):
    """Admin base for practice-owned models: administrators work across practices, so the
    admin uses the named escape hatch, for the list and for every related-object choice."""

    def get_queryset(self, request):
        queryset = self.model.objects.across_practices()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if is_practice_owned(db_field.related_model):
            kwargs.setdefault("queryset", db_field.related_model.objects.across_practices())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        (
            "Access",
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups"],
                "description": "Staff roles are the groups analyst, pso_staff and purchasing. "
                "Practice roles are memberships (Member practices › Memberships).",
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "email", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["email"]
    date_hierarchy = "occurred_at"
