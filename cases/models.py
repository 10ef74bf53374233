"""Case records: the agency's organisation, staff, cases, the people in them and
the per-child facts (legal status, case plan goal, living arrangement) and risk
assessments that the minimum-contact rules read.

Facts that change over time are stored as rows with effective dates so that one
can ask "what was true on date D"; every change is also kept in a history table
(django-simple-history). Nothing is deleted from the user interface: rows are
ended (an end date) instead.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.locking import Versioned


class Office(models.Model):
    """A service centre. Managers oversee one or more offices."""

    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(max_length=12, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A team within an office: team leaders lead it, caseworkers and support officers are members."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    members_see_team_cases = models.BooleanField(
        default=True,
        help_text="When set, caseworkers and support officers of this team see all of the team's cases, "
        "not only those allocated to them.",
    )

    class Meta:
        ordering = ["office__name", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="team_name_unique_in_office")]

    def __str__(self):
        return f"{self.name} ({self.office.code})"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker (child safety officer)"
    SUPPORT_OFFICER = "support_officer", "Support officer"
    TEAM_LEADER = "team_leader", "Team leader"
    MANAGER = "manager", "Manager"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A member of staff. The role decides what they may do; the team (members) or
    led teams (team leaders) or offices (managers) decide which cases they see."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    led_teams = models.ManyToManyField(Team, blank=True, related_name="leaders")
    managed_offices = models.ManyToManyField(Office, blank=True, related_name="managers")

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_caseworker(self) -> bool:
        return self.role == Role.CASEWORKER

    @property
    def is_team_leader(self) -> bool:
        return self.role == Role.TEAM_LEADER

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


class CaseReferenceCounter(models.Model):
    """Last number issued per prefix and year, so references are sequential and unique."""

    prefix = models.CharField(max_length=12)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_prefix_year")]


class Phase(models.TextChoices):
    CASE_PLANNING = "case_planning", "Case planning"
    ONGOING_INTERVENTION = "ongoing_intervention", "Ongoing intervention"
    REVIEW = "review", "Case plan review"
    CLOSURE = "closure", "Preparing for closure"
    CLOSED = "closed", "Closed"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)


class Case(Versioned):
    """An ongoing intervention with a family, known everywhere by its reference number."""

    reference = models.CharField(max_length=32, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocated_cases"
    )
    opened_on = models.DateField()
    substantiated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    phase = models.CharField(max_length=24, choices=Phase.choices, default=Phase.CASE_PLANNING)
    created_at = models.DateTimeField(auto_now_add=True)
    # Restricted access (a staff member's relative, a case in the news): only the allocated
    # caseworker, the team's leaders and the named staff see it (cases/permissions.py).
    restricted = models.BooleanField(default=False)
    restricted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    restricted_at = models.DateTimeField(null=True, blank=True)
    restricted_reason = models.CharField(max_length=300, blank=True)
    restricted_staff = models.ManyToManyField(settings.AUTH_USER_MODEL, through="RestrictedCaseStaff",
                                              through_fields=("case", "user"),
                                              related_name="restricted_cases_named", blank=True)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(restricted=False) | ~Q(restricted_reason=""),
                name="case_restricted_with_reason",
            ),
        ]
        permissions = [("view_case_record", "May view a case shared with them individually")]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.opened_on and self.opened_on > today:
            errors["opened_on"] = "The case cannot open in the future."
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = "The closing date cannot be before the case opened."
        elif self.closed_on and self.closed_on > today:
            errors["closed_on"] = "The closing date cannot be in the future."
        if self.phase == Phase.CLOSED and not self.closed_on:
            errors["phase"] = "A case is closed by its closing date; give the date it closed."
        elif self.closed_on and self.phase != Phase.CLOSED:
            errors["phase"] = "A case with a closing date is in the Closed phase."
        if self.substantiated_on and self.substantiated_on > today:
            errors["substantiated_on"] = "The substantiation date cannot be in the future."
        if errors:
            raise ValidationError(errors)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case grants (django-guardian, direct foreign key for set-based queries):
    a case shared with a support officer or a colleague outside the allocated team."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class RestrictedCaseStaff(models.Model):
    """A member of staff named on a restricted case, so they see it too; who named them, when.
    Lifting the restriction clears the list (the history keeps it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restricted_staff_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "named staff member of a restricted case"
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="staff_named_once_per_case")]

    def __str__(self):
        return f"{self.user} on {self.case}"


class AboriginalTorresStraitIslander(models.TextChoices):
    ABORIGINAL = "aboriginal", "Aboriginal"
    TORRES_STRAIT_ISLANDER = "torres_strait_islander", "Torres Strait Islander"
    BOTH = "both", "Aboriginal and Torres Strait Islander"
    NEITHER = "neither", "Neither"
    NOT_STATED = "not_stated", "Not stated"


class Person(Versioned):
    """A child, parent, carer or other person. One person may belong to several cases."""

    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(default=False)
    indigenous_status = models.CharField(
        "Aboriginal and/or Torres Strait Islander",
        max_length=24,
        choices=AboriginalTorresStraitIslander.choices,
        default=AboriginalTorresStraitIslander.NOT_STATED,
    )
    cultural_identity = models.CharField(max_length=120, blank=True)
    language = models.CharField("Main language", max_length=60, blank=True, default="English")
    interpreter_required = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    def clean(self):
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
        if self.interpreter_required and not self.language:
            raise ValidationError({"language": "Name the language the interpreter is needed for."})


class EffectivePeriodQuerySet(models.QuerySet):
    def on(self, date: dt.date):
        """Rows in force on the given date."""
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=date), effective_from__lte=date)


class EffectivePeriod(models.Model):
    """A fact in force from one date to another (inclusive; open-ended while effective_to is empty)."""

    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    objects = EffectivePeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The end date cannot be before the start date."})

    def overlaps(self, other: "EffectivePeriod") -> bool:
        far = dt.date.max
        return self.effective_from <= (other.effective_to or far) and other.effective_from <= (
            self.effective_to or far
        )


class Address(EffectivePeriod):
    """Where a person lives, from/to. A parent's residence is what contact rules check."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("Street address", max_length=160)
    suburb = models.CharField(max_length=80)
    state = models.CharField(max_length=40, default="QLD")
    postcode = models.CharField(max_length=10, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="address_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.line1}, {self.suburb} {self.state} {self.postcode}".strip()


class MemberRole(models.TextChoices):
    CHILD = "child", "Child (subject of the case)"
    PARENT = "parent", "Parent"
    FAMILY = "family", "Other family member"
    CARER = "carer", "Carer"
    SIGNIFICANT = "significant", "Other significant person"


class CaseMember(Versioned):
    """A person's part in a case, from the day they joined to the day they left."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices)
    relationship = models.CharField(max_length=80, blank=True, help_text="e.g. mother, grandmother, foster carer")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "person__given_name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="person_once_per_case"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="member_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}) in {self.case}"

    def clean(self):
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "The date left cannot be before the date joined."})


class InterventionType(models.TextChoices):
    """Legal status / type of intervention, as in the Queensland manual."""

    PARENTAL_AGREEMENT = "ipa", "Intervention with parental agreement"
    CARE_AGREEMENT = "care_agreement", "Child protection care agreement"
    DIRECTIVE_ORDER = "directive_order", "Directive order"
    SUPERVISION_ORDER = "supervision_order", "Supervision order"
    SHORT_TERM_CUSTODY = "short_term_custody", "Short-term custody order"
    SHORT_TERM_GUARDIANSHIP = "short_term_guardianship", "Short-term guardianship order"
    LONG_TERM_GUARDIANSHIP_CHIEF_EXECUTIVE = "ltg_chief_executive", "Long-term guardianship to the chief executive"
    LONG_TERM_GUARDIANSHIP_SUITABLE_PERSON = "ltg_suitable_person", "Long-term guardianship to a suitable person"
    PERMANENT_CARE = "permanent_care", "Permanent care order"


class ChildFact(Versioned, EffectivePeriod):
    """A fact about one child of a case with effective dates; no two of a kind may overlap."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        abstract = True
        ordering = ["-effective_from"]

    overlap_message = "This overlaps another record for the same child."
    # Set (not stored) when the person recording asks to end the child's current open-ended
    # record the day before this one starts; the service then ends it in the same transaction.
    end_current = False

    def clean(self):
        super().clean()
        if self.member_id and self.member.role != MemberRole.CHILD:
            raise ValidationError("Only a child of the case has this record.")
        if self.effective_from and self.member_id:
            superseded = self.superseded() if self.end_current else None
            others = type(self).objects.filter(member_id=self.member_id).exclude(pk=self.pk)
            if any(self.overlaps(o) for o in others if o != superseded):
                raise ValidationError({"effective_from": self.overlap_message})

    def superseded(self):
        """The child's current open-ended record that this new record, starting later, would replace.

        Recording "short-term custody from 1 March" can end the open-ended intervention with
        parental agreement on 28 February; only a new record supersedes, and only one that
        starts after the current one did."""
        if self.pk is not None or not (self.member_id and self.effective_from):
            return None
        return (type(self).objects.filter(member_id=self.member_id, effective_to__isnull=True,
                                          effective_from__lt=self.effective_from)
                .order_by("-effective_from").first())


class LegalStatus(ChildFact):
    """The child's legal status / type of intervention in force over a period."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="legal_statuses")
    intervention_type = models.CharField(max_length=32, choices=InterventionType.choices)
    history = HistoricalRecords()

    overlap_message = "This child already has a legal status in force during these dates; end it first."

    class Meta(ChildFact.Meta):
        verbose_name_plural = "legal statuses"

    def __str__(self):
        return self.get_intervention_type_display()


class CasePlanGoal(models.TextChoices):
    REMAIN_AT_HOME = "remain_home", "Remain at home"
    REUNIFICATION = "reunification", "Reunification"
    LONG_TERM_CARE = "long_term_care", "Long-term care"
    PERMANENCY = "permanency", "Permanency"


class ChildGoal(ChildFact):
    """The case plan goal for a child over a period."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="goals")
    goal = models.CharField(max_length=20, choices=CasePlanGoal.choices)
    history = HistoricalRecords()

    overlap_message = "This child already has a case plan goal during these dates; end it first."

    class Meta(ChildFact.Meta):
        verbose_name = "case plan goal"

    def __str__(self):
        return self.get_goal_display()


class LivingKind(models.TextChoices):
    AT_HOME = "at_home", "At home with a parent"
    IN_CARE = "in_care", "In care"
    # Seed 000, 4.2: a child on a permanent care order who lives with their permanent
    # guardian has no contact requirement; elsewhere, they are seen monthly.
    PERMANENT_GUARDIAN = "permanent_guardian", "With their permanent guardian"
    OTHER = "other", "Other"


class LivingArrangement(ChildFact):
    """Where and with whom the child lives over a period."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="living_arrangements")
    kind = models.CharField(max_length=20, choices=LivingKind.choices)
    with_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="children_living_with",
        help_text="The parent the child lives with, the carer, or the permanent guardian",
    )
    placement = models.CharField(max_length=120, blank=True, help_text="Placement or residential care name")
    details = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    overlap_message = "This child already has a living arrangement during these dates; end it first."

    def __str__(self):
        where = self.with_person or self.placement or self.details
        return f"{self.get_kind_display()}: {where}" if where else self.get_kind_display()

    def clean(self):
        super().clean()
        if self.kind == LivingKind.AT_HOME and not self.with_person_id:
            raise ValidationError({"with_person": "Name the parent the child lives with."})
        if self.kind == LivingKind.IN_CARE and not (self.with_person_id or self.placement):
            raise ValidationError({"with_person": "Name the carer or the placement."})
        if self.kind == LivingKind.PERMANENT_GUARDIAN and not self.with_person_id:
            raise ValidationError({"with_person": "Name the permanent guardian the child lives with."})


class RiskTool(models.TextChoices):
    FAMILY_RISK_EVALUATION = "fre", "Family risk evaluation"
    FAMILY_RISK_REEVALUATION = "frre", "Family risk re-evaluation"
    FAMILY_REUNIFICATION = "fra", "Family reunification assessment"
    SAFETY_ASSESSMENT = "safety", "Safety assessment"


# Tools whose outcome sets the contact risk level (a safety assessment does not).
RISK_LEVEL_TOOLS = (
    RiskTool.FAMILY_RISK_EVALUATION,
    RiskTool.FAMILY_RISK_REEVALUATION,
    RiskTool.FAMILY_REUNIFICATION,
)


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class RiskAssessment(Versioned):
    """A completed structured assessment and its outcome risk level."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    tool = models.CharField(max_length=8, choices=RiskTool.choices)
    completed_on = models.DateField()
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-id"]

    def __str__(self):
        return f"{self.get_tool_display()} {self.completed_on}: {self.get_risk_level_display()}"

    def clean(self):
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "An assessment cannot be completed in the future."})


class Allocation(models.Model):
    """Who held case responsibility, in which team, from when; the current one has no end date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_current_allocation_per_case"
            ),
        ]

    def __str__(self):
        return f"{self.case} → {self.caseworker} ({self.started_on})"


class LookHow(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"
    EXPORT = "export", "Export"
    PDF = "pdf", "PDF"
    DOWNLOAD = "download", "Download"


class CaseLook(models.Model):
    """One look at a child's record: who read which case (and person, on a person's page),
    when, how (page, API, export, PDF) and through which route (the URL name). Written by
    ``cases.access_log``, one insert per request; kept ``ACCESS_LOG_RETENTION_DAYS``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(db_index=True)
    how = models.CharField(max_length=10, choices=LookHow.choices)
    what = models.CharField(max_length=100)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "-at"], name="caselook_case_newest"),
            models.Index(fields=["user", "at"], name="caselook_user_period"),
        ]

    def __str__(self):
        return f"{self.user} looked at {self.case} ({self.how}: {self.what}) at {self.at}"


class AttachmentTarget(models.TextChoices):
    """What in the case a document is attached to. The record is named by kind and id (not a
    foreign key) so that this app knows nothing of the apps that hold contacts, plans,
    referrals and responses; ids resolve through ``cases.permissions.records_in_case``."""

    CASE = "case", "The case"
    CONTACT = "contact", "A contact"
    PLAN = "plan", "A case plan"
    REFERRAL = "referral", "A referral"
    RESPONSE = "response", "A response"


class Attachment(models.Model):
    """A document or photo on a case (a court order, a report, a photo of a signed safety
    plan), attached to the case itself or to one of its records. The bytes live in
    ``STORAGES["attachments"]`` under ``storage_name``; they leave only through the app's download
    view. Nothing is deleted: an attachment is withdrawn, with who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    target_kind = models.CharField(max_length=10, choices=AttachmentTarget.choices, default=AttachmentTarget.CASE)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    original_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=10)  # a key of cases.attachment_rules.KINDS, told from the content
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdrawn_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["case", "target_kind", "target_id"], name="attachment_target")]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_kind="case", target_id__isnull=True) | (~Q(target_kind="case")
                                                                           & Q(target_id__isnull=False)),
                name="attachment_target_named_unless_the_case"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawn_reason="")
                | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawn_reason="")),
                name="attachment_withdrawn_with_who_when_and_why"),
        ]

    def __str__(self):
        return f"{self.title} ({self.case})"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def previewable(self) -> bool:
        return self.file_type in ("pdf", "png", "jpeg")

    @property
    def is_image(self) -> bool:
        return self.file_type in ("png", "jpeg")

    def get_absolute_url(self):
        return reverse("cases:attachment_detail", args=[self.case.reference, self.pk])
