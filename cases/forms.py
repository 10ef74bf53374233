"""Forms for case records. They validate input; the services in cases/services.py write."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from cases.models import (
    Address,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    MemberRole,
    Person,
    RiskAssessment,
    RiskTool,
    Role,
    Team,
    User,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_widgets(*names):
    return {name: DateInput() for name in names}


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["team", "caseworker", "opened_on", "substantiated_on", "phase"]
        widgets = _date_widgets("opened_on", "substantiated_on")

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
            self.fields["caseworker"].queryset = User.objects.filter(
                role=Role.CASEWORKER, team__in=teams, is_active=True
            ).select_related("team")
            if len(teams) == 1:
                self.fields["team"].initial = teams[0]
        if not self.instance.pk:
            self.fields["opened_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        team, caseworker = data.get("team"), data.get("caseworker")
        if team and caseworker and caseworker.team_id != team.pk:
            self.add_error("caseworker", "Choose a caseworker of the selected team.")
        return data


class CaseEditForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["substantiated_on", "phase", "closed_on"]
        widgets = _date_widgets("substantiated_on", "closed_on")


class ReallocateForm(forms.Form):
    caseworker = forms.ModelChoiceField(queryset=User.objects.none())
    reason = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = (
            User.objects.filter(role=Role.CASEWORKER, team__in=teams, is_active=True).select_related("team__office")
        )
        self.fields["caseworker"].label_from_instance = lambda u: f"{u} — {u.team.name}"


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "given_name", "family_name", "preferred_name", "date_of_birth", "date_of_birth_estimated",
            "indigenous_status", "cultural_identity", "language", "interpreter_required",
        ]
        widgets = _date_widgets("date_of_birth")


class MemberForm(forms.ModelForm):
    class Meta:
        model = CaseMember
        fields = ["role", "relationship", "joined_on"]
        widgets = _date_widgets("joined_on")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if case and not self.instance.pk:
            self.fields["joined_on"].initial = case.opened_on

    def clean_joined_on(self):
        joined_on = self.cleaned_data["joined_on"]
        if self.case and joined_on < self.case.opened_on:
            raise forms.ValidationError("A person cannot join the case before it opened.")
        if joined_on > timezone.localdate():
            raise forms.ValidationError("The date joined cannot be in the future.")
        return joined_on


class MemberEditForm(forms.ModelForm):
    class Meta:
        model = CaseMember
        fields = ["relationship", "left_on"]
        widgets = _date_widgets("left_on")


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["line1", "suburb", "state", "postcode", "effective_from", "effective_to"]
        widgets = _date_widgets("effective_from", "effective_to")


class ChildFactForm(forms.ModelForm):
    """Base for a child's dated facts: the member is set by the view before validation."""

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            self.instance.member = member
            if not self.instance.pk:
                self.fields["effective_from"].initial = max(member.joined_on, timezone.localdate().replace(day=1))


class LegalStatusForm(ChildFactForm):
    class Meta:
        model = LegalStatus
        fields = ["intervention_type", "effective_from", "effective_to"]
        widgets = _date_widgets("effective_from", "effective_to")


class ChildGoalForm(ChildFactForm):
    class Meta:
        model = ChildGoal
        fields = ["goal", "effective_from", "effective_to"]
        widgets = _date_widgets("effective_from", "effective_to")


class LivingArrangementForm(ChildFactForm):
    class Meta:
        model = LivingArrangement
        fields = ["kind", "with_person", "placement", "details", "effective_from", "effective_to"]
        widgets = _date_widgets("effective_from", "effective_to")
        labels = {"with_person": "Living with (parent or carer)"}

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, member=member, **kwargs)
        if member is not None:
            self.fields["with_person"].queryset = Person.objects.filter(
                memberships__case_id=member.case_id,
                memberships__role__in=[MemberRole.PARENT, MemberRole.CARER, MemberRole.FAMILY],
            )


class RiskAssessmentForm(forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["tool", "completed_on", "risk_level", "approved_by", "notes"]
        widgets = _date_widgets("completed_on")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].initial = RiskTool.FAMILY_RISK_REEVALUATION
        self.fields["completed_on"].initial = timezone.localdate()
        if case is not None:
            self.instance.case = case
            self.fields["approved_by"].queryset = User.objects.filter(role=Role.TEAM_LEADER, led_teams=case.team_id)
        self.fields["approved_by"].label = "Approved by (team leader)"
