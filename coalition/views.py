"""Coalition-wide pages: the home page and staff pages."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.generic import ListView

from coalition import selectors
from coalition.models import AuthEvent
from practices import selectors as practice_selectors
from practices.models import Role
from practices.regions import REGION_CHOICES
from practices.submissions import kinds


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = list(practice_selectors.memberships_of_user(user=request.user))
    if len(memberships) == 1 and not request.user.is_coalition_staff:
        return redirect("practices:detail", practice_slug=memberships[0].practice.slug)
    staff_groups = set(request.user.groups.values_list("name", flat=True))
    return render(
        request,
        "coalition/home.html",
        {
            "memberships": memberships,
            "staff_groups": staff_groups,
            "reviews_uploads": bool(kinds.reviewable_by(request.user)),
        },
    )


class StaffDirectoryView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "practices.view_member_directory"
    raise_exception = True
    template_name = "coalition/directory.html"
    paginate_by = 50

    def get_queryset(self):
        params = self.request.GET
        return practice_selectors.member_directory(
            search=params.get("q", "").strip(),
            region=params.get("region", ""),
            role=params.get("role", ""),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            regions=REGION_CHOICES,
            roles=Role.choices,
            practices=practice_selectors.practices_for_staff(),
            **kwargs,
        )


class AuditTrailView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "coalition.view_audit_trail"
    raise_exception = True
    template_name = "coalition/audit.html"
    paginate_by = 50

    def get_queryset(self):
        params = self.request.GET
        if params.get("tab") == "sign-ins":
            return selectors.auth_events(
                search=params.get("q", "").strip(), kind=params.get("kind", "")
            )
        return selectors.audit_changes(
            search=params.get("q", "").strip(), model=params.get("model", "")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            tab="sign-ins" if self.request.GET.get("tab") == "sign-ins" else "changes",
            kinds=AuthEvent.Kind.choices,
            actions=dict(LogEntry.Action.choices),
            **kwargs,
        )
        if context["tab"] == "changes":
            entries = list(context["object_list"])
            rows = selectors.audit_change_rows(entries)
            for entry in entries:
                entry.display_changes = rows[entry.pk]
            context["object_list"] = entries
        return context


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """404 in the site's layout (with a sign-in link for visitors); JSON under /api/."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    """403 in the site's layout; JSON under /api/. The refusal is logged without a traceback
    (coalition.log_filters)."""
    if _wants_json(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    return render(request, "403.html", status=403)
