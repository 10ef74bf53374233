"""Children in care: family time (the arrangement, its staged plan to increase it, the
requests to progress it, its sessions and reviews) and cultural support plans.

A child is "in care" while their current ``cases.LivingArrangement`` has kind ``in_care``;
this app reads that and keeps no placement of its own. Every change is kept in a history table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from care import rules


class Period(models.TextChoices):
    WEEK = "week", "a week"
    FORTNIGHT = "fortnight", "a fortnight"
    MONTH = "month", "a month"


class Supervision(models.TextChoices):
    SUPERVISED = "supervised", "Supervised"
    PARTLY = "partly", "Partly supervised"
    UNSUPERVISED = "unsupervised", "Unsupervised"


class FamilyTimeArrangement(models.Model):
    """How a child in care spends time with their family: with whom, how often, how long,
    where, supervised by whom (or not), and how they get there. One open arrangement per child."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="family_time")
    member = models.ForeignKey("cases.CaseMember", on_delete=models.PROTECT, related_name="family_time",
                               verbose_name="Child")
    participants = models.ManyToManyField("cases.CaseMember", related_name="family_time_with", blank=True,
                                          verbose_name="With whom")
    others = models.CharField("Others taking part", max_length=200, blank=True,
                              help_text="People not in the case, e.g. a grandparent interstate")
    sessions = models.PositiveSmallIntegerField("Sessions", default=1)
    period = models.CharField("Every", max_length=10, choices=Period.choices, default=Period.WEEK)
    duration_minutes = models.PositiveSmallIntegerField("How long (minutes)")
    location = models.CharField("Where", max_length=200)
    supervision = models.CharField(max_length=14, choices=Supervision.choices, default=Supervision.SUPERVISED)
    supervisor = models.CharField("Supervised by", max_length=160, blank=True)
    transport = models.CharField("Transport", max_length=200, blank=True)
    started_on = models.DateField("From")
    review_on = models.DateField("Review date")
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True),
                                    name="one_open_family_time_per_child"),
            models.CheckConstraint(condition=Q(sessions__gte=1), name="family_time_at_least_one_session"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="family_time_has_duration"),
            models.CheckConstraint(condition=~Q(supervision="supervised") | ~Q(supervisor=""),
                                   name="supervised_family_time_names_supervisor"),
        ]

    def __str__(self):
        return f"Family time in {self.case.reference}"

    def get_absolute_url(self):
        return reverse("care:family_time_detail", args=[self.pk])

    @property
    def frequency(self) -> str:
        times = "once" if self.sessions == 1 else "twice" if self.sessions == 2 else f"{self.sessions} times"
        return f"{times} {self.get_period_display()}, {self.duration_minutes} minutes"


class StageStatus(models.TextChoices):
    PLANNED = rules.PLANNED, rules.STAGE_LABELS[rules.PLANNED]
    CURRENT = rules.CURRENT, rules.STAGE_LABELS[rules.CURRENT]
    DONE = rules.DONE, rules.STAGE_LABELS[rules.DONE]


class FamilyTimeStage(models.Model):
    """One stage of the plan to review and increase family time: what changes, from when, and
    when it is reviewed. What it sets (sessions, length, supervision) applies once it is entered."""

    arrangement = models.ForeignKey(FamilyTimeArrangement, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    changes = models.TextField("What changes")
    starts_on = models.DateField("From")
    review_on = models.DateField("Review date")
    sessions = models.PositiveSmallIntegerField("Sessions", null=True, blank=True)
    period = models.CharField("Every", max_length=10, choices=Period.choices, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("How long (minutes)", null=True, blank=True)
    supervision = models.CharField(max_length=14, choices=Supervision.choices, blank=True)
    status = models.CharField(max_length=10, choices=StageStatus.choices, default=StageStatus.PLANNED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["arrangement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="stage_number_once_per_plan"),
            models.UniqueConstraint(fields=["arrangement"], condition=Q(status="current"),
                                    name="one_current_stage_per_plan"),
            models.CheckConstraint(condition=Q(review_on__gt=models.F("starts_on")),
                                   name="stage_reviewed_after_it_starts"),
            models.CheckConstraint(condition=~Q(changes=""), name="stage_says_what_changes"),
        ]

    def __str__(self):
        return f"Stage {self.number}"

    @property
    def case(self):
        return self.arrangement.case


class ProgressionStatus(models.TextChoices):
    PENDING = rules.PENDING, "Awaiting approval"
    APPROVED = rules.APPROVED, "Approved"
    REJECTED = rules.REJECTED, "Rejected"


class FamilyTimeProgression(models.Model):
    """A request to move a family-time plan to its next stage, with the rationale, and the team
    leader's decision (the request/decide shape of ``contacts.RequirementChange``)."""

    arrangement = models.ForeignKey(FamilyTimeArrangement, on_delete=models.CASCADE, related_name="progressions")
    stage = models.ForeignKey(FamilyTimeStage, on_delete=models.PROTECT, related_name="progressions")
    rationale = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ProgressionStatus.choices, default=ProgressionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement"], condition=Q(status="pending"),
                                    name="one_pending_progression_per_plan"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_by__isnull=False),
                                   name="decided_progression_names_decider"),
            models.CheckConstraint(condition=~Q(decided_by=models.F("requested_by")),
                                   name="nobody_decides_own_progression"),
            models.CheckConstraint(condition=~Q(rationale=""), name="progression_has_rationale"),
        ]

    def __str__(self):
        return f"Move to stage {self.stage.number}: {self.get_status_display()}"

    @property
    def case(self):
        return self.arrangement.case


class ByWhom(models.TextChoices):
    PARENT = "parent", "A parent or family member"
    CHILD = "child", "The child"
    CARER = "carer", "The carer"
    CHILD_SAFETY = "child_safety", "Child Safety"
    SUPERVISOR = "supervisor", "The supervisor"
    OTHER = "other", "Someone else"


class SessionOutcome(models.TextChoices):
    HELD = rules.HELD, "Held"
    MISSED = rules.MISSED, "Missed"
    CANCELLED = rules.CANCELLED, "Cancelled"


class FamilyTimeSession(models.Model):
    """One family-time session: held, missed or cancelled (and by whom), with observations."""

    arrangement = models.ForeignKey(FamilyTimeArrangement, on_delete=models.CASCADE, related_name="family_sessions")
    on = models.DateField("Date")
    outcome = models.CharField(max_length=10, choices=SessionOutcome.choices)
    by_whom = models.CharField("Missed or cancelled by", max_length=14, choices=ByWhom.choices, blank=True)
    observations = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(outcome="held") | ~Q(by_whom=""),
                                              name="missed_session_says_by_whom")]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.on}"

    @property
    def case(self):
        return self.arrangement.case


class FamilyTimeReview(models.Model):
    """A review of the arrangement that keeps it at its stage and sets the next review date
    (moving to the next stage is a progression, decided by a team leader)."""

    arrangement = models.ForeignKey(FamilyTimeArrangement, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("Reviewed on")
    outcome = models.TextField("What the review found")
    next_review_on = models.DateField("Next review date")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(next_review_on__gt=models.F("reviewed_on")),
                                              name="next_review_after_review")]

    @property
    def case(self):
        return self.arrangement.case


class CulturalSupportPlan(models.Model):
    """The cultural support plan of an Aboriginal or Torres Strait Islander child in care
    (seed 001): the activities that keep them connected to family, community, culture and
    country, who is responsible for each, and when the plan is reviewed."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="cultural_plans")
    member = models.OneToOneField("cases.CaseMember", on_delete=models.PROTECT, related_name="cultural_plan",
                                  verbose_name="Child")
    community = models.CharField("Community, language group or nation", max_length=160, blank=True)
    review_on = models.DateField("Review date")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "member"]

    def __str__(self):
        return f"Cultural support plan in {self.case.reference}"


class CulturalSupportActivity(models.Model):
    """One thing the cultural support plan provides, and who is responsible for it."""

    plan = models.ForeignKey(CulturalSupportPlan, on_delete=models.CASCADE, related_name="activities")
    activity = models.TextField("What it provides")
    responsible = models.CharField("Who is responsible", max_length=160)
    how_often = models.CharField("How often", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name_plural = "cultural support activities"
        constraints = [models.CheckConstraint(condition=~Q(activity="") & ~Q(responsible=""),
                                              name="activity_names_what_and_who")]

    def __str__(self):
        return self.activity[:60]

    @property
    def case(self):
        return self.plan.case
