"""Forms of planned visits: plan, reschedule, cancel, and the date range of "My visits"."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone

from cases.forms import DateInput
from cases.models import CaseMember
from cases.permissions import records_in_case
from contacts.forms import MemberChoiceField, TimeInput
from contacts.models import VisitPlace


class VisitPlanForm(forms.Form):
    """A visit planned from what the case still needs: when, with whom, where, why."""

    scheduled_for = forms.DateField(label="Date", widget=DateInput())
    scheduled_time = forms.TimeField(label="Time", required=False, widget=TimeInput(),
                                     help_text="Leave empty for a visit at any time of the day.")
    members = MemberChoiceField(queryset=CaseMember.objects.none(), widget=forms.CheckboxSelectMultiple,
                                label="With whom", error_messages={"required": "Choose whom the visit is with."})
    place = forms.ChoiceField(label="Where", choices=VisitPlace.choices, initial=VisitPlace.HOME,
                              widget=forms.RadioSelect)
    place_details = forms.CharField(label="Which other place", max_length=160, required=False,
                                    help_text="For another place: e.g. the school, the office, the hospital.")
    purpose = forms.CharField(label="Purpose", max_length=300, required=False)
    requirement = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Every id the form accepts is one cases/permissions.py lets this user name in this case.
        self.fields["members"].queryset = (records_in_case(user, case, "member")
                                           .filter(Q(left_on__isnull=True) | Q(left_on__gte=timezone.localdate()))
                                           .select_related("person").order_by("role", "pk"))

    def clean(self):
        data = super().clean()
        if data.get("place") == VisitPlace.OTHER and not (data.get("place_details") or "").strip():
            self.add_error("place_details", "Say which other place (e.g. the school, the office).")
        return data


class VisitRescheduleForm(forms.Form):
    scheduled_for = forms.DateField(label="New date", widget=DateInput())
    scheduled_time = forms.TimeField(label="New time", required=False, widget=TimeInput())
    reason = forms.CharField(label="Why the visit moves", max_length=200,
                             error_messages={"required": "Give the reason for moving the visit."})


class VisitCancelForm(forms.Form):
    reason = forms.CharField(label="Why the visit is cancelled", max_length=200,
                             error_messages={"required": "Give the reason for cancelling the visit."})


class VisitRangeForm(forms.Form):
    """``from`` and ``to`` of "My visits" (both days included; the query's own names)."""

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            self.add_error("to", "The last day is before the first day: choose a later day.")
        return data


# "from" is a Python keyword: the fields are added by name.
VisitRangeForm.base_fields.update({
    "from": forms.DateField(label="From", widget=DateInput(),
                            error_messages={"invalid": "Enter the first day as a date (YYYY-MM-DD).",
                                            "required": "Enter the first day."}),
    "to": forms.DateField(label="To", widget=DateInput(),
                          error_messages={"invalid": "Enter the last day as a date (YYYY-MM-DD).",
                                          "required": "Enter the last day."}),
})
