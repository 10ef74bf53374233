"""Contacts and case notes, drafts, addenda, scheduled visits, requests to override or
increase the contact requirement, and the stored monthly evaluation of the standard."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from casework.dates import day_label


class ContactKind(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face-to-face (in person)"
    SUPPORT = "support", "Support contact (school, health, counselling, youth justice…)"
    OTHER = "other", "Other (phone or video with the family, attempted visit)"
    NOTE = "note", "Case note (no contact)"


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video call"
    ATTEMPTED = "attempted", "Attempted visit (nobody seen)"
    NOT_APPLICABLE = "", "Not applicable"


class Location(models.TextChoices):
    PARENT_RESIDENCE = "parent_residence", "Parent's residence"
    CHILD_LIVING_ENVIRONMENT = "child_living_environment", "Child's living environment (placement / carer's home)"
    OFFICE = "office", "Office"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class MakerRole(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    SUPPORT_OFFICER = "support_officer", "Support officer"
    OTHER_STAFF = "other_staff", "Other Child Safety staff"
    PROVIDER = "provider", "Service provider"


class Contact(models.Model):
    """A contact with the family or with someone who holds information about them, or a
    case note. Facts (observations) are kept apart from the worker's assessment.

    ``maker_role`` is the maker's role when the contact happened, so a later change of
    role does not change what the contact counted for."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts")
    occurred_at = models.DateTimeField("Date and start time")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    mode = models.CharField(max_length=12, choices=ContactMode.choices, blank=True)
    maker_role = models.CharField(max_length=16, choices=MakerRole.choices)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="contacts_made", help_text="The staff member who made the contact")
    provider = models.ForeignKey("services.ServiceProvider", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="contacts")
    provider_worker = models.CharField("Provider worker's name", max_length=120, blank=True)
    other_party_name = models.CharField("Name of the person contacted", max_length=120, blank=True)
    other_party_organisation = models.CharField("Their organisation or role", max_length=120, blank=True)
    location = models.CharField(max_length=32, choices=Location.choices, blank=True)
    location_person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", help_text="Whose residence")
    location_details = models.CharField(max_length=160, blank=True)
    announced = models.BooleanField(default=True)
    interpreter_used = models.BooleanField(default=False)
    purpose = models.CharField("Purpose (goal of the contact)", max_length=300, blank=True)
    observations = models.TextField("Observations and facts", blank=True)
    assessment = models.TextField("Worker's assessment and opinion", blank=True)
    safety_concerns = models.TextField("Safety concerns identified", blank=True)
    safety_actions = models.TextField("Actions taken about safety", blank=True)
    next_visit_on = models.DateField("Next visit agreed", null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts_recorded")
    recorded_at = models.DateTimeField(help_text="When the contact was recorded")
    recorded_late = models.BooleanField(default=False, help_text="Recorded more than the allowed working days after")
    updated_at = models.DateTimeField(auto_now=True)
    # Issue 16: a contact typed offline carries a key its page made up, so sending it again
    # (the answer was lost, the page synced twice) answers the saved contact, not a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False,
                                       help_text="Key the recording page gave this contact (offline recording)")
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False,
                                               help_text="SHA-256 of the request that recorded it")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "occurred_at"])]
        constraints = [
            models.UniqueConstraint(fields=["author", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="contact_idempotency_key_once_per_author"),
            models.CheckConstraint(
                condition=~Q(maker_role="provider") | Q(provider__isnull=False),
                name="provider_contact_names_provider",
            ),
            models.CheckConstraint(
                condition=Q(maker_role="provider") | Q(made_by__isnull=False),
                name="staff_contact_names_staff_member",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {day_label(timezone.localtime(self.occurred_at))} ({self.case.reference})"

    def get_absolute_url(self):
        return reverse("contacts:detail", args=[self.pk])


class ContactParticipant(models.Model):
    """A member of the case who took part in a contact; for a child, whether they were seen alone."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey("cases.CaseMember", on_delete=models.PROTECT, related_name="contact_participations")
    seen_alone = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "member"], name="participant_once_per_contact")]


class Addendum(models.Model):
    """A dated correction or addition to a saved contact; the original stays as it was."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    reason = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"


class ContactCorrection(models.Model):
    """A correction of a contact within its edit window: who, when, and each changed field
    as people read it, before → after (``changes``: a list of [label, before, after])."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="corrections")
    corrected_at = models.DateTimeField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["corrected_at", "pk"]


class ContactDraft(models.Model):
    """What a worker has typed into a contact form and not yet saved. Drafts never count
    toward the standard; they are listed for their author to finish."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="contact_drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_drafts")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Draft contact for {self.case.reference}"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    MISSED = "missed", "Missed (no contact recorded)"


class VisitPlace(models.TextChoices):
    HOME = "home", "At home (where the child or the parent lives)"
    OTHER = "other", "Another place"


class ScheduledVisitQuerySet(models.QuerySet):
    def with_state(self, today: dt.date):
        """Each visit with ``state``: its status, except that a planned visit whose day has
        passed (agency time) is already "missed" before the daily task marks it so."""
        return self.annotate(state=models.Case(
            models.When(status=VisitStatus.PLANNED, scheduled_for__lt=today, then=models.Value(VisitStatus.MISSED)),
            default=models.F("status"), output_field=models.CharField()))


class ScheduledVisit(models.Model):
    """A visit planned for a date (and a time), on the caseworker's list and calendar until
    done, cancelled or missed: agreed in a contact ("Next visit agreed") or planned from what
    the case still needs this month (with whom, where, why). Each reschedule and the
    cancellation are kept in ``changes`` (who, when, from, to, why), besides the row history."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="scheduled_visits")
    scheduled_for = models.DateField("Date")
    scheduled_time = models.TimeField("Time", null=True, blank=True, help_text="Agency time; empty for any time")
    agreed_in = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    done_in = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_reason = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField("cases.CaseMember", blank=True, related_name="planned_visits",
                                     verbose_name="With whom")
    place = models.CharField("Where", max_length=8, choices=VisitPlace.choices, default=VisitPlace.HOME)
    place_details = models.CharField("Place details", max_length=160, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    requirement = models.CharField(max_length=40, blank=True,
                                   help_text="The requirement line it was planned from (a line code)")
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    planned_at = models.DateTimeField(null=True, blank=True)
    missed_on = models.DateField(null=True, blank=True, help_text="The agency day it was found missed")
    changes = models.JSONField(default=list, blank=True,
                               help_text="Reschedules and the cancellation: kind, at, by, from, to, reason")
    history = HistoricalRecords(m2m_fields=[members])

    objects = ScheduledVisitQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_for", "scheduled_time", "pk"]
        indexes = [models.Index(fields=["status", "scheduled_for"]),
                   models.Index(fields=["case", "scheduled_for"], name="visit_case_day")]

    def __str__(self):
        return f"Visit {self.case.reference} {self.scheduled_for:%Y-%m-%d}"


class CalendarFeed(models.Model):
    """A worker's secret calendar address (iCalendar): the random token in it is the only
    key, so whoever holds the address reads the feed without signing in. Revoking deletes
    the row (the address then answers 404); regenerating replaces the token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"Calendar feed of {self.user}"


class RequestKind(models.TextChoices):
    OVERRIDE = "override", "Discretionary override"
    INCREASE = "increase", "Increased contact"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RequirementChange(models.Model):
    """A request to override (any counts, for unique circumstances) or increase (above the
    standard) a case's contact requirement for a run of months. Only approved requests apply."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="requirement_changes")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    first_month = models.DateField(help_text="First day of the first month")
    last_month = models.DateField(help_text="First day of the last month")
    counts = models.JSONField(help_text="Adjusted counts by requirement (see contacts.rules.ADJUSTABLE)")
    reason = models.TextField(help_text="Unique circumstances (override) or rationale (increase)")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(last_month__gte=models.F("first_month")),
                                   name="requirement_change_months_in_order"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_by__isnull=False),
                                   name="decided_request_names_decider"),
            models.CheckConstraint(condition=~Q(decided_by=models.F("requested_by")),
                                   name="nobody_decides_own_request"),
        ]


class MonthStatus(models.TextChoices):
    MET = "met", "Met"
    SHORT = "short", "Short"
    NOT_ASSESSABLE = "not_assessable", "Not assessable"
    NO_REQUIREMENT = "no_requirement", "No requirement"


class CaseMonth(models.Model):
    """The stored evaluation of the contact standard for one case and one month. Every
    page, alert, e-mail and export reads these rows, so none can disagree."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="contact_months")
    month = models.DateField(help_text="First day of the month")
    status = models.CharField(max_length=16, choices=MonthStatus.choices)
    at_risk = models.BooleanField(default=False, help_text="Still short and what is needed will not fit comfortably "
                                                            "in the days left of the month")
    case_type = models.CharField(max_length=24, blank=True)
    risk_level = models.CharField(max_length=10, blank=True)
    required_total = models.PositiveIntegerField(default=0)
    achieved_total = models.PositiveIntegerField(default=0)
    lines = models.JSONField(default=list)
    not_counted = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    # Lines of another standard shown with the month's, never counted in its status (visit the carer).
    separate_lines = models.JSONField(default=list, blank=True)
    not_assessable_reason = models.CharField(max_length=200, blank=True)
    adjustment = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField()
    # What "at risk" needs, kept so the nightly run can refresh it as the days pass without
    # evaluating the month again (contacts.recompute.at_risk_refresh).
    visits_needed = models.PositiveIntegerField(default=0, help_text="The most face-to-face visits any one person "
                                                                     "still needed when computed")
    support_needed = models.PositiveIntegerField(default=0, help_text="Support contacts still needed when computed")
    rules_fingerprint = models.CharField(max_length=16, blank=True, help_text="The rules and settings the result was "
                                                                              "computed with (contacts.results."
                                                                              "rules_fingerprint); another one makes "
                                                                              "the nightly run compute it again")
    # The US federal monthly caseworker-visit measure (contacts.federal), computed with the
    # standard from the same facts and frozen with it: counts to sum, and the child-months.
    federal_children = models.PositiveSmallIntegerField(default=0, help_text="Children in care all month")
    federal_visited = models.PositiveSmallIntegerField(default=0, help_text="Of those, seen by a caseworker")
    federal_at_residence = models.PositiveSmallIntegerField(default=0, help_text="Of those, seen in their residence")
    federal = models.JSONField(default=list, blank=True, help_text="The child-months (contacts.federal.ChildMonth)")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the month was closed and frozen")
    result_at_close = models.JSONField(null=True, blank=True,
                                       help_text="The result as frozen at close, kept when a late contact amends it")
    amended_at = models.DateTimeField(null=True, blank=True)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["case", "month"], name="one_result_per_case_month")]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self):
        return f"{self.case_id} {self.month:%Y-%m}: {self.status}"


class CaseMonthAmendment(models.Model):
    """One explicit change to a closed month: a late contact, a correction or addendum, or an
    approved override or increase. The month's result as closed (``CaseMonth.result_at_close``)
    plus its amendments in order is its result now, so nothing about a closed month changes
    unrecorded."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="month_amendments")
    month = models.DateField(help_text="First day of the month")
    amended_at = models.DateTimeField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    result_before = models.JSONField(help_text="Status and counts before the amendment")
    result_after = models.JSONField(help_text="Status and counts after the amendment")

    class Meta:
        ordering = ["amended_at", "pk"]
        indexes = [models.Index(fields=["case", "month"])]

    def __str__(self):
        return f"{self.case_id} {self.month:%Y-%m} amended {self.amended_at:%Y-%m-%d}"


class PendingRecompute(models.Model):
    """A case-month whose stored result must be recomputed because something it depends on
    changed (a contact saved, corrected or amended, an approved requirement change, a
    referral's involvement). Written in the same transaction as the change, so a broker
    outage cannot lose it: the queued task removes it when done, and the nightly run
    recomputes whatever is left."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text="Whose change it was (a closed month is "
                                                                 "marked amended by them)")
    reason = models.CharField(max_length=300, blank=True,
                              help_text="Why a closed month may change (a late contact, an approved request); "
                                        "without one a closed month stays as it was closed")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "month"], name="one_pending_recompute_per_case_month")]

    def __str__(self):
        return f"{self.case_id} {self.month:%Y-%m} (since {self.requested_at:%Y-%m-%d %H:%M})"


class RunKind(models.TextChoices):
    NIGHTLY = "nightly", "Nightly recompute"
    MANUAL = "manual", "Recompute now"
    MONTH_CLOSE = "month_close", "Month close"


def chunk_stale_after() -> dt.timedelta:
    """How long a chunk may go without progress before it counts as lost."""
    return dt.timedelta(minutes=settings.COMPLIANCE_CHUNK_STALE_MINUTES)


def _stale(now: dt.datetime, via: str = "") -> Q:
    """An unfinished chunk last sent and last started before the cutoff (``via="chunks__"``
    from its run)."""
    cutoff = now - chunk_stale_after()
    return Q(**{f"{via}finished_at__isnull": True, f"{via}sent_at__lt": cutoff}) & (
        Q(**{f"{via}started_at__isnull": True}) | Q(**{f"{via}started_at__lt": cutoff}))


class ComplianceRunQuerySet(models.QuerySet):
    def with_progress(self, now: dt.datetime):
        """Each run with ``stuck_chunks`` (chunks without progress, see RunChunk) and
        ``most_sends`` (the most sends of any of its chunks), in the same query."""
        return self.annotate(stuck_chunks=models.Count("chunks", filter=_stale(now, via="chunks__")),
                             most_sends=models.Max("chunks__sends"))


class ComplianceRun(models.Model):
    """One run of the compliance scheduler, split into chunks (one per team, ``RunChunk``)
    that workers process in parallel. A nightly run is unique per day, so two beat instances
    cannot both run it. A run ends either finished (every chunk done) or failed (a chunk
    the watchdog sent COMPLIANCE_CHUNK_MAX_SENDS times never finished); the counters are
    moved only by the chunk that wins its conditional update, so a chunk delivered twice
    counts once."""

    kind = models.CharField(max_length=12, choices=RunKind.choices)
    month = models.DateField(help_text="First day of the month computed")
    run_on = models.DateField(help_text="Agency date the run was started for")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_chunks = models.PositiveIntegerField(default=0)
    done_chunks = models.PositiveIntegerField(default=0)
    cases_processed = models.PositiveIntegerField(default=0, help_text="Case-months computed (a nightly run computes "
                                                                      "only those that changed)")
    errors = models.JSONField(default=list, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="When the watchdog gave up on the run")
    failure_reason = models.CharField(max_length=500, blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = ComplianceRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "run_on", "month"], condition=~Q(kind="manual"),
                                    name="one_scheduled_run_per_day_and_month"),
            models.CheckConstraint(condition=Q(finished_at__isnull=True) | Q(failed_at__isnull=True),
                                   name="run_finished_or_failed_not_both"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.month:%Y-%m} ({self.run_on})"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_chunks else round(100 * self.done_chunks / self.total_chunks)

    @property
    def state(self) -> str:
        """failed, finished, stuck (some chunk without progress; needs ``with_progress``) or running."""
        if self.failed_at:
            return "failed"
        if self.finished_at:
            return "finished"
        return "stuck" if getattr(self, "stuck_chunks", 0) else "running"


class RunChunkQuerySet(models.QuerySet):
    def stale(self, now: dt.datetime):
        """Chunks of open runs without progress (sent or started) for COMPLIANCE_CHUNK_STALE_MINUTES."""
        return self.filter(_stale(now), run__finished_at__isnull=True, run__failed_at__isnull=True)


class RunChunk(models.Model):
    """One team's part of a run — in a nightly run, which computes only what changed, the
    part of consecutive teams from ``team`` up to the next chunk's team (see
    contacts.compliance.chunk_cases) — when it was last sent to the queue and how often, when a
    worker last started it, and when it finished. Finishing is a conditional update
    (``finished_at`` still empty), so a chunk the broker or the watchdog delivers again
    counts once; the watchdog re-sends a chunk with no progress and fails the run after
    COMPLIANCE_CHUNK_MAX_SENDS sends."""

    run = models.ForeignKey(ComplianceRun, on_delete=models.CASCADE, related_name="chunks")
    team = models.ForeignKey("cases.Team", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(help_text="Last handed to the queue (or created, before the first send)")
    sends = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True, help_text="Last started by a worker")
    finished_at = models.DateTimeField(null=True, blank=True)
    cases_processed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    objects = RunChunkQuerySet.as_manager()

    class Meta:
        ordering = ["run", "team"]
        constraints = [models.UniqueConstraint(fields=["run", "team"], name="one_chunk_per_run_and_team")]
        # The watchdog reads only unfinished chunks: a few, among years of finished ones.
        indexes = [models.Index(fields=["sent_at"], condition=Q(finished_at__isnull=True), name="chunk_unfinished")]

    def __str__(self):
        return f"Run {self.run_id}, team {self.team_id}"
