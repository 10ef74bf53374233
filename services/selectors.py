"""Reads of the directory, of referrals and of providers' involvement with cases.

Referral reads take the user first and start from ``visible_cases(user)``; each page
costs a fixed number of queries however many rows it shows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from cases.models import Case, CaseMember, User
from cases.permissions import visible_cases
from services import rules
from services.models import (
    CommunicationPlan,
    CostApproval,
    Referral,
    ReferralStatusChange,
    Service,
    ServiceProvider,
)

FINANCIAL_DELEGATE_PERMISSION = "services.approve_referral_cost"


def is_financial_delegate(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(FINANCIAL_DELEGATE_PERMISSION))


def financial_delegates() -> QuerySet:
    """Active staff holding the financial delegate permission directly or through a group."""
    from django.contrib.auth.models import Permission

    app_label, codename = FINANCIAL_DELEGATE_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (User.objects.filter(Q(user_permissions__in=permission) | Q(groups__permissions__in=permission),
                                is_active=True).distinct().order_by("last_name", "first_name"))


# --- Directory ------------------------------------------------------------------------------


def directory_search(*, service_type: str = "", area: str = "", text: str = "",
                     include_inactive: bool = False) -> QuerySet:
    """Services with their provider, filtered by type, area served and free text."""
    services = Service.objects.select_related("provider")
    if not include_inactive:
        services = services.filter(active=True, provider__active=True)
    if service_type:
        services = services.filter(service_type=service_type)
    if area.strip():
        services = services.filter(area_served__icontains=area.strip())
    if text.strip():
        text = text.strip()
        services = services.filter(Q(name__icontains=text) | Q(provider__name__icontains=text)
                                   | Q(how_to_refer__icontains=text))
    return services.order_by("provider__name", "name")


def provider_detail(provider_id: int) -> ServiceProvider | None:
    return (ServiceProvider.objects.prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name")))
            .filter(pk=provider_id).first())


def services_for_referral() -> QuerySet:
    """Services a new referral may name: active, from an active provider."""
    return Service.objects.filter(active=True, provider__active=True).select_related("provider")


# --- Referrals -------------------------------------------------------------------------------


def visible_referrals(user) -> QuerySet:
    return Referral.objects.filter(case__in=visible_cases(user))


def _latest_cost_status():
    return Subquery(CostApproval.objects.filter(referral=OuterRef("pk")).order_by("-requested_at", "-id")
                    .values("status")[:1])


def _last_contact_on():
    """The later of the last update under the communication plan and the last contact
    recorded with the provider's worker on this case (contacts app)."""
    from contacts.models import Contact

    last_update = Subquery(Referral.objects.filter(pk=OuterRef("pk")).annotate(
        last=Max("provider_updates__received_on")).values("last")[:1])
    last_contact = Subquery(
        Contact.objects.filter(case_id=OuterRef("case_id"), provider_id=OuterRef("service__provider_id"))
        .order_by("-occurred_at").annotate(day=TruncDate("occurred_at")).values("day")[:1])
    return last_update, last_contact


def _with_summary(referrals: QuerySet) -> QuerySet:
    last_update, last_contact = _last_contact_on()
    return (referrals.select_related("service__provider", "case", "communication_plan")
            .annotate(cost_status=_latest_cost_status(), last_update_on=last_update, last_contact_on=last_contact))


def case_referrals(case: Case) -> list[Referral]:
    """The coordination view of one case: every referral with status, last contact and
    next review/update (the caller has already checked the user may see the case)."""
    referrals = list(
        _with_summary(Referral.objects.filter(case=case))
        .prefetch_related(Prefetch("people", queryset=CaseMember.objects.select_related("person")))
        .order_by("-created_at", "-id"))
    for referral in referrals:
        _set_last_exchange(referral)
    return referrals


def _set_last_exchange(referral: Referral) -> Referral:
    referral.last_exchange_on = max((d for d in (referral.last_update_on, referral.last_contact_on) if d),
                                    default=None)
    return referral


def referral_detail(user, reference: str, referral_id: int) -> Referral | None:
    """One referral with everything its page shows, if ``user`` may see its case."""
    members = CaseMember.objects.select_related("person")
    referral = (
        _with_summary(visible_referrals(user).filter(case__reference=reference, pk=referral_id))
        .select_related("created_by", "self_referred_by__person", "case__team", "case__caseworker")
        .prefetch_related(
            Prefetch("people", queryset=members),
            Prefetch("status_changes", queryset=ReferralStatusChange.objects.select_related("changed_by")),
            Prefetch("cost_approvals", queryset=CostApproval.objects.select_related("requested_by", "decided_by")),
            Prefetch("family_information", queryset=_family_information_rows(members)),
            "provider_updates__recorded_by",
        )
        .first()
    )
    return _set_last_exchange(referral) if referral else None


def _family_information_rows(members):
    from services.models import FamilyInformation

    return FamilyInformation.objects.select_related("recorded_by").prefetch_related(
        Prefetch("given_to", queryset=members))


def pending_cost_approvals(user) -> QuerySet:
    """Payments waiting for a decision, on cases the financial delegate may see."""
    if not is_financial_delegate(user):
        return CostApproval.objects.none()
    return (CostApproval.objects.filter(status=rules.PENDING, referral__case__in=visible_cases(user))
            .select_related("referral__case", "referral__service__provider", "requested_by", "referral__created_by")
            .order_by("requested_at", "id"))


def referral_list(user, *, status: str = "", mine: bool = False) -> QuerySet:
    """Referrals of every case the user may see (API and lists)."""
    referrals = visible_referrals(user)
    if status:
        referrals = referrals.filter(status=status)
    if mine:
        referrals = referrals.filter(case__caseworker=user)
    return (_with_summary(referrals).prefetch_related("people", "status_changes__changed_by")
            .order_by("-created_at", "-id"))


# --- Involvement in the case plan (read by the contacts engine) ----------------------------


def provider_involvement(case_ids, start: dt.date, end: dt.date) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """For each case, the providers involved in implementing its plan at some point in
    [start, end], as (provider id, from, to) — one query for any number of cases.

    A provider is involved from the day one of its services' referrals on the case became
    active to the day that referral was completed or withdrawn (inclusive; open while it
    is still active). A provider's face-to-face contacts supplement the contact standard
    only on dates inside one of these periods."""
    periods: dict[int, list] = defaultdict(list)
    rows = (
        Referral.objects.filter(case_id__in=case_ids, active_on__isnull=False, active_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .order_by("active_on", "pk")
        .values_list("case_id", "service__provider_id", "active_on", "ended_on")
    )
    for case_id, provider_id, start_on, end_on in rows:
        periods[case_id].append((provider_id, start_on, end_on))
    return periods


# --- Communication plans ---------------------------------------------------------------------


def plans_with_update_due(today: dt.date) -> QuerySet:
    """Communication plans of active referrals on open cases whose update is overdue."""
    return (CommunicationPlan.objects.filter(referral__status=rules.ACTIVE, referral__case__closed_on__isnull=True,
                                             next_update_due__lt=today)
            .select_related("referral__case__caseworker", "referral__service__provider")
            .order_by("pk"))
