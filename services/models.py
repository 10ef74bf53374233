"""The service provider directory, and referrals of a case's family to those services.

A referral moves along the status table in ``services/rules.py``; every change is kept
(``ReferralStatusChange``: dated, by whom). While a referral is active its provider is
"involved in implementing the case plan" (``services.selectors.provider_involvement``),
which lets the provider workers' face-to-face contacts count toward the contact standard.
Nothing here is deleted from the user interface: referrals end by status, providers and
services are made inactive.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.locking import Versioned
from services import rules


class ServiceType(models.TextChoices):
    ALCOHOL_AND_DRUG = "alcohol_drug", "Alcohol and drug"
    FAMILY_VIOLENCE = "family_violence", "Family violence"
    PARENTING = "parenting", "Parenting"
    COUNSELLING = "counselling", "Counselling / psychological"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    CULTURAL = "cultural", "Cultural"
    OTHER = "other", "Other"


class ServiceProvider(models.Model):
    """An agency that provides services to families (managed by administrators, read by all staff)."""

    name = models.CharField(max_length=160, unique=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    """A service a provider offers: what, where, how to refer, what it costs and how long the wait is."""

    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=160)
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)
    area_served = models.CharField(max_length=160, help_text="Suburbs or region served")
    how_to_refer = models.TextField(blank=True)
    cost_per_session = models.DecimalField(max_digits=8, decimal_places=2, default=0,
                                           help_text="0 when the service is free to the family and the agency")
    typical_wait_days = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_name_unique_per_provider"),
            models.CheckConstraint(condition=Q(cost_per_session__gte=0), name="service_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} — {self.provider}"

    @property
    def costs_money(self) -> bool:
        return self.cost_per_session > 0


class ReferralStatus(models.TextChoices):
    DRAFT = rules.DRAFT, rules.STATUS_LABELS[rules.DRAFT]
    SENT = rules.SENT, rules.STATUS_LABELS[rules.SENT]
    ACCEPTED = rules.ACCEPTED, rules.STATUS_LABELS[rules.ACCEPTED]
    UNABLE_TO_ACCEPT = rules.UNABLE_TO_ACCEPT, rules.STATUS_LABELS[rules.UNABLE_TO_ACCEPT]
    ACTIVE = rules.ACTIVE, rules.STATUS_LABELS[rules.ACTIVE]
    COMPLETED = rules.COMPLETED, rules.STATUS_LABELS[rules.COMPLETED]
    WITHDRAWN = rules.WITHDRAWN, rules.STATUS_LABELS[rules.WITHDRAWN]
    CLOSED = rules.CLOSED, rules.STATUS_LABELS[rules.CLOSED]


class Referral(Versioned):
    """A referral of people of a case to a provider's service, for a reason.

    ``status`` is the current step; ``active_on``/``ended_on`` repeat the dates of the
    changes to active and to completed/withdrawn so that involvement in the case plan can
    be read with one indexed query. Only ``services.services`` changes them."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    people = models.ManyToManyField("cases.CaseMember", related_name="referrals", verbose_name="People referred")
    reason = models.TextField("Reason for the referral")
    plan_action = models.ForeignKey("caseplans.PlanAction", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="referrals", verbose_name="Case-plan action it serves")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    self_referral = models.BooleanField("Self-referral by a parent", default=False)
    self_referred_by = models.ForeignKey("cases.CaseMember", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="self_referrals", verbose_name="Parent who self-referred")
    support_given = models.TextField("Support given to complete the referral", blank=True)
    unable_note = models.TextField("Case note: why the provider is unable to accept", blank=True)
    alternatives_considered = models.TextField("Alternatives considered (other possible services)", blank=True)
    active_on = models.DateField(null=True, blank=True, help_text="The day the service started")
    ended_on = models.DateField(null=True, blank=True, help_text="The day the service was completed or withdrawn")
    next_review_on = models.DateField("Next review", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("approve_referral_cost", "May approve the payment for a referral (financial delegate)")]
        indexes = [models.Index(fields=["case", "status"]), models.Index(fields=["status", "active_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(self_referral=False) | Q(self_referred_by__isnull=False),
                                   name="self_referral_names_the_parent"),
            models.CheckConstraint(condition=~Q(status__in=[rules.ACTIVE, rules.COMPLETED]) | Q(active_on__isnull=False),
                                   name="active_referral_has_start_date"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(active_on__isnull=True) | Q(ended_on__gte=models.F("active_on")),
                name="referral_ends_after_it_started"),
        ]

    def __str__(self):
        return f"{self.case} → {self.service}"

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN

    def clean(self):
        if self.self_referral and not self.self_referred_by_id:
            raise ValidationError({"self_referred_by": "Name the parent who referred themselves."})
        if self.self_referral and not self.support_given.strip():
            raise ValidationError({"support_given": "Record the support given to the parent to complete the referral."})


class ReferralStatusChange(models.Model):
    """One step of a referral: from which status to which, on what date, by whom, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    on = models.DateField("Date", help_text="The day it happened (may be earlier than the day it was recorded)")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="status_change_changes"),
        ]

    def __str__(self):
        return f"{self.get_from_status_display() or 'new'} → {self.get_to_status_display()} on {self.on}"


class PaymentMethod(models.TextChoices):
    PURCHASE_ORDER = "purchase_order", "Purchase order"
    INVOICE = "invoice", "Invoice to the agency"
    CORPORATE_CARD = "corporate_card", "Corporate card"
    BROKERAGE = "brokerage", "Brokerage funds"
    OTHER = "other", "Other"


class CostApprovalStatus(models.TextChoices):
    PENDING = rules.PENDING, "Waiting for approval"
    APPROVED = rules.APPROVED, "Approved"
    DECLINED = rules.DECLINED, "Declined"


class CostApproval(models.Model):
    """The confirmed cost of a referral and a financial delegate's decision on paying it.

    A declined request stays on record; the caseworker may confirm a revised cost and ask again."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cost_approvals")
    cost_per_session = models.DecimalField(max_digits=8, decimal_places=2)
    sessions = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=10, decimal_places=2)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CostApprovalStatus.choices, default=CostApprovalStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["referral"], condition=Q(status=rules.PENDING),
                                    name="one_pending_cost_approval_per_referral"),
            models.UniqueConstraint(fields=["referral"], condition=Q(status=rules.APPROVED),
                                    name="one_approved_cost_per_referral"),
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                                   name="no_self_approval_of_cost"),
            models.CheckConstraint(
                condition=(Q(status=rules.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                           | Q(status__in=[rules.APPROVED, rules.DECLINED], decided_by__isnull=False,
                               decided_at__isnull=False)),
                name="cost_decision_complete"),
            models.CheckConstraint(condition=Q(cost_per_session__gt=0, sessions__gte=1), name="cost_positive"),
        ]

    def __str__(self):
        return f"${self.total} for {self.referral}: {self.get_status_display()}"


class InformationMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "E-mail"
    TEXT_MESSAGE = "text", "Text message"
    OTHER = "other", "Other"


class FamilyInformation(models.Model):
    """What the child, parents or carer were told about how and when to access the service."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="family_information")
    given_to = models.ManyToManyField("cases.CaseMember", related_name="+", verbose_name="Given to")
    given_on = models.DateField("Date given")
    method = models.CharField("How it was given", max_length=12, choices=InformationMethod.choices)
    details = models.TextField("Information given (how and when to access the service)")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name_plural = "family information"


class ExchangeMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    WRITTEN_REPORT = "report", "Written report"
    CASE_REVIEW = "case_review", "At the case plan review"


class CommunicationPlan(models.Model):
    """How the agency and the provider exchange information while the service works with the family."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="communication_plan")
    provider_contact_name = models.CharField("Contact at the provider", max_length=120)
    provider_contact_role = models.CharField("Their role", max_length=120, blank=True)
    provider_contact_phone = models.CharField("Their phone", max_length=40, blank=True)
    provider_contact_email = models.EmailField("Their e-mail", blank=True)
    method = models.CharField("How information is exchanged", max_length=12, choices=ExchangeMethod.choices)
    every_days = models.PositiveSmallIntegerField(
        "An update is due every (days)", help_text="How often the provider and the caseworker exchange information")
    family_communication = models.TextField(
        "Communication between the service and the family", blank=True,
        help_text="How the service keeps the family, carer and (when age appropriate) the child informed")
    invited_to_reviews = models.BooleanField("Invited to case plan reviews", default=True)
    started_on = models.DateField("Plan agreed on")
    next_update_due = models.DateField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["next_update_due"])]
        constraints = [
            models.CheckConstraint(condition=Q(every_days__gte=1, every_days__lte=365), name="update_interval_valid"),
        ]

    def __str__(self):
        return f"Communication plan for {self.referral}"


class ProviderUpdate(models.Model):
    """Information received from (or exchanged with) the provider under the communication plan."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="provider_updates")
    received_on = models.DateField("Date of the update")
    method = models.CharField("How", max_length=12, choices=ExchangeMethod.choices)
    summary = models.TextField("What was discussed or reported")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"Update {self.received_on} on {self.referral}"
