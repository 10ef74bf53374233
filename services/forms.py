"""Forms of the services app. They validate input; services/services.py writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from caseplans.models import PlanAction
from cases.forms import DateInput
from cases.locking import VersionedForm
from cases.models import CaseMember, MemberRole
from cases.permissions import records_in_case
from services import rules
from services.models import (
    CommunicationPlan,
    ExchangeMethod,
    InformationMethod,
    PaymentMethod,
    ServiceType,
)
from services.selectors import services_for_referral


class DirectorySearchForm(forms.Form):
    service_type = forms.ChoiceField(label="Type", required=False,
                                     choices=[("", "Any type")] + list(ServiceType.choices))
    area = forms.CharField(label="Area served", required=False, max_length=80)
    q = forms.CharField(label="Name contains", required=False, max_length=80)


class _PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, member):
        relationship = f", {member.relationship}" if member.relationship else ""
        return f"{member.person} ({member.get_role_display()}{relationship})"


def _current_members(user, case):
    return (records_in_case(user, case, "member").filter(left_on__isnull=True).select_related("person")
            .order_by("role", "pk"))


class ReferralForm(VersionedForm, forms.Form):
    service = forms.ModelChoiceField(queryset=services_for_referral(), label="Service")
    people = _PeopleField(queryset=CaseMember.objects.none(), label="People referred")
    reason = forms.CharField(label="Reason for the referral", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="The need this service meets, as in the case plan.")
    self_referral = forms.BooleanField(label="A parent referred themselves (self-referral)", required=False)
    self_referred_by = forms.ModelChoiceField(queryset=CaseMember.objects.none(), required=False,
                                              label="Parent who referred themselves")
    support_given = forms.CharField(label="Support given to the parent to complete the referral", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    plan_action = forms.ModelChoiceField(queryset=PlanAction.objects.none(), required=False,
                                         label="Case-plan action it serves")

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Open actions of the case's current plans (a draft, or the plan in force).
        self.fields["plan_action"].queryset = records_in_case(user, case, "plan_action").filter(
            completed_on__isnull=True).exclude(plan__status="superseded").select_related("plan")
        self.fields["plan_action"].label_from_instance = lambda a: f"{a.what[:80]} (plan version {a.plan.version})"
        members = _current_members(user, case)
        self.fields["people"].queryset = members
        self.fields["self_referred_by"].queryset = members.filter(role=MemberRole.PARENT)
        self.fields["self_referred_by"].label_from_instance = lambda m: str(m.person)
        self.fields["service"].label_from_instance = _service_label

    def clean(self):
        data = super().clean()
        if data.get("self_referral"):
            if not data.get("self_referred_by"):
                self.add_error("self_referred_by", "Name the parent who referred themselves.")
            if not (data.get("support_given") or "").strip():
                self.add_error("support_given", "Record the support given to the parent to complete the referral.")
        elif data.get("self_referred_by"):
            self.add_error("self_referral", "Tick self-referral when a parent referred themselves.")
        return data


def _service_label(service) -> str:
    cost = f"${service.cost_per_session} a session" if service.costs_money else "free"
    return f"{service.provider} — {service.name} ({service.get_service_type_display()}; {cost})"


class TransitionForm(forms.Form):
    """The date of a status change and what that change needs (note, alternatives)."""

    on = forms.DateField(label="Date", widget=DateInput())
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    alternatives = forms.CharField(label="Alternatives considered (other possible services)", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))

    NOTE_LABELS = {
        rules.UNABLE_TO_ACCEPT: "Case note: what the provider said and why it cannot accept",
        rules.WITHDRAWN: "Reason for withdrawing",
        rules.COMPLETED: "Outcome of the service",
    }

    def __init__(self, *args, target: str, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["note"].label = self.NOTE_LABELS.get(target, "Note")
        if target in (rules.UNABLE_TO_ACCEPT, rules.WITHDRAWN):
            self.fields["note"].required = True
        if target == rules.CLOSED:
            self.fields["alternatives"].required = True
            self.fields["alternatives"].initial = referral.alternatives_considered
            self.fields["alternatives"].help_text = "Discuss them with the child and the parents."
        elif target != rules.UNABLE_TO_ACCEPT:
            del self.fields["alternatives"]

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return on


class CostRequestForm(forms.Form):
    cost_per_session = forms.DecimalField(label="Confirmed cost per session ($)", min_value=0.01, max_digits=8,
                                          decimal_places=2)
    sessions = forms.IntegerField(label="Number of sessions", min_value=1, max_value=500)
    payment_method = forms.ChoiceField(label="Method of payment", choices=PaymentMethod.choices)


class CostDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    comment = forms.CharField(required=False, max_length=2000)


class FamilyInformationForm(forms.Form):
    given_to = _PeopleField(queryset=CaseMember.objects.none(), label="Given to")
    given_on = forms.DateField(label="Date given", widget=DateInput())
    method = forms.ChoiceField(label="How it was given", choices=InformationMethod.choices)
    details = forms.CharField(label="Information given: how and when to access the service",
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_to"].queryset = _current_members(user, case)
        self.fields["given_on"].initial = timezone.localdate()

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return given_on


class CommunicationPlanForm(forms.ModelForm):
    next_review_on = forms.DateField(label="Next review of this service", required=False, widget=DateInput(),
                                     help_text="When you will next review the service's progress with the provider.")

    class Meta:
        model = CommunicationPlan
        fields = ["provider_contact_name", "provider_contact_role", "provider_contact_phone", "provider_contact_email",
                  "method", "every_days", "started_on", "family_communication", "invited_to_reviews"]
        widgets = {"started_on": DateInput(), "family_communication": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["every_days"].widget.attrs.update(min=1, max=365)
        self.fields["every_days"].initial = 14
        self.fields["started_on"].initial = timezone.localdate()
        self.fields["next_review_on"].initial = referral.next_review_on

    def clean_every_days(self):
        every_days = self.cleaned_data["every_days"]
        if not 1 <= every_days <= 365:
            raise forms.ValidationError("An update is due every 1 to 365 days.")
        return every_days

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on > timezone.localdate():
            raise forms.ValidationError("The plan cannot be agreed in the future.")
        return started_on


class ProviderUpdateForm(forms.Form):
    received_on = forms.DateField(label="Date of the update", widget=DateInput())
    method = forms.ChoiceField(label="How", choices=ExchangeMethod.choices)
    summary = forms.CharField(label="What was discussed or reported", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date of the update cannot be in the future.")
        return received_on


class AlternativesForm(forms.Form):
    alternatives = forms.CharField(label="Alternatives considered (other possible services)",
                                   widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="Discuss them with the child and the parents.")
