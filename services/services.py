"""Writes of the directory and of referrals. Every function is keyword-only, atomic,
checks access through ``cases.permissions`` and raises :class:`CaseworkError` with a
message fit to show a user; the decisions themselves are in ``services/rules.py``."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_raise, alert_resolve
from cases.extensions import facts_changed
from cases.locking import claim
from cases.models import Case, CaseMember, MemberRole, Role, User
from cases.permissions import Action, can, require, visible_cases
from cases.services import CaseworkError
from casework.dates import day_label
from services import rules
from services.models import (
    CommunicationPlan,
    CostApproval,
    FamilyInformation,
    ProviderUpdate,
    Referral,
    ReferralStatusChange,
    Service,
    ServiceProvider,
)
from services.selectors import FINANCIAL_DELEGATE_PERMISSION, is_financial_delegate

log = logging.getLogger(__name__)


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise CaseworkError("; ".join(error.messages)) from error


def referral_url(referral: Referral) -> str:
    return reverse("services:referral_detail", args=[referral.case.reference, referral.pk])


# --- Directory (administrators) ----------------------------------------------------------


def may_manage_directory(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.ADMINISTRATOR)


@transaction.atomic
def directory_save(*, user, instance: ServiceProvider | Service) -> ServiceProvider | Service:
    """Create or change a provider or a service of the directory (administrators only)."""
    if not may_manage_directory(user):
        raise CaseworkError("Only administrators manage the service directory.")
    _full_clean(instance)
    instance.save()
    return instance


# --- Referrals -------------------------------------------------------------------------------


def _check_people(case: Case, people, self_referred_by: CaseMember | None) -> list[CaseMember]:
    people = list(people)
    if not people:
        raise CaseworkError("Name at least one person referred.")
    member_ids = {m.pk for m in people} | ({self_referred_by.pk} if self_referred_by else set())
    current = set(CaseMember.objects.filter(case=case, pk__in=member_ids, left_on__isnull=True)
                  .values_list("pk", flat=True))
    if member_ids - current:
        raise CaseworkError("Only people who are currently members of this case can be referred.")
    if self_referred_by is not None and self_referred_by.role != MemberRole.PARENT:
        raise CaseworkError("A self-referral is made by a parent of the case.")
    return people


def _check_self_referral(self_referral: bool, self_referred_by, support_given: str) -> None:
    if self_referral and self_referred_by is None:
        raise CaseworkError("Name the parent who referred themselves.")
    if self_referral and not support_given.strip():
        raise CaseworkError("Record the support given to the parent to complete the referral.")
    if not self_referral and self_referred_by is not None:
        raise CaseworkError("Tick self-referral when a parent referred themselves, or leave the parent empty.")


@transaction.atomic
def referral_create(*, user, case: Case, service: Service, people, reason: str, self_referral: bool = False,
                    self_referred_by: CaseMember | None = None, support_given: str = "",
                    plan_action=None) -> Referral:
    """Start a referral as a draft; nothing is sent until :func:`referral_transition`."""
    require(user, Action.EDIT, case)
    _check_plan_action(case, plan_action)
    if not (service.active and service.provider.active):
        raise CaseworkError("This service is no longer offered; choose another from the directory.")
    if not reason.strip():
        raise CaseworkError("Give the reason for the referral.")
    _check_self_referral(self_referral, self_referred_by, support_given)
    people = _check_people(case, people, self_referred_by)
    referral = Referral(case=case, service=service, reason=reason.strip(), self_referral=self_referral,
                        self_referred_by=self_referred_by if self_referral else None,
                        support_given=support_given.strip(), created_by=user, plan_action=plan_action)
    _full_clean(referral)
    referral.save()
    referral.people.set(people)
    ReferralStatusChange.objects.create(referral=referral, from_status="", to_status=rules.DRAFT,
                                        on=timezone.localdate(), changed_by=user, note="Referral started")
    return referral


def _check_plan_action(case: Case, plan_action) -> None:
    if plan_action is not None and plan_action.plan.case_id != case.pk:
        raise CaseworkError("The case-plan action must belong to this case's plan.")


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("case", "service__provider").get(pk=referral.pk)


@transaction.atomic
def referral_update(*, user, referral: Referral, service: Service | None = None, people=None,
                    reason: str | None = None, self_referral: bool | None = None,
                    self_referred_by: CaseMember | None = None, support_given: str | None = None,
                    plan_action=None, lock_version: int) -> Referral:
    """Change a draft referral (refused if saved since ``lock_version`` was read). Once sent,
    what was referred is on record and stays."""
    referral = _locked(referral)
    require(user, Action.EDIT, referral.case)
    if referral.status != rules.DRAFT:
        raise CaseworkError("Only a draft referral can be changed; it has been sent already.")
    claim(referral, lock_version, thing="referral")
    if service is not None and service.pk != referral.service_id:
        if not (service.active and service.provider.active):
            raise CaseworkError("This service is no longer offered; choose another from the directory.")
        if referral.cost_approvals.filter(status__in=[rules.PENDING, rules.APPROVED]).exists():
            raise CaseworkError("The payment for this service is approved or waiting for approval; "
                                "withdraw this referral and start a new one for another service.")
        referral.service = service
    if reason is not None:
        if not reason.strip():
            raise CaseworkError("Give the reason for the referral.")
        referral.reason = reason.strip()
    if self_referral is not None:
        referral.self_referral = self_referral
        referral.self_referred_by = self_referred_by if self_referral else None
    if support_given is not None:
        referral.support_given = support_given.strip()
    if plan_action is not None:
        _check_plan_action(referral.case, plan_action)
        referral.plan_action = plan_action
    _check_self_referral(referral.self_referral, referral.self_referred_by, referral.support_given)
    if people is not None:
        people = _check_people(referral.case, people, referral.self_referred_by)
        referral.people.set(people)
    _full_clean(referral)
    referral.save()
    return referral


def _last_change_on(referral: Referral) -> dt.date:
    """The date of the latest step; recording the draft does not count, because a referral
    made last week on paper may be entered today with its real dates."""
    last = (referral.status_changes.exclude(from_status="").order_by("-on", "-id").values_list("on", flat=True)
            .first())
    return last or dt.date.min


def _latest_cost_status(referral: Referral) -> str | None:
    return referral.cost_approvals.order_by("-requested_at", "-id").values_list("status", flat=True).first()


@transaction.atomic
def referral_transition(*, user, referral: Referral, to_status: str, on: dt.date | None = None, note: str = "",
                        alternatives: str = "", _case_closing: bool = False) -> Referral:
    """Move a referral one step along the status table, recording the date and who did it.

    Refused (nothing changed) when the table does not allow the step or what the step
    needs is missing: see :func:`services.rules.transition_problems`."""
    referral = _locked(referral)
    if not _case_closing:
        require(user, Action.EDIT, referral.case)
    today = timezone.localdate()
    on = on or today
    note, alternatives = note.strip(), alternatives.strip()
    facts = rules.TransitionFacts(
        status=referral.status, on=on, today=today, last_change_on=_last_change_on(referral),
        people_referred=referral.people.count(), costs_money=referral.service.costs_money,
        cost_approval=_latest_cost_status(referral), note=note,
        unable_note=note if to_status == rules.UNABLE_TO_ACCEPT else referral.unable_note,
        alternatives=alternatives or referral.alternatives_considered, case_closing=_case_closing,
    )
    problems = rules.transition_problems(to_status, facts)
    if problems:
        raise CaseworkError(" ".join(problems))
    was_active = referral.status == rules.ACTIVE
    ReferralStatusChange.objects.create(referral=referral, from_status=referral.status, to_status=to_status, on=on,
                                        changed_by=user, note=note)
    referral.status = to_status
    if to_status == rules.ACTIVE:
        referral.active_on = on
    if was_active and to_status in (rules.COMPLETED, rules.WITHDRAWN):
        referral.ended_on = on
    if to_status == rules.UNABLE_TO_ACCEPT:
        referral.unable_note = note
        _case_note(user=user, case=referral.case, referral=referral, text=note, alternatives=alternatives)
    if alternatives:
        referral.alternatives_considered = alternatives
    referral.save()
    if to_status == rules.ACTIVE or (was_active and referral.ended_on):
        # A provider's involvement decides which of its contacts count: the case's facts changed.
        facts_changed(case_id=referral.case_id, since=on, by=user)
    if to_status in rules.FINISHED:
        alert_resolve(key=_update_alert_key(referral))
    return referral


@transaction.atomic
def referral_alternatives_record(*, user, referral: Referral, alternatives: str) -> Referral:
    """Record the other possible services considered after a provider could not accept."""
    referral = _locked(referral)
    require(user, Action.EDIT, referral.case)
    if referral.status != rules.UNABLE_TO_ACCEPT:
        raise CaseworkError("Alternatives are recorded when the provider was unable to accept the referral.")
    if not alternatives.strip():
        raise CaseworkError("Record the alternatives considered (other possible services).")
    referral.alternatives_considered = alternatives.strip()
    referral.save(update_fields=["alternatives_considered"])
    return referral


def _case_note(*, user, case: Case, referral: Referral, text: str, alternatives: str) -> None:
    """The manual asks for a case note when a service cannot accept; it goes into the case timeline."""
    from contacts.services import case_note_add

    body = text if not alternatives else f"{text}\n\nAlternatives considered: {alternatives}"
    case_note_add(user=user, case=case, subject=f"Referral not accepted: {referral.service}", text=body)


@transaction.atomic
def referrals_end_for_case_closure(*, user, case: Case, reason: str) -> int:
    """Withdraw every open referral of a closing case (and close those a provider could not
    accept); returns how many changed. Called by the case-closure work, which has checked
    the user may close the case; the case may already be marked closed."""
    if not reason.strip():
        raise CaseworkError("Give the reason the case is closing.")
    if not visible_cases(user, Case.objects.filter(pk=case.pk)).exists():
        raise CaseworkError("No such case.")
    changed = 0
    today = timezone.localdate()
    for referral in Referral.objects.filter(case=case, status__in=rules.OPEN).select_for_update().order_by("pk"):
        target = rules.CLOSED if referral.status == rules.UNABLE_TO_ACCEPT else rules.WITHDRAWN
        on = max(today, _last_change_on(referral))
        referral_transition(user=user, referral=referral, to_status=target, on=on,
                            note=f"Case closed: {reason.strip()}", _case_closing=True)
        changed += 1
    return changed


# --- Cost and payment approval --------------------------------------------------------------


def _delegates_who_see(case: Case) -> list[User]:
    """Financial delegates (the permission, directly, by group, or superuser) who may see ``case``."""
    app_label, codename = FINANCIAL_DELEGATE_PERMISSION.split(".")
    perm = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    group_perm = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    candidates = User.objects.filter(perm | group_perm, is_active=True).distinct()
    return [u for u in candidates if can(u, Action.VIEW, case)]


def _approval_alert_key(approval: CostApproval) -> str:
    return f"referral-cost:{approval.pk}"


@transaction.atomic
def referral_cost_request(*, user, referral: Referral, cost_per_session: Decimal, sessions: int,
                          payment_method: str) -> CostApproval:
    """Confirm the cost of the service and ask a financial delegate to approve the payment."""
    referral = _locked(referral)
    require(user, Action.EDIT, referral.case)
    problems = rules.cost_request_problems(
        status=referral.status, costs_money=referral.service.costs_money,
        approval_status=_latest_cost_status(referral), cost_per_session=Decimal(cost_per_session),
        sessions=int(sessions))
    if problems:
        raise CaseworkError(" ".join(problems))
    approval = CostApproval(referral=referral, cost_per_session=cost_per_session, sessions=sessions,
                            total=rules.total_cost(cost_per_session, sessions), payment_method=payment_method,
                            requested_by=user)
    _full_clean(approval, exclude=["status"])
    approval.save()
    delegates = [d for d in _delegates_who_see(referral.case) if d.pk not in (user.pk, referral.created_by_id)]
    if delegates:
        alert_raise(key=_approval_alert_key(approval), kind=AlertKind.APPROVAL_PENDING,
                    title=f"{referral.case.reference}: referral payment of ${approval.total} awaits approval",
                    recipients=delegates, case=referral.case, link=reverse("services:approvals"))
    return approval


@transaction.atomic
def referral_cost_decide(*, user, approval: CostApproval, approve: bool, comment: str = "") -> CostApproval:
    """A financial delegate approves or declines a payment, with a comment; never their own request."""
    approval = CostApproval.objects.select_for_update().select_related("referral__case").get(pk=approval.pk)
    require(user, Action.VIEW, approval.referral.case)
    problems = rules.cost_decision_problems(
        approval_status=approval.status, decider_id=user.pk, requester_id=approval.requested_by_id,
        creator_id=approval.referral.created_by_id, is_delegate=is_financial_delegate(user), approve=approve,
        comment=comment)
    if problems:
        raise CaseworkError(" ".join(problems))
    approval.status = rules.APPROVED if approve else rules.DECLINED
    approval.decided_by = user
    approval.decided_at = timezone.now()
    approval.comment = comment.strip()
    approval.save()
    alert_resolve(key=_approval_alert_key(approval))
    referral = approval.referral
    alert_raise(key=f"referral-cost-decided:{approval.pk}", kind=AlertKind.REFERRAL,
                title=f"{referral.case.reference}: referral payment {approval.get_status_display().lower()}",
                recipients=[approval.requested_by, referral.case.caseworker], case=referral.case,
                link=referral_url(referral))
    return approval


# --- Information to the family, communication plan, provider updates --------------------------


@transaction.atomic
def family_information_record(*, user, referral: Referral, given_to, given_on: dt.date, method: str,
                              details: str) -> FamilyInformation:
    """Record what the child, parents or carer were told about how and when to access the service."""
    referral = _locked(referral)
    require(user, Action.EDIT, referral.case)
    given_to = list(given_to)
    if not given_to:
        raise CaseworkError("Name who was given the information.")
    if CaseMember.objects.filter(pk__in=[m.pk for m in given_to]).exclude(case=referral.case).exists():
        raise CaseworkError("The information can only be recorded for members of this case.")
    if given_on > timezone.localdate():
        raise CaseworkError("The date cannot be in the future.")
    if not details.strip():
        raise CaseworkError("Record the information given: how and when to access the service.")
    info = FamilyInformation(referral=referral, given_on=given_on, method=method, details=details.strip(),
                             recorded_by=user)
    _full_clean(info)
    info.save()
    info.given_to.set(given_to)
    return info


def _update_alert_key(referral: Referral) -> str:
    return f"provider-update:{referral.pk}"


@transaction.atomic
def communication_plan_save(*, user, referral: Referral, provider_contact_name: str, method: str, every_days: int,
                            started_on: dt.date | None = None, provider_contact_role: str = "",
                            provider_contact_phone: str = "", provider_contact_email: str = "",
                            family_communication: str = "", invited_to_reviews: bool = True,
                            next_review_on: dt.date | None = None) -> CommunicationPlan:
    """Agree (or change) how the provider and the agency exchange information."""
    referral = _locked(referral)
    require(user, Action.EDIT, referral.case)
    if referral.status not in rules.PLAN_STATUSES:
        raise CaseworkError("A communication plan is agreed once the provider has accepted the referral.")
    plan = CommunicationPlan.objects.filter(referral=referral).first() or CommunicationPlan(referral=referral)
    plan.started_on = started_on or plan.started_on or timezone.localdate()
    if plan.started_on > timezone.localdate():
        raise CaseworkError("The plan cannot be agreed in the future.")
    for name, value in dict(provider_contact_name=provider_contact_name.strip(), method=method, every_days=every_days,
                            provider_contact_role=provider_contact_role.strip(),
                            provider_contact_phone=provider_contact_phone.strip(),
                            provider_contact_email=provider_contact_email.strip(),
                            family_communication=family_communication.strip(),
                            invited_to_reviews=invited_to_reviews).items():
        setattr(plan, name, value)
    if not plan.provider_contact_name:
        raise CaseworkError("Name the contact person at the provider.")
    if not every_days or not 1 <= int(every_days) <= 365:
        raise CaseworkError("An update is due every 1 to 365 days.")
    last_update = referral.provider_updates.order_by("-received_on").values_list("received_on", flat=True).first()
    plan.next_update_due = rules.next_update_due(plan_started_on=plan.started_on, last_update_on=last_update,
                                                 every_days=int(every_days))
    plan.updated_by = user
    _full_clean(plan)
    plan.save()
    if next_review_on != referral.next_review_on:
        referral.next_review_on = next_review_on
        referral.save(update_fields=["next_review_on"])
    if plan.next_update_due >= timezone.localdate():
        alert_resolve(key=_update_alert_key(referral))
    return plan


@transaction.atomic
def provider_update_record(*, user, referral: Referral, received_on: dt.date, method: str,
                           summary: str) -> ProviderUpdate:
    """Record information exchanged with the provider; the next update falls due from this date."""
    referral = _locked(referral)
    require(user, Action.EDIT, referral.case)
    if referral.status not in rules.PLAN_STATUSES | {rules.COMPLETED}:
        raise CaseworkError("Updates are recorded while the provider works with the family.")
    if received_on > timezone.localdate():
        raise CaseworkError("The date of the update cannot be in the future.")
    if not summary.strip():
        raise CaseworkError("Record what was discussed or reported.")
    update = ProviderUpdate(referral=referral, received_on=received_on, method=method, summary=summary.strip(),
                            recorded_by=user)
    _full_clean(update)
    update.save()
    plan = CommunicationPlan.objects.select_for_update().filter(referral=referral).first()
    if plan is not None:
        last = referral.provider_updates.order_by("-received_on").values_list("received_on", flat=True).first()
        plan.next_update_due = rules.next_update_due(plan_started_on=plan.started_on, last_update_on=last,
                                                     every_days=plan.every_days)
        plan.save(update_fields=["next_update_due", "updated_at"])
        if plan.next_update_due >= timezone.localdate():
            alert_resolve(key=_update_alert_key(referral))
    return update


def provider_updates_check(*, today: dt.date | None = None, batch_size: int = 500) -> int:
    """Raise an alert to the caseworker for every active referral whose provider update is
    overdue. Idempotent: one alert per referral (reopened if it was resolved and the update
    is missing again). Returns how many overdue plans were found."""
    from services.selectors import plans_with_update_due

    today = today or timezone.localdate()
    found = 0
    last_pk = 0
    while True:
        batch = list(plans_with_update_due(today).filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return found
        for plan in batch:
            referral = plan.referral
            alert_raise(key=_update_alert_key(referral), kind=AlertKind.PROVIDER_UPDATE_DUE,
                        title=f"{referral.case.reference}: update from {referral.service.provider} "
                              f"overdue since {day_label(plan.next_update_due)}",
                        recipients=[referral.case.caseworker], case=referral.case, link=referral_url(referral),
                        due_on=plan.next_update_due)
        found += len(batch)
        last_pk = batch[-1].pk
