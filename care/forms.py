"""Forms of the care app: they validate input; services decide and write."""

from __future__ import annotations

from django import forms

from care.models import ByWhom, Period, SessionOutcome, Supervision
from cases.permissions import records_in_case

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


class FamilyTimeForm(forms.Form):
    participants = forms.ModelMultipleChoiceField(label="With whom", queryset=None, required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    others = forms.CharField(label="Others taking part", max_length=200, required=False,
                             help_text="People not recorded in the case")
    sessions = forms.IntegerField(label="Sessions", min_value=1, max_value=14, initial=1)
    period = forms.ChoiceField(label="Every", choices=Period.choices)
    duration_minutes = forms.IntegerField(label="How long (minutes)", min_value=15, max_value=1440, initial=60)
    location = forms.CharField(label="Where", max_length=200)
    supervision = forms.ChoiceField(choices=Supervision.choices, widget=forms.RadioSelect,
                                    initial=Supervision.SUPERVISED)
    supervisor = forms.CharField(label="Supervised by", max_length=160, required=False)
    transport = forms.CharField(label="Transport", max_length=200, required=False,
                                help_text="Who takes the child and brings them back")
    started_on = forms.DateField(label="From", widget=DATE)
    review_on = forms.DateField(label="Review date", widget=DATE)

    def __init__(self, *args, user, member, **kwargs):
        super().__init__(*args, **kwargs)
        people = records_in_case(user, member.case, "member").exclude(pk=member.pk).filter(left_on__isnull=True)
        self.fields["participants"].queryset = people.select_related("person")
        self.fields["participants"].label_from_instance = lambda m: f"{m.person} ({m.relationship or m.get_role_display()})"


class StageForm(forms.Form):
    changes = forms.CharField(label="What changes", widget=SHORT_TEXT,
                              help_text="e.g. unsupervised visits at the family home, an overnight stay")
    starts_on = forms.DateField(label="From", widget=DATE)
    review_on = forms.DateField(label="Review date", widget=DATE)
    sessions = forms.IntegerField(label="Sessions (if they change)", min_value=1, max_value=14, required=False)
    period = forms.ChoiceField(label="Every", choices=[("", "—"), *Period.choices], required=False)
    duration_minutes = forms.IntegerField(label="How long in minutes (if it changes)", min_value=15, max_value=1440,
                                          required=False)
    supervision = forms.ChoiceField(label="Supervision (if it changes)", choices=[("", "—"), *Supervision.choices],
                                    required=False)


class ProgressionRequestForm(forms.Form):
    rationale = forms.CharField(label="Rationale", widget=SHORT_TEXT,
                                help_text="Why the child is ready for the next stage: what the sessions and the "
                                          "family's progress show")


class ProgressionDecisionForm(forms.Form):
    decision = forms.ChoiceField(widget=forms.RadioSelect,
                                 choices=[("approve", "Approve the move"), ("reject", "Reject it")])
    comment = forms.CharField(label="Comment", widget=SHORT_TEXT, required=False, help_text="Needed when you reject")


class SessionForm(forms.Form):
    on = forms.DateField(label="Date", widget=DATE)
    outcome = forms.ChoiceField(label="What happened", choices=SessionOutcome.choices, widget=forms.RadioSelect)
    by_whom = forms.ChoiceField(label="Missed or cancelled by", choices=[("", "—"), *ByWhom.choices], required=False)
    observations = forms.CharField(label="Observations", widget=SHORT_TEXT, required=False,
                                   help_text="How the child and family were together; anything of concern")


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Reviewed on", widget=DATE)
    outcome = forms.CharField(label="What the review found", widget=SHORT_TEXT)
    next_review_on = forms.DateField(label="Next review date", widget=DATE)


class CulturalPlanForm(forms.Form):
    community = forms.CharField(label="Community, language group or nation", max_length=160, required=False)
    review_on = forms.DateField(label="Review date", widget=DATE)


class CulturalActivityForm(forms.Form):
    activity = forms.CharField(label="What it provides", widget=SHORT_TEXT,
                               help_text="e.g. time with an Elder each month, NAIDOC week with the community")
    responsible = forms.CharField(label="Who is responsible", max_length=160)
    how_often = forms.CharField(label="How often", max_length=120, required=False)
