"""Forms of the responses app. They validate input; responses/services.py writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from cases.forms import DateInput
from cases.locking import VersionedForm
from cases.permissions import records_in_case
from responses.models import (
    AlertCategory,
    AlertSeverity,
    InformationKind,
    RecommendationKind,
    SafetyDecision,
)

_TEXT = {"rows": 3}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _people_choices(user, case):
    people = records_in_case(user, case, "person").order_by("given_name", "family_name")
    return [(p.pk, str(p)) for p in people]


class RecordAlertForm(forms.Form):
    about = forms.TypedChoiceField(label="The alert is about", coerce=int, empty_value=None, required=False,
                                   help_text="The whole case, or one person of the case")
    category = forms.ChoiceField(choices=AlertCategory.choices)
    severity = forms.ChoiceField(choices=AlertSeverity.choices)
    details = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=4000)
    starts_on = forms.DateField(label="Starts on", widget=DateInput(), initial=timezone.localdate)
    review_on = forms.DateField(label="Review by", widget=DateInput(), required=False)
    ends_on = forms.DateField(label="Ends on (if known)", widget=DateInput(), required=False)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [("", "The case")] + _people_choices(user, case)

    def clean(self):
        data = super().clean()
        starts = data.get("starts_on")
        for name, label in (("review_on", "review date"), ("ends_on", "end date")):
            if starts and data.get(name) and data[name] < starts:
                self.add_error(name, f"The {label} cannot be before the alert starts.")
        return data


class RecordAlertEndForm(VersionedForm, forms.Form):
    reason = forms.CharField(max_length=300, help_text="Why the alert no longer applies")
    on = forms.DateField(label="Ended on", widget=DateInput(), initial=timezone.localdate)


class RecordAlertReviewForm(VersionedForm, forms.Form):
    next_review_on = forms.DateField(label="Next review by", widget=DateInput(), required=False)
    details = forms.CharField(label="Updated details (optional)", widget=forms.Textarea(attrs=_TEXT),
                              required=False, max_length=4000)


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(label="Information received", choices=InformationKind.choices)
    person = forms.TypedChoiceField(label="About", coerce=int, empty_value=None, required=False)
    summary = forms.CharField(max_length=200)
    details = forms.CharField(widget=forms.Textarea(attrs=_TEXT), required=False, max_length=10000)
    received_at = forms.DateTimeField(label="Received at", widget=DateTimeInput(), required=False,
                                      help_text="Leave empty for now")

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "The family")] + _people_choices(user, case)


class StepForm(forms.Form):
    note = forms.CharField(label="What was done", widget=forms.Textarea(attrs=_TEXT), required=False, max_length=4000)
    victim_support_information_given = forms.BooleanField(
        label="Information about victim support services was given", required=False)


class SafetyAssessmentForm(forms.Form):
    completed_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    threats = forms.CharField(label="Safety threats found", widget=forms.Textarea(attrs=_TEXT), required=False,
                              max_length=4000, help_text="Required unless the decision is “safe”")
    decision = forms.ChoiceField(choices=SafetyDecision.choices, widget=forms.RadioSelect)


class SafetyPlanForm(forms.Form):
    developed_on = forms.DateField(label="Developed with the family on", widget=DateInput(),
                                   initial=timezone.localdate)
    threats = forms.CharField(label="Safety threats", widget=forms.Textarea(attrs=_TEXT), max_length=4000)
    actions = forms.CharField(label="Actions that manage them", widget=forms.Textarea(attrs=_TEXT), max_length=4000)
    responsible = forms.CharField(label="Who is responsible", widget=forms.Textarea(attrs=_TEXT), max_length=4000)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve / endorse"), ("return", "Return")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs=_TEXT), required=False, max_length=2000,
                              help_text="Required when returning")


class NoIncreaseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=300,
                             label="Why no increase of contact is needed")


class SupervisionReviewForm(forms.Form):
    held_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    discussion = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=10000)
    decisions = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=10000)
    rationale = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=10000)


class FormalReviewForm(forms.Form):
    held_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    assessments_completed = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=10000)
    progress = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=10000)
    decision = forms.CharField(widget=forms.Textarea(attrs=_TEXT), max_length=10000)


class RecommendationForm(forms.Form):
    kind = forms.ChoiceField(label="Recommendation", choices=RecommendationKind.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label="Closing date", widget=DateInput(), initial=timezone.localdate)
    confirmed = forms.BooleanField(
        label="I confirm: planned visits will be cancelled, open referrals ended and the record becomes read-only",
        required=False)


class InboundResolveForm(forms.Form):
    case_reference = forms.CharField(label="Case reference", max_length=32)
    kind = forms.ChoiceField(label="Information received", choices=InformationKind.choices)
    person_id = forms.IntegerField(label="Person number (optional)", required=False, min_value=1)
    summary = forms.CharField(max_length=200)
    note = forms.CharField(label="Review note", max_length=300, required=False)


class InboundDismissForm(forms.Form):
    note = forms.CharField(label="Why no response is needed", max_length=300)
