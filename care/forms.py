"""Forms of children in care: they validate input; care.services decides and writes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from care.models import (
    ByWhom,
    CarerHousehold,
    CheckStatus,
    HouseholdMember,
    Period,
    PlacementType,
    Responsible,
    SessionOutcome,
    Supervision,
)
from care.services import CarerVisitInput, ItemInput
from cases.permissions import records_in_case

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
AGREEMENT_ROWS = 8


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = CarerHousehold
        fields = ["name", "kind", "office", "approval_status", "approved_on", "approval_ends_on", "suburb", "phone"]
        widgets = {"approved_on": DATE, "approval_ends_on": DATE}


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["given_name", "family_name", "role", "phone", "joined_on"]
        widgets = {"joined_on": DATE}


class PlacementForm(forms.Form):
    child = forms.ModelChoiceField(queryset=None, empty_label=None)
    household = forms.ModelChoiceField(queryset=CarerHousehold.objects.none(), label="Carer household")
    placement_type = forms.ChoiceField(choices=PlacementType.choices, label="Type of placement")
    start = forms.DateField(widget=DATE, label="Start date")
    reason_for_change = forms.CharField(widget=TEXT, label="Reason for the placement (or for the change)")
    approved_by = forms.ModelChoiceField(queryset=None, label="Approved by (team leader)")

    def __init__(self, *args, case, user, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = records_in_case(user, case, "child").select_related("person")
        self.fields["child"].label_from_instance = lambda m: str(m.person)
        self.fields["household"].queryset = households
        self.fields["approved_by"].queryset = records_in_case(user, case, "leader")


class AgreementForm(forms.Form):
    """Up to eight items (who, what), the supports to the carer and the review date."""

    supports_to_carer = forms.CharField(widget=TEXT, required=False, label="Supports to the carer")
    review_on = forms.DateField(widget=DATE, label="Review date")

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(current.items.all()) if current else []
        self.rows = []
        for n in range(AGREEMENT_ROWS):
            item = items[n] if n < len(items) else None
            who = forms.ChoiceField(choices=[("", "—"), *Responsible.choices], required=False,
                                    label=f"Item {n + 1}: who", initial=item.responsible if item else "")
            what = forms.CharField(max_length=300, required=False, label=f"Item {n + 1}: what",
                                   initial=item.what if item else "")
            self.fields[f"who_{n}"], self.fields[f"what_{n}"] = who, what
            self.rows.append((f"who_{n}", f"what_{n}"))
        if current and not self.is_bound:
            self.fields["supports_to_carer"].initial = current.supports_to_carer
            self.fields["review_on"].initial = current.review_on

    def clean(self):
        data = super().clean()
        for who, what in self.rows:
            if data.get(what, "").strip() and not data.get(who):
                self.add_error(who, "Say who: the carer, Child Safety or the parents.")
            elif data.get(who) and not data.get(what, "").strip():
                self.add_error(what, "Say what was agreed.")
        if not any(data.get(what, "").strip() for _, what in self.rows):
            raise forms.ValidationError("An agreement names at least one activity or responsibility.")
        return data

    def items(self) -> list[ItemInput]:
        return [ItemInput(self.cleaned_data[who], self.cleaned_data[what]) for who, what in self.rows
                if self.cleaned_data.get(what, "").strip()]


class CarerVisitForm(forms.Form):
    """A contact with a carer: the visit, the support given, issues, the agreement check, the next visit."""

    occurred_on = forms.DateField(widget=DATE, label="Date of the visit")
    occurred_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Start time")
    duration_minutes = forms.IntegerField(min_value=1, max_value=1440, required=False, label="Duration (minutes)")
    child_seen = forms.BooleanField(required=False, label="The child was seen at the visit")
    carer_names = forms.CharField(max_length=120, required=False, label="Carer(s) met")
    support_given = forms.CharField(widget=TEXT, label="Support given to the carer")
    conflict_with_parents = forms.BooleanField(required=False, label="Conflict with the parents")
    transport = forms.BooleanField(required=False, label="Transport")
    finance = forms.BooleanField(required=False, label="Finance")
    other_issue = forms.CharField(max_length=300, required=False, label="Other issue")
    issues_note = forms.CharField(widget=TEXT, required=False, label="About the issues")
    observations = forms.CharField(widget=TEXT, required=False, label="Observations of the care environment")
    next_visit_on = forms.DateField(widget=DATE, required=False, label="Next visit agreed")

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.check_rows = []
        for item in self.items:
            status = forms.ChoiceField(choices=CheckStatus.choices, widget=forms.RadioSelect,
                                       label=f"{item.get_responsible_display()}: {item.what}")
            note = forms.CharField(max_length=500, required=False, label=f"Note on “{item.what}”")
            self.fields[f"check_{item.pk}"], self.fields[f"note_{item.pk}"] = status, note
            self.check_rows.append((item, self[f"check_{item.pk}"], self[f"note_{item.pk}"]))

    def clean(self):
        data = super().clean()
        day, time = data.get("occurred_on"), data.get("occurred_time")
        if day and time:
            moment = dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
            if moment > timezone.now():
                self.add_error("occurred_on", "A visit cannot be recorded before it happened.")
            data["occurred_at"] = moment
        if not data.get("child_seen") and not data.get("carer_names", "").strip():
            self.add_error("carer_names", "Name the carer you met.")
        for item in self.items:
            if data.get(f"check_{item.pk}") == CheckStatus.CONCERN and not data.get(f"note_{item.pk}", "").strip():
                self.add_error(f"note_{item.pk}", "Say what the concern is.")
        return data

    def service_data(self) -> CarerVisitInput:
        d = self.cleaned_data
        return CarerVisitInput(
            occurred_at=d["occurred_at"], child_seen=d["child_seen"], carer_names=d["carer_names"],
            support_given=d["support_given"], duration_minutes=d.get("duration_minutes"),
            observations=d["observations"], conflict_with_parents=d["conflict_with_parents"], transport=d["transport"],
            finance=d["finance"], other_issue=d["other_issue"], issues_note=d["issues_note"],
            next_visit_on=d.get("next_visit_on"),
            checks={item.pk: (d[f"check_{item.pk}"], d.get(f"note_{item.pk}", "")) for item in self.items})


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
