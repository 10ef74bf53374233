"""Children in care: carer households, placements, placement agreements and carer visits.

**One story of where a child lives.** A placement is not a second history beside the child's
living arrangements: it *is* an in-care ``cases.LivingArrangement``, extended one-to-one by
:class:`Placement` (household, type, reason for the change, who approved it). Its start and end
are the living arrangement's ``effective_from``/``effective_to`` and are stored nowhere else, so
the two histories cannot disagree on dates; ``care.services.placement_record`` writes both in
one transaction, and a living arrangement that carries a placement cannot be turned into
another kind (``care.apps`` registers that check with ``cases.extensions.fact_check``). An
in-care living arrangement recorded before placements existed shows in the placement history
as one whose details are not recorded, and counts toward stability all the same.

Nothing is deleted from the user interface: placements end, households change status, a
placement agreement gets a new version (old ones stay readable).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from care import rules
from cases.locking import Versioned


class HouseholdKind(models.TextChoices):
    FOSTER = "foster", "Foster carers"
    KINSHIP = "kinship", "Kinship carers"
    RESIDENTIAL = "residential", "Residential care"
    OTHER = "other", "Other"


class ApprovalStatus(models.TextChoices):
    ASSESSING = "assessing", "Being assessed"
    APPROVED = "approved", "Approved"
    PROVISIONAL = "provisional", "Provisionally approved"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Approval cancelled"


# Statuses under which a child may be placed with the household.
PLACEABLE = (ApprovalStatus.APPROVED, ApprovalStatus.PROVISIONAL)


class CarerHousehold(Versioned):
    """A carer household in the organisation's records (like the service directory: every member
    of staff sees the directory; which child lives there shows only on cases one may see)."""

    name = models.CharField(max_length=120, unique=True, help_text="How staff know the household, e.g. "
                                                                   "'Nguyen household' or the residential house's name")
    kind = models.CharField(max_length=12, choices=HouseholdKind.choices)
    office = models.ForeignKey("cases.Office", on_delete=models.PROTECT, related_name="carer_households")
    approval_status = models.CharField(max_length=12, choices=ApprovalStatus.choices,
                                       default=ApprovalStatus.ASSESSING)
    approved_on = models.DateField(null=True, blank=True)
    approval_ends_on = models.DateField("Approval ends", null=True, blank=True)
    suburb = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_ends_on__isnull=True) | Q(approved_on__isnull=True)
                | Q(approval_ends_on__gte=models.F("approved_on")),
                name="household_approval_ends_after_it_starts"),
            models.CheckConstraint(
                condition=~Q(approval_status__in=["approved", "provisional"]) | Q(approved_on__isnull=False),
                name="household_approved_with_a_date"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.approval_status in PLACEABLE and not self.approved_on:
            raise ValidationError({"approved_on": "Give the date the household was approved."})
        if self.approved_on and self.approval_ends_on and self.approval_ends_on < self.approved_on:
            raise ValidationError({"approval_ends_on": "The approval cannot end before it started."})


class HouseholdRole(models.TextChoices):
    PRIMARY_CARER = "primary_carer", "Primary carer"
    CARER = "carer", "Carer"
    OTHER_ADULT = "other_adult", "Other adult in the household"
    RESIDENTIAL_WORKER = "residential_worker", "Residential care worker"


class HouseholdMember(models.Model):
    """A person of a carer household: the carers and the other adults who live there."""

    household = models.ForeignKey(CarerHousehold, on_delete=models.CASCADE, related_name="people")
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    role = models.CharField(max_length=20, choices=HouseholdRole.choices, default=HouseholdRole.CARER)
    phone = models.CharField(max_length=40, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["household", "role", "given_name"]
        constraints = [models.CheckConstraint(
            condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
            name="household_member_left_after_joined")]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"


class PlacementType(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    SHORT_TERM = "short_term", "Short-term"
    LONG_TERM = "long_term", "Long-term"
    RESPITE = "respite", "Respite"


class Placement(models.Model):
    """The placement of a child with a carer household: an in-care living arrangement's details.
    Its dates are the living arrangement's (see the module docstring)."""

    living_arrangement = models.OneToOneField("cases.LivingArrangement", on_delete=models.PROTECT,
                                              related_name="placement_record")
    household = models.ForeignKey(CarerHousehold, on_delete=models.PROTECT, related_name="placements")
    placement_type = models.CharField(max_length=12, choices=PlacementType.choices)
    reason_for_change = models.TextField("Reason for the placement (or for the change of placement)")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    help_text="The team leader who approved the placement")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-living_arrangement__effective_from", "-id"]

    def __str__(self):
        return f"{self.household} from {self.start}"

    @property
    def member(self):
        return self.living_arrangement.member

    @property
    def case(self):
        return self.living_arrangement.member.case

    @property
    def start(self):
        return self.living_arrangement.effective_from

    @property
    def end(self):
        return self.living_arrangement.effective_to


class Responsible(models.TextChoices):
    CARER = "carer", "Carer"
    CHILD_SAFETY = "child_safety", "Child Safety"
    PARENTS = "parents", "Parents"


class PlacementAgreement(models.Model):
    """One version of a placement's agreement. A change is a new version; the old ones stay."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveIntegerField()
    supports_to_carer = models.TextField("Supports to the carer", blank=True)
    review_on = models.DateField("Review date")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["placement", "-version"]
        constraints = [models.UniqueConstraint(fields=["placement", "version"],
                                               name="one_agreement_version_number_per_placement")]

    def __str__(self):
        return f"Placement agreement, version {self.version}"

    @property
    def case(self):
        return self.placement.case


class AgreementItem(models.Model):
    """An agreed activity or responsibility: who does what."""

    agreement = models.ForeignKey(PlacementAgreement, on_delete=models.CASCADE, related_name="items")
    responsible = models.CharField("Who", max_length=12, choices=Responsible.choices)
    what = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "order", "id"]

    def __str__(self):
        return f"{self.get_responsible_display()}: {self.what}"


class CarerVisit(models.Model):
    """What a contact with a carer recorded beyond the contact itself: the support given, the
    issues in the care environment, and the check of the placement agreement (its items)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.PROTECT, related_name="carer_visit")
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="carer_visits")
    agreement = models.ForeignKey(PlacementAgreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="visits", help_text="The version checked at the visit")
    support_given = models.TextField("Support given to the carer")
    conflict_with_parents = models.BooleanField("Conflict with the parents", default=False)
    transport = models.BooleanField("Transport", default=False)
    finance = models.BooleanField("Finance", default=False)
    other_issue = models.CharField("Other issue", max_length=300, blank=True)
    issues_note = models.TextField("About the issues", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contact__occurred_at", "-id"]

    def __str__(self):
        return f"Carer visit of {self.contact.occurred_at:%Y-%m-%d}"

    @property
    def case(self):
        return self.contact.case

    @property
    def issues(self) -> list[str]:
        named = [label for name, label in (("conflict_with_parents", "Conflict with the parents"),
                                           ("transport", "Transport"), ("finance", "Finance")) if getattr(self, name)]
        return named + ([self.other_issue] if self.other_issue else [])


class CheckStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    CONCERN = "concern", "Concern"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class AgreementCheck(models.Model):
    """One agreement item as found at a carer visit."""

    visit = models.ForeignKey(CarerVisit, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(AgreementItem, on_delete=models.PROTECT, related_name="checks")
    status = models.CharField(max_length=16, choices=CheckStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="agreement_item_checked_once_per_visit"),
            models.CheckConstraint(condition=~Q(status="concern") | ~Q(note=""), name="agreement_concern_explained"),
        ]

    def __str__(self):
        return f"{self.item}: {self.get_status_display()}"


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
