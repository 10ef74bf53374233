"""Every write of responding to new information. Keyword-only, atomic, one domain error
(``CaseworkError``) with a human message; access through cases/permissions.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from alerts.models import AlertKind
from alerts.services import alert_raise, alert_resolve
from cases.locking import claim
from cases.models import Case, CaseMember, Person, Phase, User
from cases.permissions import (
    Action,
    can,
    inbound_reviewers,
    may_review_inbound,
    require,
    visible_cases,
    visible_inbound_messages,
)
from cases.services import CaseworkError, case_update
from casework.dates import day_label
from casework.text import without_nul
from contacts import workdays
from contacts.services import additional_contact_alert_key
from responses import rules, selectors
from responses.models import (
    FormalReview,
    InboundMessage,
    InboundStatus,
    InformationKind,
    InformationSource,
    NoIncreaseDecision,
    PlanStatus,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    RecordAlert,
    Response,
    ResponseStep,
    SafetyAssessment,
    SafetyDecision,
    SafetyPlan,
    SendingSystem,
    SupervisionReview,
)


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise CaseworkError(" ".join(m for messages in error.message_dict.values() for m in messages)) from error


def team_leader_ids(case: Case) -> list[int]:
    return list(User.objects.filter(led_teams=case.team_id, is_active=True).values_list("pk", flat=True))


def _team_leaders(case: Case):
    return User.objects.filter(led_teams=case.team_id, is_active=True)


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.reference])


# --- Record alerts ---------------------------------------------------------------------------


@transaction.atomic
def record_alert_create(*, user, case: Case, person: Person | None = None, category: str, severity: str, details: str,
                        starts_on: dt.date, review_on: dt.date | None = None,
                        ends_on: dt.date | None = None) -> RecordAlert:
    """An alert on ``case`` itself, or on ``person`` (who must belong to ``case``)."""
    require(user, Action.EDIT, case)
    if person is not None and not CaseMember.objects.filter(case=case, person=person).exists():
        raise CaseworkError("The person is not part of this case.")
    if not details.strip():
        raise CaseworkError("Describe the alert.")
    alert = RecordAlert(case=None if person else case, person=person, category=category, severity=severity,
                        details=details.strip(), starts_on=starts_on, review_on=review_on, ends_on=ends_on,
                        recorded_by=user)
    if review_on and review_on < starts_on:
        raise CaseworkError("The review date cannot be before the alert starts.")
    if ends_on and ends_on < starts_on:
        raise CaseworkError("The end date cannot be before the alert starts.")
    _full_clean(alert)
    alert.save()
    return alert


def _require_alert(user, alert: RecordAlert, case: Case) -> None:
    require(user, Action.EDIT, case)
    if alert.case_id != case.pk and not CaseMember.objects.filter(case=case, person_id=alert.person_id).exists():
        raise CaseworkError("This alert does not belong to this case.")
    if alert.ended_on:
        raise CaseworkError("This alert has ended already.")


@transaction.atomic
def record_alert_review(*, user, alert: RecordAlert, case: Case, next_review_on: dt.date | None,
                        details: str | None = None, lock_version: int) -> RecordAlert:
    """The alert was reviewed and stays: set its next review date (and update its details);
    refused if someone changed it since ``lock_version`` was read."""
    _require_alert(user, alert, case)
    claim(alert, lock_version, thing="alert")
    if next_review_on is None and alert.ends_on is None:
        raise CaseworkError("Give the next review date: an alert that stays must be looked at again.")
    if next_review_on and next_review_on <= timezone.localdate():
        raise CaseworkError("The next review date must be in the future.")
    alert.review_on = next_review_on
    if details is not None and details.strip():
        alert.details = details.strip()
    alert.save()
    alert_resolve(key=f"record-alert-review:{alert.pk}")
    return alert


@transaction.atomic
def record_alert_end(*, user, alert: RecordAlert, case: Case, reason: str, on: dt.date | None = None,
                     lock_version: int) -> RecordAlert:
    """End an alert with a reason; it stays in the history. Refused if changed since read."""
    _require_alert(user, alert, case)
    claim(alert, lock_version, thing="alert")
    if not reason.strip():
        raise CaseworkError("Give the reason the alert ends.")
    on = on or timezone.localdate()
    if on < alert.starts_on:
        raise CaseworkError("An alert cannot end before it started.")
    alert.ended_on, alert.ended_reason, alert.ended_by = on, reason.strip(), user
    alert.save()
    alert_resolve(key=f"record-alert-review:{alert.pk}")
    return alert


# --- Responses to new information -------------------------------------------------------------


def _due_hours(kind: str) -> list[int]:
    if kind == InformationKind.NEW_CONCERN:
        return list(settings.RESPONSES_NEW_CONCERN_DUE_HOURS)
    return list(settings.RESPONSES_COURT_ALERT_DUE_HOURS)


def _response_create(*, case: Case, kind: str, person: Person | None, received_at: dt.datetime, summary: str,
                     details: str, source: str, recorded_by=None) -> Response:
    response = Response.objects.create(case=case, kind=kind, person=person, received_at=received_at,
                                       summary=summary, details=details, source=source, recorded_by=recorded_by)
    due = rules.step_due_times(received_at, _due_hours(kind))
    ResponseStep.objects.bulk_create([ResponseStep(response=response, code=code, position=i, due_at=due[code])
                                      for i, code in enumerate(rules.STEPS)])
    kind_label = InformationKind(kind).label
    alert_raise(key=f"response:{response.pk}:received", kind=AlertKind.RESPONSE_STEP_DUE,
                title=f"{kind_label} received for case {case.reference}: respond",
                recipients=[case.caseworker, *_team_leaders(case)], case=case,
                link=reverse("responses:response_detail", args=[case.reference, response.pk]),
                due_on=timezone.localtime(due[rules.VIEW]).date())
    return response


def _check_information(case: Case, kind: str, person: Person | None, summary: str, received_at) -> None:
    if kind not in InformationKind.values:
        raise CaseworkError("Choose a new concern or a court alert.")
    if not case.is_open:
        raise CaseworkError(f"Case {case.reference} is closed.")
    if person is not None and not CaseMember.objects.filter(case=case, person=person).exists():
        raise CaseworkError("The person is not part of this case.")
    if not summary.strip():
        raise CaseworkError("Give a short summary of the information.")
    problem = rules.received_at_problem(received_at, now=timezone.now())
    if problem:
        raise CaseworkError(problem)


@transaction.atomic
def response_record(*, user, case: Case, kind: str, person: Person | None, summary: str, details: str = "",
                    received_at: dt.datetime | None = None) -> Response:
    """Staff enter a new concern or court alert; the response and its steps start."""
    require(user, Action.EDIT, case)
    received_at = received_at or timezone.now()
    _check_information(case, kind, person, summary, received_at)
    return _response_create(case=case, kind=kind, person=person, received_at=received_at, summary=summary.strip(),
                            details=details.strip(), source=InformationSource.STAFF, recorded_by=user)


def _tick(step: ResponseStep, user, note: str) -> None:
    step.done_at, step.done_by, step.note = timezone.now(), user, note.strip()
    step.save(update_fields=["done_at", "done_by", "note"])
    alert_resolve(key=f"response-step:{step.pk}")


def _complete_if_all_done(response: Response) -> None:
    if not response.steps.filter(done_at__isnull=True).exists():
        response.completed_at = timezone.now()
        response.save(update_fields=["completed_at"])
        alert_resolve(key=f"response:{response.pk}:received")


@transaction.atomic
def response_step_complete(*, user, response: Response, code: str, note: str = "",
                           victim_support_information_given: bool | None = None) -> ResponseStep:
    """Tick one step with who and when, in the order the rules allow."""
    require(user, Action.EDIT, response.case)
    response = Response.objects.select_for_update().get(pk=response.pk)
    steps = {s.code: s for s in response.steps.all()}
    problem = rules.step_problem(code, {c for c, s in steps.items() if s.done_at}, note)
    if problem:
        raise CaseworkError(problem)
    if code == rules.FURTHER_ACTION and victim_support_information_given is not None:
        response.victim_support_information_given = victim_support_information_given
        response.save(update_fields=["victim_support_information_given"])
    _tick(steps[code], user, note)
    _complete_if_all_done(response)
    return steps[code]


# --- Inbound messages from external systems ----------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def sending_system_create(*, name: str) -> tuple[SendingSystem, str]:
    """Register a sending system; returns it and its token (shown once, stored hashed)."""
    if not name.strip():
        raise CaseworkError("Name the sending system.")
    token = secrets.token_urlsafe(32)
    system = SendingSystem(name=name.strip(), token_hash=_hash(token), token_prefix=token[:8])
    _full_clean(system)
    system.save()
    return system, token


def sending_system_for_token(token: str) -> SendingSystem | None:
    if not token:
        return None
    return SendingSystem.objects.filter(token_hash=_hash(token), active=True).first()


INBOUND_FIELDS = ("message_id", "kind", "case_reference", "summary")


class InboundRefused(CaseworkError):
    """A message refused outright, with nothing stored: the sender corrects it and sends it
    again (under the same message id, since nothing was kept under it)."""


class InboundConflict(InboundRefused):
    """The sender's message id names a message already received with different content."""


def _received_at(payload: Any) -> dt.datetime | None:
    """The sender's ``received_at``, None when it gives none. It starts the response's due
    times, so one that is not a plausible date and time is refused, not kept for review."""
    if not isinstance(payload, dict) or payload.get("received_at") in (None, ""):
        return None
    value = payload["received_at"]
    shown = str(value)[:40]
    try:
        received_at = parse_datetime(value) if isinstance(value, str) else None
        if received_at is not None and timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
    except (ValueError, OverflowError):  # well formed but impossible, e.g. 2026-02-30
        received_at = None
    if received_at is None:
        raise InboundRefused(f"received_at {shown!r} is not a date and time (ISO 8601, e.g. "
                             "2026-03-14T09:30:00+10:00). Nothing was stored: correct it and send the message again.")
    problem = rules.received_at_problem(received_at, now=timezone.now())
    if problem:
        raise InboundRefused(f"received_at {shown!r} is not plausible: {problem} Nothing was stored: correct it "
                             "and send the message again.")
    return received_at


def _repeat_of(existing: InboundMessage, payload: Any) -> InboundMessage:
    """``existing`` when ``payload`` is the same message again (same JSON content, however
    spelt); a different message under a used id is refused, so it is never silently lost."""
    if existing.payload != payload:
        raise InboundConflict(
            f"message_id {existing.message_id!r} was already used for a different message (received "
            f"{timezone.localtime(existing.received_at):%Y-%m-%d %H:%M}); that one is kept as it was. Send a new "
            "message with a new message_id.")
    return existing


def _parse_inbound(payload: Any, received_at: dt.datetime | None = None) -> tuple[dict | None, str]:
    """The message's meaning, or why it cannot be understood."""
    if not isinstance(payload, dict):
        return None, "The message is not a JSON object."
    missing = [f for f in INBOUND_FIELDS if not str(payload.get(f) or "").strip()]
    if missing:
        return None, f"Missing: {', '.join(missing)}."
    if payload["kind"] not in InformationKind.values:
        return None, f"Unknown kind {str(payload['kind'])[:40]!r}; expected new_concern or court_alert."
    person, problem = _parse_person(payload.get("person"))
    if problem:
        return None, problem
    return {"kind": payload["kind"], "case_reference": str(payload["case_reference"]).strip(),
            "person_id": payload.get("person_id"), "person": person, "summary": str(payload["summary"]).strip()[:200],
            "details": str(payload.get("details") or ""), "received_at": received_at or timezone.now()}, ""


def _parse_person(value: Any) -> tuple[dict | None, str]:
    """The optional ``person`` of a message: who it is about, as the sender knows them
    (given name, family name, date of birth), when the sender does not hold our person id."""
    if value in (None, ""):
        return None, ""
    if not isinstance(value, dict):
        return None, "person must be an object with given_name, family_name and date_of_birth."
    given, family = (str(value.get(key) or "").strip() for key in ("given_name", "family_name"))
    born = value.get("date_of_birth")
    missing = [key for key, given_value in (("given_name", given), ("family_name", family), ("date_of_birth", born))
               if not given_value]
    if missing:
        return None, f"person is missing: {', '.join(missing)}."
    try:
        born = parse_date(born) if isinstance(born, str) else None
    except ValueError:  # well formed but impossible, e.g. 2016-02-30
        born = None
    if born is None:
        return None, "person.date_of_birth is not a date (YYYY-MM-DD)."
    return {"given_name": given, "family_name": family, "date_of_birth": born}, ""


def _match(parsed: dict) -> tuple[Case | None, Person | None, str]:
    case = Case.objects.select_related("team", "caseworker").filter(reference=parsed["case_reference"]).first()
    if case is None:
        return None, None, "Unknown case reference."
    if not case.is_open:
        return None, None, f"Case {case.reference} is closed."
    person = None
    if parsed["person_id"] not in (None, ""):
        try:
            person_id = int(parsed["person_id"])
        except (TypeError, ValueError):
            return None, None, "person_id is not a number."
        person = Person.objects.filter(pk=person_id, memberships__case=case).first()
        if person is None:
            return None, None, "Unknown person: not a member of the case."
    described = parsed.get("person")
    if described:
        matches = list(Person.objects.filter(
            memberships__case=case, date_of_birth=described["date_of_birth"],
            given_name__iexact=described["given_name"], family_name__iexact=described["family_name"]))
        if len(matches) != 1:
            return None, None, ("Unknown person: no member of the case has that name and date of birth."
                                if not matches else "Ambiguous person: several members of the case match.")
        if person is not None and person != matches[0]:
            return None, None, "person_id and person name and date of birth name different people."
        person = matches[0]
    return case, person, ""


NUL_STAND_IN = "\ufffd"
NUL_PROBLEM = ("The message contained NUL characters (\\0), which cannot be stored; each was replaced with "
               "\ufffd. Check the message against the sender's record before matching it to a case.")


def inbound_message_receive(*, system: SendingSystem, payload: Any, raw_body: str = "") -> tuple[InboundMessage, bool]:
    """Store a message from ``system`` and, when it is understood, start the response.
    Idempotent on the sender's message id: a repeat returns the stored message and False;
    the same id with different content raises InboundConflict. A message that cannot be
    processed waits for review; one whose received_at is not plausible raises InboundRefused
    (nothing stored: it would start the response's clock at the wrong time)."""
    cleaned = without_nul(payload, NUL_STAND_IN)
    had_nul = "\x00" in raw_body or cleaned != payload
    payload, raw_body = cleaned, raw_body.replace("\x00", NUL_STAND_IN)
    message_id = str(payload.get("message_id") or "").strip()[:120] if isinstance(payload, dict) else ""
    if not message_id:
        # Without the sender's id a repeat cannot be recognised; keep it under a generated id.
        message_id = f"missing-{secrets.token_hex(8)}"
    existing = InboundMessage.objects.filter(system=system, message_id=message_id).first()
    if existing:
        return _repeat_of(existing, payload), False
    parsed, problem = _parse_inbound(payload, _received_at(payload))
    case = person = None
    if parsed:
        case, person, problem = _match(parsed)
    if had_nul:
        # Not started as a response: what was sent is not exactly what we keep.
        case = person = None
        problem = NUL_PROBLEM
    try:
        with transaction.atomic():
            message = InboundMessage(system=system, message_id=message_id,
                                     payload=payload if isinstance(payload, (dict, list)) else None,
                                     raw_body="" if isinstance(payload, dict) else raw_body[:100_000],
                                     status=InboundStatus.NEEDS_REVIEW, problem=problem[:300])
            if case is not None:
                message.response = _response_create(
                    case=case, kind=parsed["kind"], person=person, received_at=parsed["received_at"],
                    summary=parsed["summary"], details=parsed["details"], source=InformationSource.EXTERNAL)
                message.status = InboundStatus.ACCEPTED
            message.save()
    except IntegrityError:
        # The same message id arrived twice at once; the other request stored it.
        return _repeat_of(InboundMessage.objects.get(system=system, message_id=message_id), payload), False
    if message.status == InboundStatus.NEEDS_REVIEW:
        _alert_inbound_review(message)
    return message, True


def _alert_inbound_review(message: InboundMessage) -> None:
    alert_raise(key=f"inbound:{message.pk}", kind=AlertKind.OTHER,
                title=f"A message from {message.system.name} needs review",
                recipients=list(inbound_reviewers(message)), link=reverse("responses:inbound_detail", args=[message.pk]))


def _message_to_review(user, message: InboundMessage) -> InboundMessage:
    """The message, locked, when ``user`` may act on it and it still waits for review."""
    if not may_review_inbound(user):
        raise CaseworkError("Only team leaders review inbound messages.")
    if not visible_inbound_messages(user, InboundMessage.objects.filter(pk=message.pk)).exists():
        raise CaseworkError("No such message.")
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboundStatus.NEEDS_REVIEW:
        raise CaseworkError("This message has been dealt with already.")
    return message


@transaction.atomic
def inbound_message_resolve(*, user, message: InboundMessage, case: Case, kind: str, person: Person | None,
                            summary: str, note: str = "") -> InboundMessage:
    """A reviewer matches a stored message to a case; its response starts."""
    message = _message_to_review(user, message)
    if not visible_cases(user, Case.objects.filter(pk=case.pk)).exists():
        raise CaseworkError("You may only match a message to a case you may see.")
    received_at = message.received_at
    _check_information(case, kind, person, summary, received_at)
    message.response = _response_create(case=case, kind=kind, person=person, received_at=received_at,
                                        summary=summary.strip(), details=_payload_details(message),
                                        source=InformationSource.EXTERNAL, recorded_by=user)
    message.status, message.reviewed_by, message.reviewed_at = InboundStatus.RESOLVED, user, timezone.now()
    message.review_note = note.strip()[:300]
    message.save()
    alert_resolve(key=f"inbound:{message.pk}")
    return message


def _payload_details(message: InboundMessage) -> str:
    if isinstance(message.payload, dict):
        return str(message.payload.get("details") or "")
    return message.raw_body[:5000]


@transaction.atomic
def inbound_message_dismiss(*, user, message: InboundMessage, note: str) -> InboundMessage:
    """A reviewer decides a stored message needs no response (e.g. a test message); kept."""
    if not note.strip():
        raise CaseworkError("Say why the message needs no response.")
    message = _message_to_review(user, message)
    message.status, message.reviewed_by, message.reviewed_at = InboundStatus.DISMISSED, user, timezone.now()
    message.review_note = note.strip()[:300]
    message.save()
    alert_resolve(key=f"inbound:{message.pk}")
    return message


# --- Safety assessments and plans ------------------------------------------------------------


@transaction.atomic
def safety_assessment_record(*, user, case: Case, completed_on: dt.date, decision: str, threats: str = "",
                             response: Response | None = None) -> SafetyAssessment:
    """Record a safety assessment; when it answers a response, it ticks that step."""
    require(user, Action.EDIT, case)
    if completed_on > timezone.localdate():
        raise CaseworkError("A safety assessment cannot be completed in the future.")
    if decision != SafetyDecision.SAFE and not threats.strip():
        raise CaseworkError("Name the safety threats found: the decision is not “safe”.")
    if response is not None:
        if response.case_id != case.pk:
            raise CaseworkError("The response belongs to another case.")
        response = Response.objects.select_for_update().get(pk=response.pk)
        steps = {s.code: s for s in response.steps.all()}
        problem = rules.step_problem(rules.SAFETY_ASSESSMENT, {c for c, s in steps.items() if s.done_at}, "",
                                     via_assessment=True)
        if problem:
            raise CaseworkError(problem)
    assessment = SafetyAssessment(case=case, response=response, completed_on=completed_on, decision=decision,
                                  threats=threats.strip(), recorded_by=user)
    _full_clean(assessment)
    assessment.save()
    if response is not None:
        _tick(steps[rules.SAFETY_ASSESSMENT], user,
              f"Safety assessment of {day_label(completed_on)}: {assessment.get_decision_display()}")
        _complete_if_all_done(response)
    return assessment


@transaction.atomic
def safety_plan_submit(*, user, case: Case, developed_on: dt.date, threats: str, actions: str, responsible: str,
                       assessment: SafetyAssessment | None = None) -> SafetyPlan:
    """Document a new or changed safety plan; it waits for a team leader's approval before it
    is implemented. Documented after the next working day, it is marked late."""
    require(user, Action.EDIT, case)
    today = timezone.localdate()
    if developed_on > today:
        raise CaseworkError("A safety plan cannot be developed in the future.")
    if not (threats.strip() and actions.strip() and responsible.strip()):
        raise CaseworkError("A safety plan lists the threats, the actions and who is responsible.")
    if assessment is not None and assessment.case_id != case.pk:
        raise CaseworkError("The safety assessment belongs to another case.")
    current = (SafetyPlan.objects.select_for_update().filter(case=case, status__in=[PlanStatus.PENDING,
                                                                                    PlanStatus.APPROVED])
               .order_by("-pk").first())
    plan = SafetyPlan(case=case, assessment=assessment, developed_on=developed_on,
                      documentation_due_on=rules.next_working_day(developed_on, workdays.is_working_day),
                      documented_on=today, threats=threats.strip(), actions=actions.strip(),
                      responsible=responsible.strip(), submitted_by=user, replaces=current)
    if current is not None:
        # Pending plans are simply superseded; an approved plan stays in force until the new one is approved.
        if current.status == PlanStatus.PENDING:
            current.status = PlanStatus.REPLACED
            current.save(update_fields=["status"])
            alert_resolve(key=f"safety-plan:{current.pk}:approval")
    plan.save()
    if assessment is not None:
        alert_resolve(key=f"safety-assessment:{assessment.pk}:plan")
    alert_raise(key=f"safety-plan:{plan.pk}:approval", kind=AlertKind.SAFETY_PLAN,
                title=f"Safety plan for case {case.reference} awaits approval",
                recipients=[u for u in _team_leaders(case) if u.pk != user.pk], case=case,
                link=reverse("responses:safety_plan_detail", args=[case.reference, plan.pk]), due_on=today)
    return plan


@transaction.atomic
def safety_plan_decide(*, user, plan: SafetyPlan, approve: bool, comment: str = "") -> SafetyPlan:
    """A team leader of the case's team approves the plan (it may then be implemented) or
    returns it with a comment. Nobody approves a plan they submitted."""
    require(user, Action.APPROVE, plan.case)
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PENDING:
        raise CaseworkError("This safety plan is not awaiting approval.")
    if plan.submitted_by_id == user.pk:
        raise CaseworkError("You cannot approve a safety plan you submitted; another team leader must.")
    if not approve and not comment.strip():
        raise CaseworkError("Say what needs to change before the plan can be approved.")
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_by, plan.decided_at, plan.decision_comment = user, timezone.now(), comment.strip()
    plan.save()
    if approve and plan.replaces_id:
        SafetyPlan.objects.filter(pk=plan.replaces_id, status=PlanStatus.APPROVED).update(status=PlanStatus.REPLACED)
    alert_resolve(key=f"safety-plan:{plan.pk}:approval")
    if approve:
        additional_contact_check(case_id=plan.case_id)
    return plan


def additional_contact_check(*, case_id: int, **_) -> bool:
    """Raise or resolve the case's alert that more contact than the standard is required
    (seed 000, 4.2: "Additional contact is necessary where an immediate safety plan is in
    place to maintain the child's safe return to the family"), to the caseworker and the team
    leaders, until an increase is approved or a team leader records why none is needed. Also
    told of every change of a child's facts (cases.extensions.on_facts_changed). True when
    the alert is open."""
    case = Case.objects.select_related("caseworker").get(pk=case_id)
    month = timezone.localdate().replace(day=1)
    status = selectors.additional_contact(case, month) if case.is_open else None
    key = additional_contact_alert_key(case.pk)
    if status is None or not status.needed:
        alert_resolve(key=key)
        return False
    alert_raise(key=key, kind=AlertKind.SAFETY_PLAN,
                title=f"Case {case.reference}: a safety plan is in place for a child's return home — "
                      f"more contact than the standard is required",
                recipients=[case.caseworker, *_team_leaders(case)], case=case,
                link=reverse("contacts:month", args=[case.reference, f"{month:%Y-%m}"]),
                due_on=timezone.localdate())
    return True


@transaction.atomic
def no_increase_record(*, user, plan: SafetyPlan, reason: str) -> NoIncreaseDecision:
    """A team leader of the case's team records why the approved safety plan needs no increase
    of contact; the alert is resolved. Once a plan, and only for the plan in force."""
    require(user, Action.APPROVE, plan.case)
    if not reason.strip():
        raise CaseworkError("Say why no increase of contact is needed.")
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.APPROVED:
        raise CaseworkError("Only the approved safety plan in force can be answered.")
    try:
        with transaction.atomic():
            decision = NoIncreaseDecision.objects.create(plan=plan, decided_by=user, decided_at=timezone.now(),
                                                         reason=reason.strip())
    except IntegrityError:
        raise CaseworkError("Why no increase is needed has already been recorded for this plan.") from None
    additional_contact_check(case_id=plan.case_id)
    return decision


# --- Supervision and formal reviews ------------------------------------------------------------


def _review_checks(case: Case, held_on: dt.date, texts: dict[str, str]) -> None:
    if held_on > timezone.localdate():
        raise CaseworkError("A review cannot be held in the future.")
    if held_on < case.opened_on:
        raise CaseworkError("A review cannot be held before the case opened.")
    empty = [label for label, text in texts.items() if not text.strip()]
    if empty:
        raise CaseworkError(f"Record the {', '.join(empty)}.")


@transaction.atomic
def supervision_review_record(*, user, case: Case, held_on: dt.date, discussion: str, decisions: str,
                              rationale: str) -> SupervisionReview:
    """The team leader of the case's team records a supervision review."""
    require(user, Action.APPROVE, case)
    if not case.is_open:
        raise CaseworkError(f"Case {case.reference} is closed.")
    _review_checks(case, held_on, {"discussion": discussion, "decisions": decisions, "rationale": rationale})
    review = SupervisionReview.objects.create(case=case, held_on=held_on, discussion=discussion.strip(),
                                              decisions=decisions.strip(), rationale=rationale.strip(),
                                              recorded_by=user)
    alert_resolve(key=f"supervision-due:{case.pk}")
    return review


@transaction.atomic
def formal_review_record(*, user, case: Case, held_on: dt.date, assessments_completed: str, progress: str,
                         decision: str) -> FormalReview:
    """The six-monthly formal case review, recorded by the caseworker or team leader."""
    require(user, Action.EDIT, case)
    _review_checks(case, held_on, {"assessments completed": assessments_completed, "progress": progress,
                                   "decision": decision})
    review = FormalReview.objects.create(case=case, held_on=held_on, assessments_completed=assessments_completed.strip(),
                                         progress=progress.strip(), decision=decision.strip(), recorded_by=user)
    alert_resolve(key=f"formal-review-due:{case.pk}")
    return review


# --- Closure and protection applications ----------------------------------------------------------


@transaction.atomic
def recommendation_make(*, user, case: Case, kind: str, rationale: str) -> Recommendation:
    """The caseworker recommends closing the case or applying for a protection order."""
    require(user, Action.EDIT, case)
    if kind not in RecommendationKind.values:
        raise CaseworkError("Choose to recommend closing the case or a protection application.")
    if not rationale.strip():
        raise CaseworkError("Give the rationale for the recommendation.")
    if Recommendation.objects.filter(case=case, status=RecommendationStatus.PENDING).exists():
        raise CaseworkError("A recommendation for this case already awaits a team leader.")
    recommendation = Recommendation.objects.create(case=case, kind=kind, rationale=rationale.strip(),
                                                   recommended_by=user)
    alert_raise(key=f"recommendation:{recommendation.pk}", kind=AlertKind.APPROVAL_PENDING,
                title=f"Recommendation for case {case.reference} awaits endorsement",
                recipients=[u for u in _team_leaders(case) if u.pk != user.pk], case=case,
                link=reverse("responses:recommendation_decide", args=[case.reference, recommendation.pk]))
    return recommendation


@transaction.atomic
def recommendation_decide(*, user, recommendation: Recommendation, endorse: bool, comment: str = "") -> Recommendation:
    """A team leader of the case's team endorses or returns it; nobody decides their own."""
    require(user, Action.APPROVE, recommendation.case)
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != RecommendationStatus.PENDING:
        raise CaseworkError("This recommendation is not awaiting a decision.")
    if recommendation.recommended_by_id == user.pk:
        raise CaseworkError("You cannot endorse your own recommendation; another team leader must.")
    if not endorse and not comment.strip():
        raise CaseworkError("Say why the recommendation is returned.")
    recommendation.status = RecommendationStatus.ENDORSED if endorse else RecommendationStatus.RETURNED
    recommendation.decided_by, recommendation.decided_at = user, timezone.now()
    recommendation.decision_comment = comment.strip()
    recommendation.save()
    alert_resolve(key=f"recommendation:{recommendation.pk}")
    if recommendation.recommended_by.is_active:
        verb = "endorsed" if endorse else "returned"
        alert_raise(key=f"recommendation:{recommendation.pk}:{verb}", kind=AlertKind.OTHER,
                    title=f"Recommendation for case {recommendation.case.reference} {verb}",
                    recipients=[recommendation.recommended_by, recommendation.case.caseworker],
                    case=recommendation.case, link=_case_link(recommendation.case))
    return recommendation


def endorsed_closure(case: Case) -> Recommendation | None:
    return (Recommendation.objects.filter(case=case, kind=RecommendationKind.CLOSE,
                                          status=RecommendationStatus.ENDORSED).order_by("-decided_at").first())


@transaction.atomic
def case_close(*, user, case: Case, closed_on: dt.date | None = None, confirmed: bool) -> dict[str, int]:
    """Close a case on an endorsed recommendation: cancel planned visits, end open referrals,
    set the closing date and phase. The record is read-only afterwards (EDIT is refused on
    closed cases) and contact obligations stop from ``closed_on``. Returns what changed."""
    require(user, Action.EDIT, case)
    case = Case.objects.select_for_update().select_related("team", "caseworker").get(pk=case.pk)
    if not case.is_open:
        raise CaseworkError("The case is closed already.")
    recommendation = endorsed_closure(case)
    if recommendation is None:
        raise CaseworkError("A team leader must endorse a recommendation to close the case first.")
    if not confirmed:
        raise CaseworkError("Confirm that planned visits will be cancelled and open referrals ended.")
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise CaseworkError("A case cannot be closed in the future.")
    if closed_on < case.opened_on:
        raise CaseworkError("The closing date cannot be before the case opened.")
    from contacts.services import scheduled_visits_cancel
    from services.services import referrals_end_for_case_closure

    reason = f"Case closed on {day_label(closed_on)}"
    visits = scheduled_visits_cancel(user=user, case=case, reason=reason)
    referrals = referrals_end_for_case_closure(user=user, case=case, reason=reason)
    case_update(user=user, case=case, closed_on=closed_on, phase=Phase.CLOSED, lock_version=None)
    recommendation.status, recommendation.actioned_at = RecommendationStatus.ACTIONED, timezone.now()
    recommendation.save(update_fields=["status", "actioned_at"])
    alert_resolve(key=f"supervision-due:{case.pk}")
    alert_resolve(key=f"formal-review-due:{case.pk}")
    return {"visits_cancelled": visits, "referrals_ended": referrals}


def may_close(user, case: Case) -> bool:
    return can(user, Action.EDIT, case) and endorsed_closure(case) is not None


# --- The daily check of due dates ------------------------------------------------------------------


def _leaders_by_team() -> dict[int, tuple[int, ...]]:
    pairs = User.led_teams.through.objects.filter(user__is_active=True).values_list("team_id", "user_id")
    leaders: dict[int, list[int]] = {}
    for team_id, user_id in pairs:
        leaders.setdefault(team_id, []).append(user_id)
    return {team_id: tuple(ids) for team_id, ids in leaders.items()}


def due_dates_check(*, now: dt.datetime | None = None, batch_size: int = 2000) -> dict[str, int]:
    """Raise the alerts of everything overdue or falling due, with a fixed number of queries
    per batch (idempotent on each alert's key): record-alert reviews, response steps, safety
    plans awaiting approval or not documented after a decision needing one, supervision and
    formal reviews. Returns how many of each were found."""
    from alerts.services import AlertSpec, alerts_raise_many
    from responses.selectors import review_dates, with_review_dates

    now = now or timezone.now()
    today = timezone.localdate(now)
    leaders = _leaders_by_team()
    specs: list[AlertSpec] = []
    counts = {"record_alert_reviews": 0, "response_steps": 0, "safety_plans": 0, "supervision": 0,
              "formal_reviews": 0}

    # Record alerts past their review date: to the caseworker of each open case showing them.
    overdue_alerts = (RecordAlert.objects.filter(ended_on__isnull=True, review_on__lt=today)
                      .filter(Q(case__closed_on__isnull=True, case__isnull=False)
                              | Q(person__memberships__case__closed_on__isnull=True))
                      .annotate(for_case_id=Coalesce("case_id", "person__memberships__case_id"),
                                for_reference=Coalesce("case__reference", "person__memberships__case__reference"),
                                for_caseworker_id=Coalesce("case__caseworker_id",
                                                           "person__memberships__case__caseworker_id"))
                      .values_list("pk", "for_case_id", "for_reference", "for_caseworker_id", "review_on"))
    by_alert: dict[int, list] = {}
    for alert_id, case_id, reference, caseworker_id, review_on in overdue_alerts:
        by_alert.setdefault(alert_id, []).append((case_id, reference, caseworker_id, review_on))
    for alert_id, rows in by_alert.items():
        counts["record_alert_reviews"] += 1
        case_id, reference, _, review_on = min(rows)
        specs.append(AlertSpec(key=f"record-alert-review:{alert_id}", kind=AlertKind.RECORD_ALERT_REVIEW,
                               title=f"Review of an alert on case {reference} was due {day_label(review_on)}",
                               recipient_ids=tuple(r[2] for r in rows if r[2]), case_id=case_id, due_on=review_on,
                               link=reverse("cases:detail", args=[reference])))

    # Response steps past their due time.
    steps = (ResponseStep.objects.filter(done_at__isnull=True, due_at__lt=now, response__case__closed_on__isnull=True)
             .values_list("pk", "code", "due_at", "response_id", "response__case_id", "response__case__reference",
                          "response__case__caseworker_id", "response__case__team_id"))
    for step_id, code, due_at, response_id, case_id, reference, caseworker_id, team_id in steps:
        counts["response_steps"] += 1
        specs.append(AlertSpec(key=f"response-step:{step_id}", kind=AlertKind.RESPONSE_STEP_DUE,
                               title=f"Case {reference}: “{rules.LABELS[code]}” overdue",
                               recipient_ids=(caseworker_id, *leaders.get(team_id, ())), case_id=case_id,
                               due_on=timezone.localtime(due_at).date(),
                               link=reverse("responses:response_detail", args=[reference, response_id])))

    # Safety plans awaiting approval, and decisions needing a plan not documented by the next working day.
    pending = (SafetyPlan.objects.filter(status=PlanStatus.PENDING, case__closed_on__isnull=True)
               .values_list("pk", "case_id", "case__reference", "case__team_id", "submitted_by_id"))
    for plan_id, case_id, reference, team_id, submitted_by_id in pending:
        counts["safety_plans"] += 1
        specs.append(AlertSpec(key=f"safety-plan:{plan_id}:approval", kind=AlertKind.SAFETY_PLAN,
                               title=f"Safety plan for case {reference} awaits approval",
                               recipient_ids=tuple(u for u in leaders.get(team_id, ()) if u != submitted_by_id),
                               case_id=case_id, link=reverse("responses:safety_plan_detail", args=[reference, plan_id])))
    unplanned = (SafetyAssessment.objects.filter(decision__in=rules.PLAN_NEEDED, plans__isnull=True,
                                                 case__closed_on__isnull=True, completed_on__lt=today)
                 .values_list("pk", "completed_on", "case_id", "case__reference", "case__caseworker_id",
                              "case__team_id"))
    for assessment_id, completed_on, case_id, reference, caseworker_id, team_id in unplanned:
        due_on = rules.next_working_day(completed_on, workdays.is_working_day)
        if due_on >= today:
            continue
        counts["safety_plans"] += 1
        specs.append(AlertSpec(key=f"safety-assessment:{assessment_id}:plan", kind=AlertKind.SAFETY_PLAN,
                               title=f"Case {reference}: safety plan not documented (due {day_label(due_on)})",
                               recipient_ids=(caseworker_id, *leaders.get(team_id, ())), case_id=case_id,
                               due_on=due_on, link=reverse("responses:safety_plan_create", args=[reference])))
    alerts_raise_many([s for s in specs if s.recipient_ids])

    # Supervision and formal reviews of every open case, in batches.
    last_pk = 0
    while True:
        batch = list(with_review_dates(Case.objects.open().filter(pk__gt=last_pk).order_by("pk"))[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        specs = []
        for case in batch:
            dates = review_dates(case, today)
            recipients = (case.caseworker_id, *leaders.get(case.team_id, ()))
            link = reverse("cases:detail", args=[case.reference])
            if dates.supervision_status != "ok":
                counts["supervision"] += 1
                specs.append(AlertSpec(key=f"supervision-due:{case.pk}", kind=AlertKind.SUPERVISION_DUE,
                                       title=f"Supervision review of case {case.reference} due "
                                             f"{day_label(dates.supervision_due_on)}",
                                       recipient_ids=recipients, case_id=case.pk, link=link,
                                       due_on=dates.supervision_due_on))
            if dates.formal_review_status != "ok":
                counts["formal_reviews"] += 1
                specs.append(AlertSpec(key=f"formal-review-due:{case.pk}", kind=AlertKind.FORMAL_REVIEW_DUE,
                                       title=f"Formal review of case {case.reference} due "
                                             f"{day_label(dates.formal_review_due_on)}",
                                       recipient_ids=recipients, case_id=case.pk, link=link,
                                       due_on=dates.formal_review_due_on))
        alerts_raise_many(specs)
    return counts
