"""In-app alerts: something a person must act on, about a case, named by its reference number."""

from django.conf import settings
from django.db import models


class AlertKind(models.TextChoices):
    CONTACT_SHORTFALL = "contact_shortfall", "Contact shortfall"
    AT_RISK = "at_risk", "Contact at risk this month"
    RISK_LEVEL_MISSING = "risk_level_missing", "Risk level missing"
    APPROVAL_PENDING = "approval_pending", "Request awaiting approval"
    PLAN_DUE = "plan_due", "Case plan due"
    PLAN_OVERDUE = "plan_overdue", "Case plan overdue"
    ACTION_DUE = "action_due", "Case plan action due soon"
    ACTION_OVERDUE = "action_overdue", "Case plan action overdue"
    REFERRAL = "referral", "Referral"
    PROVIDER_UPDATE_DUE = "provider_update_due", "Provider update missing"
    RECORD_ALERT_REVIEW = "record_alert_review", "Record alert review due"
    RESPONSE_STEP_DUE = "response_step_due", "Response step due"
    SAFETY_PLAN = "safety_plan", "Safety plan"
    SUPERVISION_DUE = "supervision_due", "Supervision review due"
    FORMAL_REVIEW_DUE = "formal_review_due", "Formal case review due"
    ESCALATION = "escalation", "Escalated to manager"
    FAMILY_TIME_MISSED = "family_time_missed", "Family time missed"
    FAMILY_TIME_REVIEW = "family_time_review", "Family time review overdue"
    OTHER = "other", "Other"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    """One alert, shared by its recipients. ``key`` makes raising idempotent: the same
    situation (e.g. shortfall of case X in month M) is one alert, however often it is raised."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    month = models.DateField(null=True, blank=True, help_text="First day of the month the alert is about")
    title = models.CharField(max_length=200, help_text="Names the case by reference number only")
    link = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, through="AlertRecipient", related_name="alerts")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["case", "month"])]

    def __str__(self):
        return self.title


class AlertRecipient(models.Model):
    """Who receives an alert, and whether it has been e-mailed in a digest."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="recipient_once_per_alert")]
