"""Writes for contacts, case notes, drafts, scheduled visits, requirement changes, and
the stored monthly evaluation of the contact standard."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_raise, alert_resolve
from cases.models import Case, CaseMember, MemberRole, Role
from cases.permissions import Action, can, led_team_ids, records_in_case, require
from cases.services import CaseworkError
from casework.dates import day_label, moment_label
from casework.text import without_nul
from contacts import rules, workdays
from contacts.facts import load_month_facts, local_date
from contacts.models import (
    Addendum,
    CaseMonth,
    Contact,
    ContactCorrection,
    ContactDraft,
    ContactKind,
    ContactParticipant,
    Location,
    MakerRole,
    MonthStatus,
    PendingRecompute,
    RequestKind,
    RequestStatus,
    RequirementChange,
    ScheduledVisit,
    VisitStatus,
)
from contacts.results import evaluation_json, stored_result

log = logging.getLogger(__name__)


# --- Validation shared by the form, the API and the service ------------------------------


@dataclass
class ContactInput:
    """What a worker enters for a contact (the form and the API both produce this)."""

    occurred_at: dt.datetime
    kind: str
    mode: str = ""
    duration_minutes: int | None = None
    made_by: object | None = None  # a staff User, or None when a provider made it
    provider: object | None = None
    provider_worker: str = ""
    other_party_name: str = ""
    other_party_organisation: str = ""
    location: str = ""
    location_person: object | None = None
    location_details: str = ""
    announced: bool = True
    interpreter_used: bool = False
    purpose: str = ""
    observations: str = ""
    assessment: str = ""
    safety_concerns: str = ""
    safety_actions: str = ""
    next_visit_on: dt.date | None = None
    participants: list = field(default_factory=list)  # CaseMember objects
    seen_alone: list = field(default_factory=list)  # CaseMember objects (children)


def contact_problems(case: Case, data: ContactInput) -> dict[str, str]:
    """Every rule a contact breaks, as {field: message}; empty when it may be saved."""
    problems: dict[str, str] = {}
    now = timezone.now()
    if data.occurred_at:
        day = local_date(data.occurred_at)
        if data.occurred_at > now:
            problems["occurred_at"] = "A contact cannot be dated in the future."
        elif day < case.opened_on:
            problems["occurred_at"] = f"The case opened on {day_label(case.opened_on)}; a contact cannot be earlier."
        elif case.closed_on and day > case.closed_on:
            problems["occurred_at"] = f"The case closed on {day_label(case.closed_on)}; a contact cannot be later."
    foreign = [m for m in data.participants if m.case_id != case.pk]
    if foreign:
        problems["participants"] = "Participants must be members of this case."
    elif data.occurred_at and "occurred_at" not in problems:
        day = local_date(data.occurred_at)
        absent = [m for m in data.participants if m.joined_on > day or (m.left_on and m.left_on < day)]
        if absent:
            problems["participants"] = (f"{', '.join(str(m.person) for m in absent)} did not belong to the case "
                                        f"on that date.")
    if data.kind == ContactKind.FACE_TO_FACE and not data.participants:
        problems["participants"] = "A face-to-face contact needs at least one participant."
    if data.kind == ContactKind.SUPPORT and not data.other_party_name.strip():
        problems["other_party_name"] = "Name the person the support contact was with."
    if data.made_by is None and data.provider is None:
        problems["provider"] = "Say who made the contact: a staff member or a service provider."
    if data.provider is not None and not data.provider_worker.strip():
        problems["provider_worker"] = "Name the provider's worker who made the contact."
    parent_ids = {m.person_id for m in case_members(case) if m.role == MemberRole.PARENT}
    if data.location == Location.PARENT_RESIDENCE and data.location_person is None:
        problems["location_person"] = "Choose which parent's residence."
    elif data.location_person is not None and data.location_person.pk not in parent_ids:
        problems["location_person"] = "Choose a parent of this case."
    not_children = [m for m in data.seen_alone if m.role != MemberRole.CHILD]
    if not_children:
        problems["seen_alone"] = "Only children are marked as seen alone."
    elif any(m not in data.participants for m in data.seen_alone):
        problems["seen_alone"] = "A child seen alone must also be ticked as a participant."
    if data.next_visit_on and data.occurred_at and data.next_visit_on < local_date(data.occurred_at):
        problems["next_visit_on"] = "The next visit cannot be before this contact."
    return problems


def case_members(case: Case):
    cached = getattr(case, "_members_cache", None)
    if cached is None:
        cached = list(CaseMember.objects.filter(case=case).select_related("person"))
        case._members_cache = cached
    return cached


def maker_role_of(user) -> str:
    if user is None:
        return MakerRole.PROVIDER
    return {Role.CASEWORKER: MakerRole.CASEWORKER, Role.SUPPORT_OFFICER: MakerRole.SUPPORT_OFFICER}.get(
        user.role, MakerRole.OTHER_STAFF)


def is_recorded_late(occurred_on: dt.date, recorded_on: dt.date) -> bool:
    return workdays.working_days_after(occurred_on, recorded_on) > settings.CONTACT_LATE_AFTER_WORKING_DAYS


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], rules.month_start(first)
    while month <= rules.month_start(last):
        months.append(month)
        month = rules.add_months(month, 1)
    return months


# --- Contacts ------------------------------------------------------------------------------

_CONTACT_FIELDS = [
    "occurred_at", "kind", "mode", "duration_minutes", "made_by", "provider", "provider_worker", "other_party_name",
    "other_party_organisation", "location", "location_person", "location_details", "announced", "interpreter_used",
    "purpose", "observations", "assessment", "safety_concerns", "safety_actions", "next_visit_on",
]


def _check(user, case: Case, data: ContactInput) -> None:
    problems = contact_problems(case, data)
    if problems:
        raise CaseworkError(" ".join(problems.values()))
    # The form and the API offer only these; a caller that bypasses them is refused the same.
    if data.provider is None and data.made_by is not None and not records_in_case(user, case, "staff").filter(
            pk=data.made_by.pk).exists():
        raise CaseworkError("A contact is made by the case's caseworker, a member or leader of its team, or you.")


def _write_participants(contact: Contact, data: ContactInput) -> None:
    ContactParticipant.objects.filter(contact=contact).delete()
    alone = {m.pk for m in data.seen_alone}
    ContactParticipant.objects.bulk_create([
        ContactParticipant(contact=contact, member=m, seen_alone=m.pk in alone) for m in data.participants
    ])


@transaction.atomic
def contact_record(*, user, case: Case, data: ContactInput, draft: ContactDraft | None = None,
                   idempotency_key=None, idempotency_fingerprint: str = "") -> Contact:
    """Save a contact (or case note), finish its draft, schedule the next visit, and queue
    the recompute of the month it falls in. With ``idempotency_key`` (offline recording) a
    second contact of the same author and key is refused by the database."""
    require(user, Action.EDIT, case)
    _check(user, case, data)
    now = timezone.now()
    contact = Contact(case=case, author=user, recorded_at=now,
                      maker_role=maker_role_of(data.made_by) if data.provider is None else MakerRole.PROVIDER,
                      idempotency_key=idempotency_key, idempotency_fingerprint=idempotency_fingerprint,
                      **{name: getattr(data, name) for name in _CONTACT_FIELDS})
    if data.provider is not None:
        contact.made_by = None
    contact.recorded_late = is_recorded_late(local_date(data.occurred_at), local_date(now))
    contact.save()
    _write_participants(contact, data)
    if data.kind == ContactKind.FACE_TO_FACE:
        # A visit recorded after its day was found missed was not missed after all.
        ScheduledVisit.objects.filter(case=case, status__in=[VisitStatus.PLANNED, VisitStatus.MISSED],
                                      scheduled_for__lte=local_date(data.occurred_at)).update(
            status=VisitStatus.DONE, done_in=contact)
    if data.next_visit_on:
        ScheduledVisit.objects.create(case=case, scheduled_for=data.next_visit_on, agreed_in=contact,
                                      planned_by=user, planned_at=now)
    if draft is not None:
        if draft.author_id != user.pk or draft.case_id != case.pk:
            raise CaseworkError("This draft belongs to someone else.")
        draft.delete()
    day = local_date(data.occurred_at)
    queue_recompute(case.pk, months_a_contact_changes(day, data.kind), by=user,
                    reason=f"Contact of {day_label(day)} recorded on {day_label(local_date(now))}")
    return contact


def months_a_contact_changes(day: dt.date, kind: str, *more: tuple[dt.date, str]) -> list[dt.date]:
    """The months whose result a contact on ``day`` can change (and of ``more`` (day, kind)
    pairs, e.g. what a correction replaced): its own, and for a face-to-face contact every
    month after it up to this one, which look back on it for the yearly visit with a
    long-term guardian (contacts.facts.GUARDIAN_LOOKBACK_MONTHS)."""
    today = timezone.localdate()
    months = set()
    for on, contact_kind in ((day, kind), *more):
        months.update(months_between(on, max(on, today)) if contact_kind == ContactKind.FACE_TO_FACE else
                      [rules.month_start(on)])
    return sorted(months)


def editable_until(contact: Contact) -> dt.datetime:
    return contact.recorded_at + dt.timedelta(hours=settings.CASE_NOTE_EDIT_HOURS)


def contact_is_locked(contact: Contact, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= editable_until(contact)


def _as_read(contact: Contact) -> dict[str, str]:
    """A contact's fields as people read them: the before and after of a correction."""
    people = list(ContactParticipant.objects.filter(contact=contact).select_related("member__person")
                  .order_by("member__role", "member_id"))
    where = " ".join(filter(None, [contact.get_location_display(),
                                   f"({contact.location_person})" if contact.location_person else "",
                                   contact.location_details]))
    made_by = (f"{contact.provider_worker}, {contact.provider}".strip(", ") if contact.provider
               else str(contact.made_by or ""))
    return {
        "Date and start time": moment_label(timezone.localtime(contact.occurred_at)),
        "Kind": contact.get_kind_display(), "How": contact.get_mode_display(),
        "Duration": f"{contact.duration_minutes} min" if contact.duration_minutes else "",
        "Participants": ", ".join(str(p.member.person) for p in people),
        "Seen alone": ", ".join(str(p.member.person) for p in people if p.seen_alone),
        "Where": where, "Made by": made_by,
        "Person contacted": ", ".join(filter(None, [contact.other_party_name, contact.other_party_organisation])),
        "Announced": "Announced" if contact.announced else "Unannounced",
        "Interpreter used": "Yes" if contact.interpreter_used else "No",
        "Purpose": contact.purpose, "Observations and facts": contact.observations,
        "Assessment and opinion": contact.assessment, "Safety concerns": contact.safety_concerns,
        "Actions taken about safety": contact.safety_actions,
        "Next visit agreed": f"{day_label(contact.next_visit_on)}" if contact.next_visit_on else "",
    }


@transaction.atomic
def contact_update(*, user, contact: Contact, data: ContactInput) -> Contact:
    """Correct a contact within the edit window; afterwards only addenda are possible."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    require(user, Action.EDIT, contact.case)
    if contact.author_id != user.pk:
        raise CaseworkError("Only the person who recorded this contact can change it; add an addendum instead.")
    if contact_is_locked(contact):
        raise CaseworkError(f"This record was locked {settings.CASE_NOTE_EDIT_HOURS} hours after it was saved. "
                            "Add an addendum with the correction and the reason.")
    _check(user, contact.case, data)
    old_day, old_kind = local_date(contact.occurred_at), contact.kind
    before = _as_read(contact)
    for name in _CONTACT_FIELDS:
        setattr(contact, name, getattr(data, name))
    contact.maker_role = maker_role_of(data.made_by) if data.provider is None else MakerRole.PROVIDER
    if data.provider is not None:
        contact.made_by = None
    contact.save()
    _write_participants(contact, data)
    after = _as_read(contact)
    changes = [[label, before[label], after[label]] for label in before if before[label] != after[label]]
    if changes:
        ContactCorrection.objects.create(contact=contact, corrected_at=timezone.now(), corrected_by=user,
                                         changes=changes)
    queue_recompute(contact.case_id, months_a_contact_changes(local_date(contact.occurred_at), contact.kind,
                                                              (old_day, old_kind)),
                    by=user, reason=f"Contact of {day_label(old_day)} corrected")
    return contact


@transaction.atomic
def addendum_add(*, user, contact: Contact, text: str, reason: str) -> Addendum:
    require(user, Action.EDIT, contact.case)
    if not text.strip():
        raise CaseworkError("Write the correction or addition.")
    if not reason.strip():
        raise CaseworkError("Give the reason for the addendum.")
    addendum = Addendum.objects.create(contact=contact, text=text.strip(), reason=reason.strip(), author=user)
    day = local_date(contact.occurred_at)
    queue_recompute(contact.case_id, [day], by=user, reason=f"Addendum to the contact of {day_label(day)}: {addendum.reason}")
    return addendum


@transaction.atomic
def case_note_add(*, user, case: Case, subject: str, text: str) -> Contact:
    """A case note without a contact (decisions, rationale, information received)."""
    return contact_record(user=user, case=case, data=ContactInput(
        occurred_at=timezone.now(), kind=ContactKind.NOTE, made_by=user, purpose=subject, observations=text,
    ))


# --- Drafts -------------------------------------------------------------------------------

@transaction.atomic
def draft_save(*, user, case: Case, data: dict, draft: ContactDraft | None = None) -> ContactDraft:
    """Keep what the worker has typed so far; only its author can see or change a draft.

    The same typing can arrive more than once without the draft's id, at the same moment (the
    beacon sent as the form closed and the next page's copy of it; an offline contact sent
    again): it carries the form's ``draft_key`` or the API's ``idempotency_key``, and with the
    case's row locked it finds the draft made by the first."""
    require(user, Action.EDIT, case)
    clean = {k: without_nul(v) for k, v in data.items() if k not in ("csrfmiddlewaretoken", "draft")}
    if draft is None:
        draft = _draft_sent_before(user=user, case=case, data=clean)
    if draft is None:
        return ContactDraft.objects.create(case=case, author=user, data=clean)
    if draft.author_id != user.pk or draft.case_id != case.pk:
        raise CaseworkError("This draft belongs to someone else.")
    draft.data = clean
    draft.save(update_fields=["data", "updated_at"])
    return draft


SAME_TYPING_KEYS = ("draft_key", "idempotency_key")


def _draft_sent_before(*, user, case: Case, data: dict) -> ContactDraft | None:
    keys = {name: data[name] for name in SAME_TYPING_KEYS if isinstance(data.get(name), str) and data[name]}
    if not keys:
        return None
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))  # one at a time per case
    name, value = next(iter(keys.items()))
    return ContactDraft.objects.filter(case=case, author=user, **{f"data__{name}": value}).first()


@transaction.atomic
def draft_discard(*, user, draft: ContactDraft) -> None:
    if draft.author_id != user.pk:
        raise CaseworkError("This draft belongs to someone else.")
    draft.delete()


# --- Scheduled visits -----------------------------------------------------------------------

@transaction.atomic
def scheduled_visits_cancel(*, user, case: Case, reason: str) -> int:
    """Cancel every planned visit of a case (e.g. when it closes); returns how many."""
    if not reason.strip():
        raise CaseworkError("Give the reason for cancelling the visits.")
    return ScheduledVisit.objects.filter(case=case, status=VisitStatus.PLANNED).update(
        status=VisitStatus.CANCELLED, cancelled_reason=reason.strip())


# --- Overrides and increases ----------------------------------------------------------------

def _standard_counts(case: Case, month: dt.date) -> dict[str, int]:
    """The standard's count for each adjustable requirement of ``case`` in ``month``."""
    facts = load_month_facts(Case.objects.filter(pk=case.pk), month)[case.pk]
    evaluation = rules.evaluate(facts._replace(adjustments=()))
    counts: dict[str, int] = {}
    for line in evaluation.lines:
        key = rules._adjustment_key(line.code, line.role)
        if key:
            counts[key] = max(counts.get(key, 0), line.required)
    return counts


@transaction.atomic
def requirement_change_request(*, user, case: Case, kind: str, first_month: dt.date, last_month: dt.date,
                               counts: dict[str, int], reason: str) -> RequirementChange:
    require(user, Action.EDIT, case)
    if user.role not in (Role.CASEWORKER, Role.TEAM_LEADER):
        raise CaseworkError("Only a caseworker or a team leader can request a change to the contact requirement.")
    if kind == RequestKind.OVERRIDE and user.role != Role.CASEWORKER:
        raise CaseworkError("An override is requested by the caseworker and approved by a team leader.")
    first_month, last_month = rules.month_start(first_month), rules.month_start(last_month)
    if last_month < first_month:
        raise CaseworkError("The last month cannot be before the first month.")
    if last_month > rules.add_months(first_month, 11):
        raise CaseworkError("A request covers at most 12 months; ask again after reviewing the case.")
    if rules.month_end(first_month) < case.opened_on:
        raise CaseworkError("The case was not open in the first month.")
    counts = {k: int(v) for k, v in counts.items() if v is not None}
    if not counts:
        raise CaseworkError("Give at least one adjusted count.")
    if unknown := set(counts) - set(rules.ADJUSTABLE):
        raise CaseworkError(f"Unknown requirement: {', '.join(sorted(unknown))}.")
    if any(v < 0 or v > 31 for v in counts.values()):
        raise CaseworkError("Counts must be between 0 and 31 a month.")
    if not reason.strip():
        raise CaseworkError("Describe the unique circumstances (override) or the rationale (increase).")
    if kind == RequestKind.INCREASE:
        standard = _standard_counts(case, first_month)
        lower = [rules.ADJUSTABLE[k] for k, v in counts.items() if v <= standard.get(k, 0)]
        if lower:
            raise CaseworkError("An increase must be above the standard for: " + "; ".join(lower)
                                + ". Use an override to lower a requirement.")
    existing = (RequirementChange.objects.filter(case=case, kind=kind, first_month__lte=last_month,
                                                 last_month__gte=first_month,
                                                 status__in=[RequestStatus.PENDING, RequestStatus.APPROVED])
                .select_related("requested_by").order_by("first_month").first())
    if existing:
        raise CaseworkError(
            f"{existing.get_kind_display()} {_months_label(existing.first_month, existing.last_month)}, requested by "
            f"{existing.requested_by} on {day_label(timezone.localtime(existing.requested_at))} "
            f"({existing.get_status_display().lower()}), already covers "
            f"{'some of ' if (existing.first_month, existing.last_month) != (first_month, last_month) else ''}"
            "these months. Ask for months it does not cover.")
    change = RequirementChange.objects.create(case=case, kind=kind, first_month=first_month, last_month=last_month,
                                              counts=counts, reason=reason.strip(), requested_by=user)
    leaders = [u for u in case.team.leaders.all() if u.pk != user.pk]
    alert_raise(key=f"requirement-change:{change.pk}", kind=AlertKind.APPROVAL_PENDING, case=case,
                title=f"{case.reference}: {change.get_kind_display().lower()} awaiting approval",
                link=f"/contacts/approvals/#request-{change.pk}", recipients=leaders, month=first_month)
    return change


def _months_label(first: dt.date, last: dt.date) -> str:
    return f"{first:%b %Y}" + (f" to {last:%b %Y}" if last != first else "")


@dataclass
class ClosedMonthEffect:
    """What approving a request would do to one closed month of its case."""

    month: dt.date
    as_closed: dict  # the result as it stands now (as closed, or as last amended)
    would_become: dict

    @property
    def changes(self) -> bool:
        keys = ("status", "required_total", "achieved_total")
        return any(self.as_closed.get(k) != self.would_become.get(k) for k in keys)


def requirement_changes_effects(changes: list[RequirementChange]) -> dict[int, list[ClosedMonthEffect]]:
    """``requirement_change_effects`` of several requests (an approvals page): one query
    finds the closed months; only the requests that reach into one are evaluated."""
    closed = defaultdict(list)
    if changes:
        for row in CaseMonth.objects.filter(case_id__in={c.case_id for c in changes}, closed_at__isnull=False,
                                            month__gte=min(c.first_month for c in changes),
                                            month__lte=max(c.last_month for c in changes)):
            closed[row.case_id].append(row)
    return {change.pk: requirement_change_effects(change, closed_rows=closed[change.case_id]) for change in changes}


@dataclass(frozen=True)
class LineChange:
    """One requirement line of a month: what the standard asks now and with a request applied."""

    description: str
    now: int
    would_be: int

    @property
    def changes(self) -> bool:
        return self.now != self.would_be


def requirement_previews(requests) -> list[list[LineChange]]:
    """For each (case, month, kind, counts): every requirement line of that case-month, as
    required now and as it would be with the request approved (the request form's preview and
    the approvals page). One load of the facts per distinct month, however many requests."""
    by_month = defaultdict(set)
    for case, month, _, _ in requests:
        by_month[rules.month_start(month)].add(case.pk)
    facts = {month: load_month_facts(Case.objects.filter(pk__in=ids), month) for month, ids in by_month.items()}
    previews = []
    for case, month, kind, counts in requests:
        base = facts[rules.month_start(month)][case.pk]
        now = rules.evaluate(base)
        proposed = rules.Adjustment(kind, {k: int(v) for k, v in counts.items()}, "this request")
        after = {(line.code, line.member_id): line.required
                 for line in rules.evaluate(base._replace(adjustments=(proposed, *base.adjustments))).lines}
        previews.append([LineChange(line.description, line.required, after.get((line.code, line.member_id), 0))
                         for line in now.lines])
    return previews


def requirement_change_effects(change: RequirementChange, *, closed_rows=None) -> list[ClosedMonthEffect]:
    """The closed months a pending request touches and what each would become if it were
    approved now: shown to the approver, who must confirm an amendment of closed months."""
    if closed_rows is None:
        closed_rows = CaseMonth.objects.filter(case_id=change.case_id, closed_at__isnull=False)
    closed = {row.month: row for row in closed_rows if change.first_month <= row.month <= change.last_month}
    effects = []
    proposed = rules.Adjustment(change.kind, {k: int(v) for k, v in change.counts.items()}, "this approval", change.pk)
    for month, row in sorted(closed.items()):
        facts = load_month_facts(Case.objects.filter(pk=change.case_id), month)[change.case_id]
        evaluation = rules.evaluate(facts._replace(adjustments=(proposed, *facts.adjustments)))
        effects.append(ClosedMonthEffect(month, stored_result(row), evaluation_json(evaluation)))
    return effects


@transaction.atomic
def requirement_change_decide(*, user, change: RequirementChange, approve: bool, comment: str = "",
                              amend_closed: bool = False) -> RequirementChange:
    """A team leader of the case's team approves or rejects a pending request (not their own).
    Approving a request that would change a closed month needs ``amend_closed``: the
    approver has been shown those months and what each becomes (requirement_change_effects)."""
    case = change.case
    require(user, Action.VIEW, case)
    if case.team_id not in led_team_ids(user):
        raise CaseworkError("Only a team leader of the case's team can decide this request.")
    if change.requested_by_id == user.pk:
        raise CaseworkError("Nobody approves their own request.")
    if not approve and not comment.strip():
        raise CaseworkError("Say why the request is rejected.")
    if approve and not amend_closed:
        changed = [e for e in requirement_change_effects(change) if e.changes]
        if changed:
            raise CaseworkError(
                "Approving this request changes closed months: "
                + "; ".join(f"{e.month:%B %Y} from {_status_words(e.as_closed)} to {_status_words(e.would_become)}"
                            for e in changed)
                + ". Confirm that these closed months are to be amended, or reject the request.")
    status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    won = RequirementChange.objects.filter(pk=change.pk, status=RequestStatus.PENDING).update(
        status=status, decided_by=user, decided_at=timezone.now(), decision_comment=comment.strip())
    if not won:
        raise CaseworkError("This request has already been decided.")
    change.refresh_from_db()
    alert_resolve(key=f"requirement-change:{change.pk}")
    if approve and change.kind == RequestKind.INCREASE and change.last_month >= timezone.localdate().replace(day=1):
        # An increase answers a safety plan's call for additional contact (responses app).
        alert_resolve(key=additional_contact_alert_key(case.pk))
    if approve and change.kind == RequestKind.INCREASE:
        months = _months_label(change.first_month, change.last_month)
        case_note_add(user=user, case=case, subject="Increased contact approved",
                      text=f"Increased contact approved for {months}: "
                           + "; ".join(f"{rules.ADJUSTABLE[k]}: {v}" for k, v in change.counts.items())
                           + f". Rationale: {change.reason}")
    if approve:
        today = timezone.localdate()
        queue_recompute(case.pk, [m for m in months_between(change.first_month, change.last_month) if m <= today],
                        by=user, reason=f"{change.get_kind_display()} approved: {change.reason}")
    return change


def additional_contact_alert_key(case_id: int) -> str:
    """The alert that a safety plan for a child's safe return home asks for more contact than
    the standard (raised and resolved by the responses app; resolved here by an increase)."""
    return f"additional-contact:{case_id}"


def _status_words(result: dict) -> str:
    label = dict(MonthStatus.choices).get(result.get("status"), result.get("status"))
    return f"{label} ({result.get('achieved_total')} of {result.get('required_total')})"


def queue_recompute(case_id: int, days, *, by=None, reason: str = "") -> None:
    """Record, in the caller's transaction, that the case's months containing ``days`` need
    a recompute, and after the commit queue it. The request never waits for a worker; if
    the broker is down, the nightly run finds the record and catches up.

    With ``by`` and a ``reason`` (a late contact, an approved request) a closed month among
    them is amended and the amendment recorded; without, closed months stay as closed. A
    request without a reason never replaces the person and reason of one already waiting."""
    from contacts.tasks import recompute_case_months

    months = sorted({rules.month_start(d) for d in days})
    now = timezone.now()
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(case_id=case_id, month=month, requested_at=now, requested_by=by, reason=reason[:300])
         for month in months],
        update_conflicts=True, unique_fields=["case", "month"],
        update_fields=["requested_at", "requested_by", "reason"] if reason else ["requested_at"])
    iso_months = [month.isoformat() for month in months]
    by_id = by.pk if by is not None else None

    def send():
        try:
            recompute_case_months.delay(case_id, iso_months, by_id, reason[:300])
        except Exception:  # noqa: BLE001 — a broker outage must never lose the contact itself
            log.warning("Could not queue the recompute of case %s; the nightly run will catch up.", case_id,
                        exc_info=True)

    transaction.on_commit(send)


def case_facts_changed(*, case_id: int, since: dt.date, by=None) -> None:
    """Told by the cases app (cases.extensions.facts_changed) that a fact of the case changed
    from ``since``: every month from then to this one needs a recompute."""
    today = timezone.localdate()
    queue_recompute(case_id, months_between(min(since, today), today), by=by)


def can_request_changes(user, case) -> bool:
    return can(user, Action.EDIT, case) and user.role in (Role.CASEWORKER, Role.TEAM_LEADER)
