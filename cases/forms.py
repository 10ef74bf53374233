"""Forms for case records. They validate input; the services in cases/services.py write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone

from cases import attachment_rules
from cases.locking import VersionedForm
from cases.models import (
    Address,
    AttachmentTarget,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    MemberRole,
    Person,
    Phase,
    RiskAssessment,
    RiskTool,
    Role,
    Team,
    User,
)
from cases.permissions import records_in_case, staff_to_name
from casework.dates import day_label


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_widgets(*names):
    return {name: DateInput() for name in names}


def _open_phases(field):
    # A case is closed through its closure workflow, which sets the closing date too.
    field.choices = [(value, label) for value, label in field.choices if value != Phase.CLOSED]


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["team", "caseworker", "opened_on", "substantiated_on", "phase"]
        widgets = _date_widgets("opened_on", "substantiated_on")

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        _open_phases(self.fields["phase"])
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


class CaseEditForm(VersionedForm, forms.ModelForm):
    """The case's dates and phase. Closing a case is its own workflow (a recommendation
    endorsed by the team leader), so the closing date is not set here."""

    class Meta:
        model = Case
        fields = ["substantiated_on", "phase"]
        widgets = _date_widgets("substantiated_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _open_phases(self.fields["phase"])


class ReallocateForm(forms.Form):
    caseworker = forms.ModelChoiceField(queryset=User.objects.none(), label="New caseworker")
    reason = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                             help_text="e.g. workload balancing, leave cover, the family moved")
    on = forms.DateField(label="From", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, teams=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = User.objects.filter(role=Role.CASEWORKER, team__in=teams, is_active=True)
        if case is not None:
            workers = workers.exclude(pk=case.caseworker_id, team_id=case.team_id)
        self.fields["caseworker"].queryset = workers.select_related("team__office").order_by(
            "team__office__name", "team__name", "last_name", "first_name")
        self.fields["caseworker"].label_from_instance = lambda u: f"{u} — {u.team.name} ({u.team.office.code})"


class RestrictForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="e.g. the child is a relative of a member of staff; the family is in the news")


class RestrictedStaffForm(forms.Form):
    """Name a member of staff on a restricted case: any active member of staff of the agency,
    by name, who does not see it already."""

    staff = forms.ModelChoiceField(queryset=User.objects.none(), label="Member of staff")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_to_name(case)
        self.fields["staff"].label_from_instance = lambda u: (
            f"{u} — {u.get_role_display()}{f', {u.team.name}' if u.team else ''}")


class PersonForm(VersionedForm, forms.ModelForm):
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


class MemberEditForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = CaseMember
        fields = ["relationship", "left_on"]
        widgets = _date_widgets("left_on")


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["line1", "suburb", "state", "postcode", "effective_from", "effective_to"]
        widgets = _date_widgets("effective_from", "effective_to")


class ChildFactForm(VersionedForm, forms.ModelForm):
    """Base for a child's dated facts: the member is set by the view before validation.

    A new record offers to end the child's current open-ended one the day before it starts
    (ticked by default), which is what a change of order or placement usually means."""

    end_current = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, member=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        current = None
        if member is not None:
            self.instance.member = member
            if not self.instance.pk:
                self.fields["effective_from"].initial = max(member.joined_on, timezone.localdate().replace(day=1))
                current = (type(self.instance).objects.filter(member=member, effective_to__isnull=True)
                           .order_by("-effective_from").first())
        if current is None:
            del self.fields["end_current"]
        else:
            noun = type(self.instance)._meta.verbose_name
            self.fields["end_current"].label = (f"End the current {noun} ({current}, from "
                                                f"{day_label(current.effective_from)}) the day before this one starts")

    def _post_clean(self):
        # The model's overlap check must know whether the current record will be ended.
        self.instance.end_current = bool(self.cleaned_data.get("end_current"))
        super()._post_clean()


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
        labels = {"with_person": "Living with (parent, carer or permanent guardian)"}

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, member=member, **kwargs)
        if member is not None:
            self.fields["with_person"].queryset = records_in_case(
                self.user, member.case, "person",
                roles=[MemberRole.PARENT, MemberRole.CARER, MemberRole.FAMILY, MemberRole.SIGNIFICANT])


class RiskAssessmentForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["tool", "completed_on", "risk_level", "approved_by", "notes"]
        widgets = _date_widgets("completed_on")

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].initial = RiskTool.FAMILY_RISK_REEVALUATION
        self.fields["completed_on"].initial = timezone.localdate()
        if case is not None:
            self.instance.case = case
            self.fields["approved_by"].queryset = records_in_case(user, case, "leader")
        self.fields["approved_by"].label = "Approved by (team leader)"


class AccessReportForm(forms.Form):
    """The period of the managers' access report: from and to (inclusive), agency dates."""

    MAX_DAYS = 366

    start = forms.DateField(label="From", widget=DateInput(), required=False,
                            error_messages={"invalid": "Enter the first day as a date, e.g. 2026-03-01."})
    end = forms.DateField(label="To", widget=DateInput(), required=False,
                          error_messages={"invalid": "Enter the last day as a date, e.g. 2026-03-31."})

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=29)
        if self.errors:
            return data
        if start > end:
            raise forms.ValidationError("The period must start on or before its end: “From” is after “To”.")
        if (end - start).days >= self.MAX_DAYS:
            raise forms.ValidationError(f"Choose a period of at most {self.MAX_DAYS} days.")
        data["start"], data["end"] = start, end
        return data


class AttachmentForm(forms.Form):
    """A document or photo to attach. What it is, is told from its content by the service
    (``cases.attachment_rules``); the accepted types and size are in the help text."""

    file = forms.FileField(label="File", error_messages={"required": "Choose a file to attach."})
    title = forms.CharField(label="Title", max_length=200, required=False,
                            help_text="What it is, e.g. “Court order 3 March”. Left empty, the file's name.")
    # What it goes on: checked by the service against what the user may name in the case, so a
    # bad kind or id is a message on the page (a hidden field's own error would not show).
    target_kind = forms.CharField(initial=AttachmentTarget.CASE, required=False, widget=forms.HiddenInput)
    target_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = ", ".join(attachment_rules.KINDS[k].label for k in settings.ATTACHMENT_TYPES)
        self.fields["file"].help_text = (f"{kinds}; at most {settings.ATTACHMENT_MAX_BYTES / 1024 / 1024:.0f} MB. "
                                         "Programs and scripts are refused.")
        accept = ",".join(attachment_rules.KINDS[k].content_type for k in settings.ATTACHMENT_TYPES)
        self.fields["file"].widget.attrs.update({"accept": accept})


class AttachmentWithdrawForm(forms.Form):
    reason = forms.CharField(label="Why is it withdrawn?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, error_messages={"required": "Say why the attachment is withdrawn."})
