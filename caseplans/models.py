"""Case plans: one row per version of a case's plan, with its per-child objectives, the
protective concerns (with strengths and needs), goals and the SMART actions table.

Versions are never deleted or rewritten once endorsed: a review makes the next version
and the old one stays readable. Every change is kept in a history table. Concurrent edits
are caught by ``lock_version`` (see services: the UPDATE checks it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from caseplans import rules
from cases.models import CasePlanGoal


class PlanStatus(models.TextChoices):
    DRAFT = rules.DRAFT, rules.STATUS_LABELS[rules.DRAFT]
    SUBMITTED = rules.SUBMITTED, rules.STATUS_LABELS[rules.SUBMITTED]
    RETURNED = rules.RETURNED, rules.STATUS_LABELS[rules.RETURNED]
    ENDORSED = rules.ENDORSED, rules.STATUS_LABELS[rules.ENDORSED]
    COPY_PROVIDED = rules.COPY_PROVIDED, rules.STATUS_LABELS[rules.COPY_PROVIDED]
    UNDER_REVIEW = rules.UNDER_REVIEW, rules.STATUS_LABELS[rules.UNDER_REVIEW]
    SUPERSEDED = rules.SUPERSEDED, rules.STATUS_LABELS[rules.SUPERSEDED]


class HowMade(models.TextChoices):
    FAMILY_LED = "family_led", "Family-led decision making"
    ABORIGINAL_FAMILY_LED = "aboriginal_family_led", "Aboriginal family-led decision making"
    FAMILY_CONFERENCE = "family_conference", "Family-centred conference"
    CASE_PLANNING_MEETING = "case_planning_meeting", "Case planning meeting"
    HOME_VISIT = "home_visit", "Meetings with the family during home visits"


class CasePlan(models.Model):
    """One version of a case's plan. Version 1 is the first plan; each review makes the next."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField()
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="next_version")
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    lock_version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale save is refused")

    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="Caseworker responsible")
    how_made = models.CharField("How the plan was made", max_length=24, choices=HowMade.choices, blank=True)
    made_on = models.DateField("Date of the meeting", null=True, blank=True)
    participants = models.TextField("Who took part", blank=True)
    child_participated = models.BooleanField("The child took part", default=False)
    child_views = models.TextField("The child's views", blank=True)
    visit_frequency = models.CharField("Visits agreed", max_length=200, blank=True,
                                       help_text="e.g. a home visit every fortnight, phone call weekly")
    cultural_support_plan = models.TextField(
        "Cultural support plan", blank=True,
        help_text="For an Aboriginal or Torres Strait Islander child: connection to family, community, culture "
                  "and country, and who supports it")
    review_date = models.DateField("Review date", null=True, blank=True)
    right_of_review_told_on = models.DateField("Told of the right to a review on", null=True, blank=True,
                                               help_text="The child and parents were told they may ask for the plan "
                                                         "to be reviewed or appeal it")
    confidential_notes = models.TextField("Confidential notes (not in the family's copy)", blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    endorsed_on = models.DateField(null=True, blank=True)
    copy_provided_on = models.DateField("Copy provided on", null=True, blank=True)
    copy_provided_how = models.CharField("How the copy was provided", max_length=200, blank=True)
    review_started_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version_once_per_case"),
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=sorted(rules.WORKING)),
                                    name="one_working_plan_per_case"),
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=sorted(rules.IN_FORCE)),
                                    name="one_plan_in_force_per_case"),
            models.CheckConstraint(condition=Q(version__gte=1), name="plan_version_positive"),
            models.CheckConstraint(condition=Q(endorsed_on__isnull=True) | Q(endorsed_by__isnull=False),
                                   name="plan_endorsement_names_endorser"),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(rules.IN_FORCE | {rules.UNDER_REVIEW, rules.SUPERSEDED}))
                | Q(endorsed_on__isnull=False), name="plan_in_force_was_endorsed"),
        ]

    def __str__(self):
        return f"Case plan {self.case.reference} version {self.version}"

    def get_absolute_url(self):
        return reverse("caseplans:plan_detail", args=[self.case.reference, self.version])

    @property
    def editable(self) -> bool:
        return self.status in rules.EDITABLE


class ChildObjective(models.Model):
    """The permanency objective (case plan goal) of one child in one version of the plan."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="child_objectives")
    member = models.ForeignKey("cases.CaseMember", on_delete=models.PROTECT, related_name="+")
    objective = models.CharField("Permanency objective", max_length=20, choices=CasePlanGoal.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["member__person__given_name"]
        constraints = [models.UniqueConstraint(fields=["plan", "member"], name="objective_once_per_child")]

    def __str__(self):
        return f"{self.get_objective_display()} for {self.member.person}"


class ProtectiveConcern(models.Model):
    """A substantiated harm or risk the plan addresses, with the family's strengths and needs."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="concerns")
    concern = models.TextField("Protective concern")
    strengths = models.TextField("Family's strengths", blank=True)
    needs = models.TextField("Family's needs", blank=True)
    lock_version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale save is refused")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.concern[:60]


class GoalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACHIEVED = "achieved", "Achieved"
    CLOSED = "closed", "Closed"


class PlanGoal(models.Model):
    """What must change for the child to be safe. Open goals carry forward to the next version."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField("Goal")
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lock_version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale save is refused")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text[:60]


class ResponsibleKind(models.TextChoices):
    PARENT = "parent", "A parent"
    CHILD = "child", "The child or young person"
    CARER = "carer", "A carer"
    FAMILY = "family", "Another family member"
    CASEWORKER = "caseworker", "The caseworker / Child Safety"
    PROVIDER = "provider", "A service provider"


class PlanAction(models.Model):
    """One row of the SMART actions table: what, who, where, by when, and how completion is measured."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(PlanGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    what = models.TextField("What will be done")
    responsible_kind = models.CharField("Who is responsible", max_length=12, choices=ResponsibleKind.choices,
                                        blank=True)
    responsible_name = models.CharField("Name of the person or service responsible", max_length=160, blank=True)
    service = models.CharField("Service", max_length=160, blank=True)
    location = models.CharField("Where it takes place", max_length=200, blank=True)
    location_confidential = models.BooleanField(
        "The place is confidential (left out of the family's copy)", default=False)
    due_on = models.DateField("Due date", null=True, blank=True)
    measure = models.TextField("How completion will be measured", blank=True)
    completed_on = models.DateField("Completed on", null=True, blank=True)
    progress_note = models.TextField("Progress", blank=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A row added by mistake, or no longer wanted in the next version, is withdrawn (never deleted):
    # it leaves the table, the counts, the PDF and the carry-forward, and stays on the page with the reason.
    withdrawn_on = models.DateField("Withdrawn on", null=True, blank=True)
    withdrawn_reason = models.TextField("Why it was withdrawn", blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawn_reason=""),
                                              name="withdrawn_action_has_reason")]

    def __str__(self):
        return self.what[:60]

    @property
    def case(self):
        """The case this action's plan belongs to (what the access rules read)."""
        return self.plan.case

    @property
    def responsible(self) -> str:
        """Who is responsible, as shown in the table (name first, kind otherwise)."""
        if self.responsible_name:
            return self.responsible_name
        return self.get_responsible_kind_display() if self.responsible_kind else ""


class DecisionKind(models.TextChoices):
    ENDORSED = "endorsed", "Endorsed"
    RETURNED = "returned", "Returned with comments"


class PlanDecision(models.Model):
    """A team leader's endorsement or return of a submitted version, with comments."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=DecisionKind.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    smart_warnings = models.JSONField(default=list, blank=True,
                                      help_text="Endorsed over: [action, [warnings]] as they stood")

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(decision="endorsed") | ~Q(comment=""),
                                              name="return_has_comment")]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.decided_by}"


class Progress(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PROGRESSING = "progressing", "Progressing"
    LIMITED = "limited", "Limited progress"
    NONE = "none", "No progress"


class Recommendation(models.TextChoices):
    CONTINUE = "continue", "Continue the goal"
    CHANGE_GOAL = "change_goal", "Change the goal"
    CLOSE = "close", "Close the case"
    APPLY_FOR_ORDER = "apply_for_order", "Apply for an order"


class GoalReview(models.Model):
    """At review, the caseworker's assessment of one goal of the reviewed version."""

    goal = models.OneToOneField(PlanGoal, on_delete=models.CASCADE, related_name="review")
    progress = models.CharField(max_length=12, choices=Progress.choices)
    evidence = models.TextField("Evidence")
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(evidence=""), name="goal_review_has_evidence")]

    def __str__(self):
        return f"{self.get_progress_display()}: {self.get_recommendation_display()}"


class Prognosis(models.TextChoices):
    GOOD = rules.GOOD, rules.PROGNOSIS_LABELS[rules.GOOD]
    UNCERTAIN = rules.UNCERTAIN, rules.PROGNOSIS_LABELS[rules.UNCERTAIN]
    POOR = rules.POOR, rules.PROGNOSIS_LABELS[rules.POOR]


class ReunificationPrognosis(models.Model):
    """Concurrent planning (Ontario Standard 7): at a review of a child in care, the prognosis
    for their return home, with its reasons. One per child per reviewed version."""

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="prognoses")
    member = models.ForeignKey("cases.CaseMember", on_delete=models.PROTECT, related_name="+", verbose_name="Child")
    prognosis = models.CharField("Prognosis for reunification", max_length=10, choices=Prognosis.choices)
    reasons = models.TextField("Reasons")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "member"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "member"], name="prognosis_once_per_child_per_version"),
            models.CheckConstraint(condition=~Q(reasons=""), name="prognosis_has_reasons"),
        ]

    def __str__(self):
        return f"{self.get_prognosis_display()} prognosis"


class LegalPath(models.TextChoices):
    LTG_SUITABLE_PERSON = "ltg_suitable_person", "Long-term guardianship to a suitable person (kin)"
    LTG_CHIEF_EXECUTIVE = "ltg_chief_executive", "Long-term guardianship to the chief executive"
    PERMANENT_CARE = "permanent_care", "Permanent care order"
    ADOPTION = "adoption", "Adoption"
    OTHER = "other", "Another legal path"


class AlternateStatus(models.TextChoices):
    PENDING = "pending", "Awaiting endorsement"
    ENDORSED = "endorsed", "Endorsed"
    RETURNED = "returned", "Returned with comments"


class AlternatePlan(models.Model):
    """The alternate permanent plan of a child whose prognosis for reunification is poor: with
    whom, by what legal path, the people searched for and assessed; endorsed by a team leader
    (not its author) before the review is completed. Recording it again asks again."""

    prognosis = models.OneToOneField(ReunificationPrognosis, on_delete=models.CASCADE, related_name="alternate")
    with_whom = models.CharField("With whom", max_length=200)
    legal_path = models.CharField("Legal path", max_length=24, choices=LegalPath.choices)
    people_searched = models.TextField("People searched for")
    people_assessed = models.TextField("People assessed, and the outcome")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=AlternateStatus.choices, default=AlternateStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_by__isnull=False),
                                   name="decided_alternate_names_decider"),
            models.CheckConstraint(condition=~Q(decided_by=models.F("recorded_by")),
                                   name="nobody_endorses_own_alternate_plan"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(decision_comment=""),
                                   name="returned_alternate_has_comment"),
        ]

    def __str__(self):
        return f"Alternate plan: {self.get_legal_path_display()} ({self.get_status_display().lower()})"

    @property
    def plan(self):
        return self.prognosis.plan
