"""Practice pages: the practice profile, its members, invitations and API keys."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from coalition.scoping import PracticeScopedView
from practices import selectors, services
from practices.forms import (
    AcceptInvitationForm,
    ApiKeyForm,
    InvitationForm,
    PracticeProfileForm,
    RoleForm,
)
from practices.models import Invitation, Membership, PracticeAPIKey, Role


def _flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class PracticeDetailView(PracticeScopedView, TemplateView):
    template_name = "practices/detail.html"
    scoped_model = Membership

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            members=self.get_queryset().select_related("user").order_by("user__email"),
            **kwargs,
        )


class PracticeProfileEditView(PracticeScopedView, TemplateView):
    template_name = "practices/profile_form.html"
    required_role = Role.PRACTICE_ADMIN

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=PracticeProfileForm(instance=self.practice))
        )

    def post(self, request, *args, **kwargs):
        form = PracticeProfileForm(request.POST, instance=self.practice)
        if form.is_valid():
            try:
                services.practice_update(practice=self.practice, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Practice profile saved.")
                return redirect("practices:detail", practice_slug=self.practice.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MembersView(PracticeScopedView, TemplateView):
    """Members and open invitations; a practice admin invites, changes roles and removes."""

    template_name = "practices/members.html"
    scoped_model = Membership
    write_role = Role.PRACTICE_ADMIN

    def refine_queryset(self, queryset):
        return queryset.select_related("user").order_by("user__email")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", InvitationForm())
        return super().get_context_data(
            members=self.get_queryset(),
            invitations=selectors.open_invitations(practice=self.practice),
            roles=Role.choices,
            can_manage=self.role == Role.PRACTICE_ADMIN,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    practice=self.practice, invited_by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("practices:members", practice_slug=self.practice.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MemberRoleView(PracticeScopedView, View):
    required_role = Role.PRACTICE_ADMIN
    scoped_model = Membership
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(self.get_queryset(), pk=kwargs["membership_id"])
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the roles.")
        else:
            try:
                services.membership_change_role(
                    membership=membership, role=form.cleaned_data["role"]
                )
            except ValidationError as error:
                _flash_errors(request, error)
            else:
                messages.success(
                    request, f"{membership.user.email} is now {membership.get_role_display()}."
                )
        return redirect("practices:members", practice_slug=self.practice.slug)


class MemberRemoveView(PracticeScopedView, View):
    required_role = Role.PRACTICE_ADMIN
    scoped_model = Membership
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(self.get_queryset(), pk=kwargs["membership_id"])
        email = membership.user.email
        try:
            services.membership_remove(membership=membership)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, f"{email} was removed from {self.practice.name}.")
        return redirect("practices:members", practice_slug=self.practice.slug)


class InvitationRevokeView(PracticeScopedView, View):
    required_role = Role.PRACTICE_ADMIN
    scoped_model = Invitation
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = get_object_or_404(self.get_queryset(), pk=kwargs["invitation_id"])
        services.invitation_revoke(invitation=invitation)
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
        return redirect("practices:members", practice_slug=self.practice.slug)


class ApiKeysView(PracticeScopedView, TemplateView):
    template_name = "practices/api_keys.html"
    scoped_model = PracticeAPIKey
    required_role = Role.PRACTICE_ADMIN

    def refine_queryset(self, queryset):
        return queryset.select_related("created_by")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ApiKeyForm())
        return super().get_context_data(api_keys=self.get_queryset(), **kwargs)

    def post(self, request, *args, **kwargs):
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                api_key, raw_key = services.api_key_create(
                    practice=self.practice, name=form.cleaned_data["name"], created_by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Shown once; only a hash is stored.
                return self.render_to_response(
                    self.get_context_data(new_key=raw_key, new_key_name=api_key.name)
                )
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ApiKeyRevokeView(PracticeScopedView, View):
    required_role = Role.PRACTICE_ADMIN
    scoped_model = PracticeAPIKey
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        api_key = get_object_or_404(self.get_queryset(), prefix=kwargs["practiceapikey_id"])
        services.api_key_revoke(api_key=api_key)
        messages.success(request, f"API key “{api_key.name}” was revoked.")
        return redirect("practices:api_keys", practice_slug=self.practice.slug)


def invitation_accept(request, token: str):
    """Public: the token in the e-mailed link is the capability. The owner of an existing
    account signs in through the site's sign-in (lockout, rate limits, two-factor) and comes
    back here to join; nothing on this page checks a password or starts a session by itself."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None or not invitation.is_open:
        raise Http404("This invitation has expired or was already used.")
    user = request.user if request.user.is_authenticated else None
    existing = (
        user is None and get_user_model().objects.filter(email__iexact=invitation.email).exists()
    )
    if existing:
        page = reverse("invitation_accept", kwargs={"token": token})
        sign_in_url = f"{reverse('account_login')}?{urlencode({'next': page})}"
        if request.method == "POST":
            return redirect(sign_in_url)
        return render(
            request,
            "practices/invitation_accept.html",
            {"invitation": invitation, "existing": True, "sign_in_url": sign_in_url},
        )
    form = None if user is not None else AcceptInvitationForm(request.POST or None)
    if request.method == "POST":
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            try:
                membership = services.invitation_accept(invitation=invitation, user=user, **data)
            except ValidationError as error:
                if form is None:
                    _flash_errors(request, error)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, f"Welcome to {invitation.practice.name}.")
                target = reverse(
                    "practices:detail", kwargs={"practice_slug": invitation.practice.slug}
                )
                if user is None:
                    # The new account is signed in by allauth's own flow: its stages run and
                    # the sign-in is recorded like any other.
                    return perform_login(request, membership.user, redirect_url=target)
                return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "practices/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": False},
        status=status,
    )
