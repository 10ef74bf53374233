"""Reads of responding to new information: from the cases the user may see, set-based."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseplans.models import CasePlan
from cases.models import Case, CaseMember, ChildGoal, LivingArrangement, LivingKind, MemberRole
from cases.permissions import visible_cases, visible_inbound_messages
from cases.selectors import latest_risk_level_subquery
from contacts import rules as contact_rules
from contacts.models import RequestKind, RequestStatus, RequirementChange
from responses import rules
from responses.models import (
    FormalReview,
    InboundMessage,
    NoIncreaseDecision,
    PlanStatus,
    Recommendation,
    RecommendationStatus,
    RecordAlert,
    Response,
    ResponseStep,
    SafetyAssessment,
    SafetyPlan,
    SupervisionReview,
)


def _active_on(on: dt.date) -> Q:
    return (Q(starts_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))
            & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)))


def active_record_alerts(case_ids, on: dt.date | None = None) -> dict[int, list[RecordAlert]]:
    """Active alerts of each case — on the case itself and on any of its people — in one query.
    Callers pass ids of cases the user may already see. Each alert carries ``for_case_id``."""
    on = on or timezone.localdate()
    case_ids = list(case_ids)
    result: dict[int, list[RecordAlert]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return result
    rows = (RecordAlert.objects.filter(_active_on(on))
            .filter(Q(case_id__in=case_ids) | Q(person__memberships__case_id__in=case_ids))
            .annotate(for_case_id=Coalesce("case_id", "person__memberships__case_id"))
            .select_related("person").order_by("for_case_id", "-severity", "starts_on", "pk"))
    for alert in rows:
        if alert.for_case_id in result and alert not in result[alert.for_case_id]:
            result[alert.for_case_id].append(alert)
    severity_rank = {"high": 0, "medium": 1, "low": 2}
    for alerts in result.values():
        alerts.sort(key=lambda a: (severity_rank.get(a.severity, 3), a.starts_on, a.pk))
    return result


def record_alerts_of_case(case: Case, *, include_ended: bool = False) -> list[RecordAlert]:
    """Every alert of the case and its people (ended ones too when asked), newest first."""
    alerts = (RecordAlert.objects.filter(Q(case=case) | Q(person__memberships__case=case))
              .select_related("person", "recorded_by", "ended_by").distinct().order_by("-starts_on", "-pk"))
    if not include_ended:
        alerts = alerts.filter(ended_on__isnull=True)
    return list(alerts)


def record_alert_list(user) -> QuerySet:
    """Record alerts on the cases the user may see and on their people."""
    cases = visible_cases(user).values("pk")
    return (RecordAlert.objects.filter(Q(case__in=cases) | Q(person__memberships__case__in=cases))
            .select_related("case", "person", "recorded_by", "ended_by").distinct().order_by("-starts_on", "-pk"))


_STEPS = Prefetch("steps", queryset=ResponseStep.objects.select_related("done_by").order_by("position"))


def response_list(user) -> QuerySet:
    return (Response.objects.filter(case__in=visible_cases(user).values("pk"))
            .select_related("case", "person", "recorded_by").prefetch_related(_STEPS).order_by("-received_at", "-pk"))


def response_detail(user, reference: str, response_id: int) -> Response | None:
    return response_list(user).filter(case__reference=reference, pk=response_id).first()


def case_scoped(model, user) -> QuerySet:
    """Rows of ``model`` (with a ``case``) on the cases the user may see."""
    return model.objects.filter(case__in=visible_cases(user).values("pk")).select_related("case")


# --- Review due dates -----------------------------------------------------------------------------


def weeks_by_risk() -> dict[str, int]:
    return {"low": settings.RESPONSES_SUPERVISION_WEEKS_LOW,
            "moderate": settings.RESPONSES_SUPERVISION_WEEKS_MODERATE,
            "high": settings.RESPONSES_SUPERVISION_WEEKS_HIGH}


def with_review_dates(cases: QuerySet) -> QuerySet:
    """Annotate the last supervision and formal review and the latest risk level."""
    return cases.annotate(
        last_supervision_on=Subquery(SupervisionReview.objects.filter(case=OuterRef("pk"))
                                     .order_by("-held_on").values("held_on")[:1]),
        last_formal_review_on=Subquery(FormalReview.objects.filter(case=OuterRef("pk"))
                                       .order_by("-held_on").values("held_on")[:1]),
        first_plan_on=Subquery(CasePlan.objects.filter(case=OuterRef("pk"), endorsed_on__isnull=False)
                               .order_by("endorsed_on").values("endorsed_on")[:1]),
        latest_risk_level=latest_risk_level_subquery(),
    )


@dataclass(frozen=True)
class CaseReviewDates:
    case: Case
    supervision_due_on: dt.date
    supervision_status: str
    formal_review_due_on: dt.date
    formal_review_status: str


def review_dates(case: Case, today: dt.date | None = None) -> CaseReviewDates:
    """Due dates of a case annotated by :func:`with_review_dates`."""
    today = today or timezone.localdate()
    due = rules.reviews_due(opened_on=case.opened_on, last_supervision_on=case.last_supervision_on,
                            last_formal_review_on=case.last_formal_review_on, risk_level=case.latest_risk_level,
                            first_plan_on=case.first_plan_on,
                            weeks_by_risk=weeks_by_risk(), formal_review_months=settings.RESPONSES_FORMAL_REVIEW_MONTHS)
    warning = settings.RESPONSES_REVIEW_WARNING_DAYS
    return CaseReviewDates(case, due.supervision_due_on, rules.due_status(due.supervision_due_on, today, warning),
                           due.formal_review_due_on, rules.due_status(due.formal_review_due_on, today, warning))


def case_review_dates(case: Case) -> CaseReviewDates:
    return review_dates(with_review_dates(Case.objects.filter(pk=case.pk)).get())


def due_page(user) -> dict:
    """The team leader's page: review due dates of the open cases they see (soonest first),
    safety plans and recommendations waiting for them, and responses not yet complete."""
    cases = with_review_dates(visible_cases(user).open().select_related("caseworker", "team"))
    today = timezone.localdate()
    dates = sorted((review_dates(c, today) for c in cases),
                   key=lambda d: min(d.supervision_due_on, d.formal_review_due_on))
    visible = visible_cases(user).values("pk")
    return {
        "review_dates": dates,
        "plans": list(SafetyPlan.objects.filter(case__in=visible, status=PlanStatus.PENDING)
                      .select_related("case", "submitted_by").order_by("developed_on")),
        "recommendations": list(Recommendation.objects.filter(case__in=visible, status=RecommendationStatus.PENDING)
                                .select_related("case", "recommended_by").order_by("recommended_at")),
        "responses": list(Response.objects.filter(case__in=visible, completed_at__isnull=True)
                          .select_related("case").prefetch_related(_STEPS).order_by("received_at")),
        "today": today,
        "now": timezone.now(),
    }


def case_section(case: Case) -> dict:
    """What the case page shows of this app, in a fixed number of queries."""
    return {
        "record_alerts": active_record_alerts([case.pk])[case.pk],
        "responses": list(Response.objects.filter(case=case).prefetch_related(_STEPS).order_by("-received_at")[:10]),
        "assessment": SafetyAssessment.objects.filter(case=case).order_by("-completed_on", "-pk").first(),
        "plans": list(SafetyPlan.objects.filter(case=case, status__in=[PlanStatus.PENDING, PlanStatus.APPROVED,
                                                                       PlanStatus.RETURNED])
                      .select_related("submitted_by", "decided_by").order_by("-pk")[:3]),
        "recommendations": list(Recommendation.objects.filter(case=case).select_related("recommended_by", "decided_by")
                                .order_by("-recommended_at")[:3]),
        "dates": case_review_dates(case) if case.is_open else None,
        "now": timezone.now(),
    }


def inbound_list(user, status: str = "") -> QuerySet:
    """The inbound messages ``user`` may read (cases/permissions.py decides), newest first."""
    messages = visible_inbound_messages(user, InboundMessage.objects.select_related("system", "response__case",
                                                                                     "reviewed_by"))
    return messages.filter(status=status) if status else messages



# --- Additional contact while a safety plan keeps a child's return home safe ------------------


@dataclass(frozen=True)
class AdditionalContact:
    """What the safe-return rule (seed 000, 4.2) says of a case in a month: the approved
    safety plan in force, the children who have returned home, and how it was acted on."""

    plan: SafetyPlan
    returned: tuple[str, ...]
    increase: RequirementChange | None
    decision: NoIncreaseDecision | None

    @property
    def needed(self) -> bool:
        return rules.additional_contact_needed(safety_plan_in_force=True, returned=self.returned,
                                               increase_approved=self.increase is not None,
                                               no_increase_recorded=self.decision is not None)


def additional_contact(case: Case, month: dt.date) -> AdditionalContact | None:
    """For ``month`` (its first day): None unless an approved safety plan, approved by the
    month's end, is in force while a child of the case has returned home. Five queries."""
    last_day = contact_rules.month_end(month)
    plan = (SafetyPlan.objects.filter(case=case, status=PlanStatus.APPROVED)
            .select_related("decided_by").order_by("-decided_at").first())
    if plan is None or timezone.localtime(plan.decided_at).date() > last_day:
        return None
    day = min(last_day, timezone.localdate())
    children = CaseMember.objects.filter(case=case, role=MemberRole.CHILD, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)).select_related("person").order_by("pk")
    living = dict(LivingArrangement.objects.filter(member__in=children).on(day).values_list("member_id", "kind"))
    goals = dict(ChildGoal.objects.filter(member__in=children).on(day).values_list("member_id", "goal"))
    were_in_care = set(LivingArrangement.objects.filter(member__in=children, kind=LivingKind.IN_CARE,
                                                        effective_from__lte=day).values_list("member_id", flat=True))
    returned = rules.returned_home(
        rules.ChildAtHome(c.person.given_name, living.get(c.pk), goals.get(c.pk), c.pk in were_in_care)
        for c in children)
    if not returned:
        return None
    increase = (RequirementChange.objects.filter(case=case, kind=RequestKind.INCREASE, status=RequestStatus.APPROVED,
                                                 first_month__lte=month, last_month__gte=month)
                .select_related("decided_by").order_by("-decided_at").first())
    decision = NoIncreaseDecision.objects.filter(plan=plan).select_related("decided_by").first()
    return AdditionalContact(plan, returned, increase, decision)
