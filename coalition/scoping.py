"""The one scoped base for practice pages and practice API endpoints.

A practice route carries the practice's slug (`practice_slug`). The base resolves it against
the caller's own memberships (or the practice API key that authenticated the request): a
practice the caller does not belong to answers 404, exactly as a practice that does not
exist. Objects are then looked up only inside that practice, so another practice's object id
answers 404 as well. A role below the one the route needs answers 403 (the caller is a member,
so nothing is revealed by saying so).

Subclasses name the model (`scoped_model`) and may narrow the scoped queryset with
`refine_queryset()`; they may not override `get_queryset()` (enforced at class creation).
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from practices.models import Role, role_at_least
from practices.selectors import membership_of

PRACTICE_URL_KWARG = "practice_slug"


class _ScopeGuard:
    """Refuses subclasses that override get_queryset() around the scoped one."""

    _scope_base = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("_scope_base") and "get_queryset" in cls.__dict__:
            raise ImproperlyConfigured(
                f"{cls.__name__} overrides get_queryset(); narrow the scoped queryset in "
                "refine_queryset() instead."
            )


def _practice_access(request, practice_slug: str) -> tuple[object, str]:
    """(practice, role) for the caller, or Http404."""
    api_key = getattr(request, "auth", None)
    from practices.models import PracticeAPIKey

    if isinstance(api_key, PracticeAPIKey):
        if api_key.practice.slug != practice_slug or not api_key.practice.is_active:
            raise Http404
        return api_key.practice, api_key.role
    membership = membership_of(user=request.user, practice_slug=practice_slug)
    if membership is None:
        raise Http404
    return membership.practice, membership.role


class PracticeScopedMixin(_ScopeGuard):
    """For Django class-based views under /practices/<practice_slug>/."""

    _scope_base = True
    scoped_model = None
    required_role: str = Role.VIEWER
    # Unsafe methods (POST, PUT, PATCH, DELETE) may need a higher role than reading.
    write_role: str | None = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.practice = None
        self.role = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # type: ignore[attr-defined]
        self.practice, self.role = _practice_access(request, kwargs[PRACTICE_URL_KWARG])
        needed = self.required_role
        if request.method not in ("GET", "HEAD", "OPTIONS") and self.write_role:
            needed = self.write_role
        if not role_at_least(self.role, needed):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.scoped_model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs scoped_model.")
        return self.refine_queryset(self.scoped_model.objects.for_practice(self.practice))

    def refine_queryset(self, queryset):
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(practice=self.practice, role=self.role, role_label=Role(self.role).label)
        return context


class PracticeScopedView(LoginRequiredMixin, PracticeScopedMixin):
    """Base for practice pages: sign-in required, then practice scoping."""

    _scope_base = True


class PracticeRolePermission(IsAuthenticated):
    """Resolves the practice of the route (404 when the caller is not in it) and checks the
    role the action needs."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if PRACTICE_URL_KWARG not in view.kwargs:  # a list of the caller's own practices
            return True
        view.practice, view.role = _practice_access(request, view.kwargs[PRACTICE_URL_KWARG])
        needed = view.required_role_for(request)
        return role_at_least(view.role, needed)


class PracticeScopedViewSet(_ScopeGuard, viewsets.GenericViewSet):
    """Base for API endpoints under /api/v1/practices/<practice_slug>/."""

    _scope_base = True
    scoped_model = None
    permission_classes = [PracticeRolePermission]
    read_role: str = Role.VIEWER
    write_role: str = Role.PRACTICE_ADMIN
    # Per-action overrides, e.g. {"create": Role.SUBMITTER}.
    action_roles: dict[str, str] = {}

    def required_role_for(self, request) -> str:
        if self.action in self.action_roles:
            return self.action_roles[self.action]
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.read_role
        return self.write_role

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request practice
            return self.scoped_model.objects.across_practices().none()
        if getattr(self, "practice", None) is None:
            raise drf_exceptions.NotFound
        return self.refine_queryset(self.scoped_model.objects.for_practice(self.practice))

    def refine_queryset(self, queryset):
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["practice"] = getattr(self, "practice", None)
        return context
