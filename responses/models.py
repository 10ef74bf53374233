"""Responding to new information during ongoing intervention: record alerts on people and
cases, new concerns and court alerts with the manual's response steps, safety assessments
and plans, supervision and formal case reviews, and recommendations to close a case or
apply for a protection order."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.locking import Versioned
from casework.dates import day_label

# --- Record alerts ---------------------------------------------------------------------------


class AlertCategory(models.TextChoices):
    WORKER_SAFETY = "worker_safety", "Worker safety"
    COURT_ORDER = "court_order", "Court order restricting contact"
    MEDICAL = "medical", "Medical need"
    CHILD_SAFETY = "child_safety", "Child safety"
    OTHER = "other", "Other"


class AlertSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RecordAlert(Versioned):
    """A warning recorded on a person or a case (never both), shown wherever they appear
    until it is ended with a reason. Reviewed by ``review_on``; ``ends_on`` is a planned end."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="record_alerts")
    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="record_alerts")
    category = models.CharField(max_length=20, choices=AlertCategory.choices)
    severity = models.CharField(max_length=8, choices=AlertSeverity.choices)
    details = models.TextField()
    starts_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="Planned end, if known")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=True) ^ Q(person__isnull=True),
                                   name="record_alert_on_case_or_person"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | ~Q(ended_reason=""),
                                   name="record_alert_ended_with_reason"),
            models.CheckConstraint(condition=Q(review_on__isnull=True) | Q(review_on__gte=models.F("starts_on")),
                                   name="record_alert_review_after_start"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="record_alert_end_after_start"),
        ]
        indexes = [models.Index(fields=["ended_on", "review_on"])]

    def __str__(self):
        return f"{self.get_category_display()} ({self.get_severity_display()})"

    @property
    def subject(self) -> str:
        return str(self.person) if self.person_id else "The case"


# --- New concerns and court alerts ---------------------------------------------------------


class InformationKind(models.TextChoices):
    NEW_CONCERN = "new_concern", "New child-protection concern"
    COURT_ALERT = "court_alert", "Court alert"


class InformationSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    EXTERNAL = "external", "Received from an external system"


class Response(models.Model):
    """New information received about a case, and the response to it: the manual's steps
    (``ResponseStep``), each ticked by someone at some time. Complete when every step is."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="responses")
    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="The child or family member the information is about")
    kind = models.CharField(max_length=16, choices=InformationKind.choices)
    source = models.CharField(max_length=10, choices=InformationSource.choices, default=InformationSource.STAFF)
    received_at = models.DateTimeField()
    summary = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    victim_support_information_given = models.BooleanField(
        default=False, help_text="Information about victim support services was given")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["case", "completed_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} received {day_label(timezone.localtime(self.received_at))}"


class StepCode(models.TextChoices):
    VIEW = "view", "View the information"
    ASSESS = "assess", "Assess the information and record the response"
    FURTHER_ACTION = "further_action", "Record further action taken (incl. victim support information)"
    SAFETY_ASSESSMENT = "safety_assessment", "Complete a new safety assessment"
    CASE_PLAN_REVIEW = "case_plan_review", "Consider review of the case plan and type of intervention"
    PLACEMENT_REVIEW = "placement_review", "Review the appropriateness of the child's placement"


class ResponseStep(models.Model):
    """One step of a response, due by ``due_at`` and ticked with who and when."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(max_length=20, choices=StepCode.choices)
    position = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["response", "position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "code"], name="one_step_of_each_code"),
            models.CheckConstraint(condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                                   name="step_done_by_someone"),
        ]
        indexes = [models.Index(fields=["done_at", "due_at"])]

    def __str__(self):
        return self.get_code_display()


class SendingSystem(models.Model):
    """An external system allowed to send concerns and court alerts. Only a hash of its
    token is stored; the token itself is shown once, when issued."""

    name = models.CharField(max_length=120, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=8, help_text="First characters of the token, to recognise it")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted (response created)"
    NEEDS_REVIEW = "needs_review", "Needs review"
    RESOLVED = "resolved", "Matched by staff"
    DISMISSED = "dismissed", "Dismissed by staff"


class InboundMessage(models.Model):
    """Every message an external system sent, kept as received. Malformed messages and
    those naming an unknown person or case wait here for a team leader (who reads which: cases/permissions.py)."""

    system = models.ForeignKey(SendingSystem, on_delete=models.PROTECT, related_name="messages")
    message_id = models.CharField(max_length=120)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(null=True, blank=True)
    raw_body = models.TextField(blank=True, help_text="The body as received, when it was not a JSON object")
    status = models.CharField(max_length=16, choices=InboundStatus.choices)
    problem = models.CharField(max_length=300, blank=True)
    response = models.OneToOneField(Response, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="inbound_message")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["system", "message_id"], name="inbound_message_once_per_sender"),
            models.CheckConstraint(condition=~Q(status="accepted") | Q(response__isnull=False),
                                   name="accepted_message_has_response"),
        ]

    def __str__(self):
        return f"{self.system} #{self.message_id}"


# --- Safety assessments and plans ----------------------------------------------------------


class SafetyDecision(models.TextChoices):
    SAFE = "safe", "Safe"
    SAFE_WITH_PLAN = "safe_with_plan", "Safe with a safety plan"
    UNSAFE = "unsafe", "Unsafe"


class SafetyAssessment(models.Model):
    """The safety threats found and the safety decision, possibly answering a response."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="safety_assessments")
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="safety_assessments")
    completed_on = models.DateField()
    threats = models.TextField(blank=True, help_text="Safety threats found; empty when none")
    decision = models.CharField(max_length=16, choices=SafetyDecision.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(decision="safe") | ~Q(threats=""),
                                   name="unsafe_decision_names_threats"),
        ]

    def __str__(self):
        return f"Safety assessment {self.completed_on}: {self.get_decision_display()}"


class PlanStatus(models.TextChoices):
    PENDING = "pending", "Awaiting team leader approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"
    REPLACED = "replaced", "Replaced by a newer plan"


class SafetyPlan(models.Model):
    """Threats, the actions that manage them and who is responsible. A new or changed plan
    is approved by a team leader before it is implemented and documented by the next working
    day after it was developed with the family."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="safety_plans")
    assessment = models.ForeignKey(SafetyAssessment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="plans")
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    developed_on = models.DateField(help_text="The day the plan was developed with the family")
    documentation_due_on = models.DateField()
    documented_on = models.DateField()
    threats = models.TextField()
    actions = models.TextField()
    responsible = models.TextField(help_text="Who is responsible for each action")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-developed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "replaced"]) | Q(decided_by__isnull=False),
                                   name="decided_plan_has_decider"),
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("submitted_by")),
                                   name="nobody_approves_own_safety_plan"),
        ]

    def __str__(self):
        return f"Safety plan of {self.developed_on}"

    @property
    def documented_late(self) -> bool:
        return self.documented_on > self.documentation_due_on


class NoIncreaseDecision(models.Model):
    """A team leader's record that an approved safety plan for a child's safe return home
    needs no increase of contact (seed 000, 4.2 asks for additional contact): who, when, why."""

    plan = models.OneToOneField(SafetyPlan, on_delete=models.PROTECT, related_name="no_increase")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    reason = models.CharField(max_length=300)

    def __str__(self):
        return f"No increase needed for {self.plan}"


# --- Supervision and formal reviews ---------------------------------------------------------


class SupervisionReview(models.Model):
    """A case reviewed in supervision, recorded by the team leader."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="supervision_reviews")
    held_on = models.DateField()
    discussion = models.TextField()
    decisions = models.TextField()
    rationale = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["case", "held_on"])]

    def __str__(self):
        return f"Supervision review {self.held_on}"


class FormalReview(models.Model):
    """The six-monthly formal case review: assessments completed, progress, decision."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="formal_reviews")
    held_on = models.DateField()
    assessments_completed = models.TextField()
    progress = models.TextField()
    decision = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["case", "held_on"])]

    def __str__(self):
        return f"Formal case review {self.held_on}"


# --- Closure and protection applications ----------------------------------------------------


class RecommendationKind(models.TextChoices):
    CLOSE = "close", "Close the case"
    PROTECTION_APPLICATION = "protection_application", "Apply for a protection order"


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", "Awaiting team leader"
    ENDORSED = "endorsed", "Endorsed"
    RETURNED = "returned", "Returned"
    ACTIONED = "actioned", "Actioned"


class Recommendation(models.Model):
    """The caseworker's recommendation to close the case or apply for a protection order,
    endorsed or returned by a team leader of the case's team (never its author)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="recommendations")
    kind = models.CharField(max_length=24, choices=RecommendationKind.choices)
    rationale = models.TextField()
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recommended_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"),
                                    name="one_pending_recommendation_per_case"),
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("recommended_by")),
                                   name="nobody_endorses_own_recommendation"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_by__isnull=False),
                                   name="decided_recommendation_has_decider"),
        ]

    def __str__(self):
        return f"Recommendation: {self.get_kind_display()}"
