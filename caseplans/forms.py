"""Forms of case plans: they validate input; services decide and write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from caseplans import rules
from caseplans.models import (
    CasePlan,
    GoalStatus,
    LegalPath,
    PlanAction,
    Progress,
    Recommendation,
)
from cases.models import CaseMember, CasePlanGoal, InterventionType, LegalStatus, MemberRole, Role
from cases.permissions import records_in_case
from casework.dates import day_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


class PlanForm(forms.ModelForm):
    """The plan's own details, and one permanency objective per child of the case."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CasePlan
        fields = ["caseworker", "how_made", "made_on", "participants", "child_participated", "child_views",
                  "visit_frequency", "cultural_support_plan", "review_date", "confidential_notes"]
        widgets = {"made_on": DATE, "review_date": DATE, "participants": SHORT_TEXT, "child_views": SHORT_TEXT,
                   "cultural_support_plan": SHORT_TEXT, "confidential_notes": SHORT_TEXT}

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["caseworker"].queryset = records_in_case(user, case, "staff").filter(
            role__in=[Role.CASEWORKER, Role.TEAM_LEADER]).order_by("first_name", "last_name")
        self.fields["caseworker"].initial = self.fields["caseworker"].initial or case.caseworker_id
        self.children = list(CaseMember.objects.filter(case=case, role=MemberRole.CHILD, left_on__isnull=True)
                             .select_related("person"))
        current = {}
        if self.instance.pk:
            current = dict(self.instance.child_objectives.values_list("member_id", "objective"))
        today = timezone.localdate()
        statuses = dict(LegalStatus.objects.filter(
            member__in=self.children, effective_from__lte=today).exclude(effective_to__lt=today)
            .order_by("effective_from").values_list("member_id", "intervention_type"))
        goal_labels = dict(CasePlanGoal.choices)
        for child in self.children:
            status = statuses.get(child.pk)
            fitting = sorted(rules.CONSISTENT_GOALS.get(status, ()), key=list(goal_labels).index)
            self.fields[f"objective_{child.pk}"] = forms.ChoiceField(
                label=f"Permanency objective for {child.person.given_name} {child.person.family_name}",
                choices=[("", "— choose —"), *CasePlanGoal.choices], required=False, initial=current.get(child.pk),
                help_text=(f"Legal status now: {InterventionType(status).label}. It fits: "
                           f"{', '.join(goal_labels[g] for g in fitting)}." if status
                           else "No legal status is recorded for this child."))
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version
        if not any(c.person.indigenous_status in ("aboriginal", "torres_strait_islander", "both")
                   for c in self.children):
            self.fields["cultural_support_plan"].help_text += " (no child of this case is recorded as Aboriginal or " \
                                                              "Torres Strait Islander)"

    def clean_review_date(self):
        review_date = self.cleaned_data.get("review_date")
        today = timezone.localdate()
        if review_date and review_date <= today:
            raise forms.ValidationError("The review date must be in the future.")
        latest = rules.add_months(today, settings.CASEPLAN_REVIEW_MONTHS)
        if review_date and review_date > latest:
            raise forms.ValidationError(f"A plan is reviewed at least every {settings.CASEPLAN_REVIEW_MONTHS} months: "
                                        f"choose a date no later than {day_label(latest)}.")
        return review_date

    def clean_made_on(self):
        made_on = self.cleaned_data.get("made_on")
        if made_on and made_on > timezone.localdate():
            raise forms.ValidationError("The date of the meeting cannot be in the future.")
        return made_on

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["objectives"] = {child.pk: self.cleaned_data.get(f"objective_{child.pk}") or ""
                              for child in self.children}
        return data


class ConcernForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="Protective concern", widget=SHORT_TEXT,
                           help_text="The substantiated harm or risk, in plain words")
    strengths = forms.CharField(label="Family's strengths", widget=SHORT_TEXT, required=False)
    needs = forms.CharField(label="Family's needs", widget=SHORT_TEXT, required=False)


class GoalForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="Goal", widget=SHORT_TEXT, help_text="What must change for the child to be safe")
    status = forms.ChoiceField(choices=GoalStatus.choices, initial=GoalStatus.OPEN)


class ActionForm(forms.ModelForm):
    """One row of the actions table. SMART warnings are shown, not enforced: a caseworker
    can save a first draft with the family and sharpen it later."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PlanAction
        fields = ["goal", "what", "responsible_kind", "responsible_name", "service", "location",
                  "location_confidential", "due_on", "measure"]
        widgets = {"due_on": DATE, "what": SHORT_TEXT, "measure": SHORT_TEXT}
        help_texts = {"what": "Specific: what, with whom, where. Avoid “try to” or “as needed”.",
                      "measure": "How everyone will know it is done (e.g. the counsellor confirms attendance)"}

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = records_in_case(user, plan.case, "plan_goal").filter(plan=plan)
        self.fields["goal"].required = False
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CompleteForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    completed_on = forms.DateField(label="Completed on", widget=DATE, required=False,
                                   help_text="Leave empty to record progress without ticking it off")
    progress_note = forms.CharField(label="Progress", widget=SHORT_TEXT, required=False)


class WithdrawForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why is it withdrawn?", widget=SHORT_TEXT,
                             help_text="e.g. added by mistake; no longer needed: the family moved away from the service")


class ReturnForm(forms.Form):
    comment = forms.CharField(label="What needs to change", widget=forms.Textarea(attrs={"rows": 5}))


class EndorseForm(forms.Form):
    comment = forms.CharField(label="Comment (optional)", widget=SHORT_TEXT, required=False)

    def __init__(self, *args, over_warnings: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if over_warnings:
            self.fields["comment"].label = "Your reason for endorsing over the warnings"


class CopyForm(forms.Form):
    provided_on = forms.DateField(label="Copy provided on", widget=DATE)
    how = forms.CharField(label="How the copy was provided", max_length=200,
                          help_text="e.g. given to the mother and the child at a home visit")
    right_of_review_told_on = forms.DateField(
        label="Child and parents told of their right to a review on", widget=DATE, required=False)


class GoalReviewForm(forms.Form):
    progress = forms.ChoiceField(choices=Progress.choices)
    evidence = forms.CharField(widget=SHORT_TEXT, help_text="What was seen or heard that shows this progress")
    recommendation = forms.ChoiceField(choices=Recommendation.choices)


class PrognosisForm(forms.Form):
    prognosis = forms.ChoiceField(label="Prognosis for reunification", choices=list(rules.PROGNOSIS_LABELS.items()),
                                  widget=forms.RadioSelect)
    reasons = forms.CharField(label="Reasons", widget=SHORT_TEXT,
                              help_text="What the progress towards the goals and the family's capacity show")


class AlternatePlanForm(forms.Form):
    with_whom = forms.CharField(label="With whom", max_length=200,
                                help_text="Who the child would live with permanently if they cannot return home")
    legal_path = forms.ChoiceField(label="Legal path", choices=LegalPath.choices)
    people_searched = forms.CharField(label="People searched for", widget=SHORT_TEXT,
                                      help_text="Relatives, kin and significant people looked for, and how")
    people_assessed = forms.CharField(label="People assessed, and the outcome", widget=SHORT_TEXT)



class AlternateDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("endorse", "Endorse the alternate plan"), ("return", "Return it with comments")])
    comment = forms.CharField(label="Comment", widget=SHORT_TEXT, required=False,
                              help_text="Needed when you return it")
