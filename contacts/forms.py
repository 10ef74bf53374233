"""Forms of the contacts app. They turn what a worker typed into a ContactInput and show
the same rule messages as the service (contacts.services.contact_problems)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone

from cases.forms import DateInput
from cases.models import CaseMember, MemberRole, Person, User
from cases.permissions import records_in_case
from contacts import rules
from contacts.models import ContactKind, ContactMode, Location, RequestKind
from contacts.services import ContactInput, contact_problems
from services.models import ServiceProvider


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member):
        return f"{member.person} ({member.relationship or member.get_role_display()})"


class ContactForm(forms.Form):
    """A contact or case note, quick to fill in during or right after a visit."""

    kind = forms.ChoiceField(choices=ContactKind.choices, initial=ContactKind.FACE_TO_FACE)
    mode = forms.ChoiceField(label="How", choices=ContactMode.choices, required=False, initial=ContactMode.IN_PERSON)
    occurred_on = forms.DateField(label="Date", widget=DateInput())
    start_time = forms.TimeField(label="Start time", widget=TimeInput())
    duration_minutes = forms.IntegerField(label="Duration (minutes)", required=False, min_value=1, max_value=24 * 60)
    participants = MemberChoiceField(queryset=CaseMember.objects.none(), required=False,
                                     widget=forms.CheckboxSelectMultiple, label="Who took part")
    seen_alone = MemberChoiceField(queryset=CaseMember.objects.none(), required=False,
                                   widget=forms.CheckboxSelectMultiple, label="Children seen alone")
    location = forms.ChoiceField(choices=[("", "—")] + Location.choices, required=False)
    location_person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False,
                                             label="Whose residence")
    location_details = forms.CharField(max_length=160, required=False, label="Location details")
    announced = forms.TypedChoiceField(label="Announced or unannounced", coerce=lambda v: v == "yes",
                                       choices=[("yes", "Announced"), ("no", "Unannounced")], initial="yes")
    interpreter_used = forms.BooleanField(required=False, label="An interpreter was used")
    made_by = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Made by (staff member)",
                                     empty_label="— a service provider worker —")
    provider = forms.ModelChoiceField(queryset=ServiceProvider.objects.filter(active=True), required=False,
                                      label="Service provider")
    provider_worker = forms.CharField(max_length=120, required=False, label="Provider worker's name")
    other_party_name = forms.CharField(max_length=120, required=False, label="Person contacted (support contact)")
    other_party_organisation = forms.CharField(max_length=120, required=False, label="Their organisation or role")
    purpose = forms.CharField(max_length=300, required=False, label="Purpose (goal of the contact)")
    observations = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                   label="Observations and facts",
                                   help_text="What you saw and heard, and who said what.")
    assessment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                 label="Your assessment and opinion",
                                 help_text="Kept separate from the facts above.")
    safety_concerns = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                      label="Safety concerns identified")
    safety_actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     label="Actions taken about safety")
    next_visit_on = forms.DateField(required=False, widget=DateInput(), label="Next visit agreed")

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        today = timezone.localdate()
        # Every id the form accepts is one cases/permissions.py lets this user name in this case.
        members = (records_in_case(user, case, "member").filter(Q(left_on__isnull=True) | Q(left_on__gte=case.opened_on))
                   .select_related("person").order_by("role", "pk"))
        self.fields["participants"].queryset = members
        self.fields["seen_alone"].queryset = members.filter(role=MemberRole.CHILD)
        self.fields["location_person"].queryset = records_in_case(user, case, "parent")
        self.fields["made_by"].queryset = records_in_case(user, case, "staff")
        if not self.is_bound:
            now = timezone.localtime()
            current = [m for m in members if m.joined_on <= today and (m.left_on is None or m.left_on >= today)]
            parents = [m for m in current if m.role == MemberRole.PARENT]
            # A new contact's defaults; a correction's initial (the saved contact) wins over them.
            defaults = {
                "occurred_on": today, "start_time": now.replace(second=0, microsecond=0).time(),
                "participants": [m.pk for m in current if m.role == MemberRole.CHILD],
                "location": Location.PARENT_RESIDENCE if parents else Location.CHILD_LIVING_ENVIRONMENT,
                "location_person": parents[0].person_id if parents else None,
                "made_by": user.pk,
            }
            self.initial = defaults | self.initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        occurred_at = timezone.make_aware(dt.datetime.combine(data["occurred_on"], data["start_time"]))
        self.contact_input = ContactInput(
            occurred_at=occurred_at, kind=data["kind"], mode=data.get("mode") or "",
            duration_minutes=data.get("duration_minutes"), made_by=data.get("made_by"),
            provider=None if data.get("made_by") else data.get("provider"),
            provider_worker=data.get("provider_worker", ""), other_party_name=data.get("other_party_name", ""),
            other_party_organisation=data.get("other_party_organisation", ""), location=data.get("location") or "",
            location_person=data.get("location_person"), location_details=data.get("location_details", ""),
            announced=data.get("announced", True), interpreter_used=data.get("interpreter_used", False),
            purpose=data.get("purpose", ""), observations=data.get("observations", ""),
            assessment=data.get("assessment", ""), safety_concerns=data.get("safety_concerns", ""),
            safety_actions=data.get("safety_actions", ""), next_visit_on=data.get("next_visit_on"),
            participants=list(data.get("participants") or []), seen_alone=list(data.get("seen_alone") or []),
        )
        for name, message in contact_problems(self.case, self.contact_input).items():
            self.add_error("occurred_on" if name == "occurred_at" else name, message)
        return data

    @classmethod
    def initial_from_contact(cls, contact) -> dict:
        local = timezone.localtime(contact.occurred_at)
        participants = list(contact.participants.all())
        return {
            "kind": contact.kind, "mode": contact.mode, "occurred_on": local.date(), "start_time": local.time(),
            "duration_minutes": contact.duration_minutes,
            "participants": [p.member_id for p in participants],
            "seen_alone": [p.member_id for p in participants if p.seen_alone],
            "location": contact.location, "location_person": contact.location_person_id,
            "location_details": contact.location_details, "announced": "yes" if contact.announced else "no",
            "interpreter_used": contact.interpreter_used, "made_by": contact.made_by_id,
            "provider": contact.provider_id, "provider_worker": contact.provider_worker,
            "other_party_name": contact.other_party_name, "other_party_organisation": contact.other_party_organisation,
            "purpose": contact.purpose, "observations": contact.observations, "assessment": contact.assessment,
            "safety_concerns": contact.safety_concerns, "safety_actions": contact.safety_actions,
            "next_visit_on": contact.next_visit_on,
        }


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Correction or addition")
    reason = forms.CharField(max_length=200, label="Reason")


class MonthField(forms.DateField):
    """A month picker (YYYY-MM), cleaned to the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class RequirementChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=RequestKind.choices, widget=forms.RadioSelect, label="Request")
    first_month = MonthField(label="First month")
    last_month = MonthField(label="Last month")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                             label="Unique circumstances (override) or rationale (increase)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in rules.ADJUSTABLE.items():
            self.fields[f"count_{key}"] = forms.IntegerField(
                label=f"{label} (per month)", required=False, min_value=0, max_value=31,
                help_text="Leave empty to keep the standard.")
        month = timezone.localdate().replace(day=1)
        self.fields["first_month"].initial = month
        self.fields["last_month"].initial = month

    def clean(self):
        data = super().clean()
        if data.get("first_month") and data.get("last_month") and data["last_month"] < data["first_month"]:
            self.add_error("last_month", "The last month cannot be before the first month.")
        self.counts = {key: data[f"count_{key}"] for key in rules.ADJUSTABLE if data.get(f"count_{key}") is not None}
        if not self.counts:
            raise forms.ValidationError("Give at least one adjusted count.")
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Comment")
    amend_closed = forms.BooleanField(required=False, label="Amend the closed months listed")
