from __future__ import annotations

from django import forms

from practices.models import Ownership, Practice, Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=50, help_text="What will use it, e.g. 'PACS export job'.")


class PracticeProfileForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["radiologist_fte", "ownership", "time_zone"]
        help_texts = {"radiologist_fte": "Total radiologist FTE; sets the practice's size band."}


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not a common or all-numeric password.",
    )


OWNERSHIP_CHOICES = Ownership.choices
