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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

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
