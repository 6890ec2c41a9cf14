from __future__ import annotations

from django import forms


class QualityYearForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y), str(y)) for y in years]
