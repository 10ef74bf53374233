"""The access matrix, generated from the URL resolver: every page and every API route, tried by
the whole fixed cast on records each may and may not see.

Each route is declared below with what it is about (a case's record, a person's own thing, or
nothing in particular); a route nobody declared fails the first test, so a new page cannot
arrive without its expectation. Then, for every declared route and every member of the cast:

- a record of a case the person may not see answers exactly as a record that does not exist
  (same status, 403/404/405 — never 200), and the answer never carries the case's reference;
- a record of a case the person sees never answers 404 (unless declared, with the reason);
- signed out, a page sends to the sign-in page and the API answers 401/403;
- a page about nothing in particular (lists, dashboards, inboxes) never shows the reference
  of a case the person may not see;
- nothing answers a server error.

Who sees which case is the table in tests/cases/test_access.py (VISIBLE). The counts of the
last run are in README ("Access matrix").
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from alerts.services import alert_raise
from care import services as care_services
from care.models import CarerHousehold
from caseplans.models import PlanGoal
from cases import demo_files
from cases import services as case_services
from cases.models import ChildGoal, Person, Role
from contacts import rules as contact_rules
from contacts import services as contact_services
from contacts import visits as visit_services
from contacts.models import ComplianceRun, Contact, RequestKind
from responses import services as response_services
from responses.models import InformationKind
from services import services as referral_services
from services.models import Service, ServiceProvider, ServiceType
from tests import factories as f
from tests.care.conftest import agree as care_agree
from tests.care.conftest import arrange, staged
from tests.care.conftest import household as care_household
from tests.care.conftest import place as care_place
from tests.caseplans.conftest import draft_plan
from tests.cases.test_access import VISIBLE
from tests.contacts.conftest import visit_form

MISSING_ID = 987_654_321
MISSING_REFERENCE = "ZZZ-1999-999999"

# --- What each route is about ------------------------------------------------------------------
# CASE: a record of one case (the kwargs name it); GENERAL: nothing in particular (a list, a
# dashboard, a directory entry) — it must not show cases one may not see; OWN: a person's own
# thing (their draft, their alert), owned by the case's caseworker; PUBLIC: open to anyone.
CASE, GENERAL, OWN, PUBLIC = "case", "general", "own", "public"

ROUTES = {
    "login": PUBLIC, "logout": PUBLIC, "session_keepalive": PUBLIC, "session_status": PUBLIC,
    "session_idle_sign_out": PUBLIC, "favicon.ico": PUBLIC, "service_worker": PUBLIC, "web_manifest": PUBLIC,
    "cases:my_cases": GENERAL, "cases:create": GENERAL,
    **dict.fromkeys(["cases:detail", "cases:edit", "cases:reallocate", "cases:member_add", "cases:member_edit",
                     "cases:address_add", "cases:child_fact_add", "cases:child_fact_edit", "cases:risk_add",
                     "cases:risk_edit", "cases:restricted", "cases:looks", "cases:history", "cases:attachment_add",
                     "cases:attachment_detail", "cases:attachment_download", "cases:attachment_preview",
                     "cases:attachment_withdraw"], CASE),
    "cases:access_report": GENERAL,
    **dict.fromkeys(["contacts:create", "contacts:draft_autosave", "contacts:timeline", "contacts:month",
                     "contacts:request", "contacts:request_decide", "contacts:detail", "contacts:edit",
                     "contacts:addendum", "contacts:visit_plan", "contacts:visit_reschedule",
                     "contacts:visit_cancel"], CASE),
    "contacts:draft_discard": OWN,
    "contacts:feed": PUBLIC,  # the secret token in the address is the key (tests/contacts/test_visit_planning.py)
    **dict.fromkeys(["contacts:drafts", "contacts:visits", "contacts:approvals", "contacts:dashboard",
                     "contacts:drill_down", "contacts:runs", "contacts:run_now", "contacts:run", "contacts:calendar",
                     "contacts:feed_settings", "contacts:federal_child_months"], GENERAL),
    "caseplans:dashboard": GENERAL,
    **dict.fromkeys(["caseplans:plan_start", "caseplans:plan_detail", "caseplans:plan_edit", "caseplans:plan_submit",
                     "caseplans:plan_endorse", "caseplans:plan_return", "caseplans:plan_copy", "caseplans:plan_review",
                     "caseplans:plan_pdf", "caseplans:concern_add", "caseplans:concern_edit", "caseplans:goal_add",
                     "caseplans:goal_edit", "caseplans:goal_review", "caseplans:action_add", "caseplans:action_edit",
                     "caseplans:action_complete", "caseplans:action_withdraw", "caseplans:action_reinstate"], CASE),
    "care:family_time_list": GENERAL,
    **dict.fromkeys(["care:family_time_create", "care:cultural_plan", "care:cultural_activity_add",
                     "care:family_time_detail", "care:stage_add", "care:progression_request", "care:session_record",
                     "care:review_record", "care:progression_decide", "caseplans:prognosis_record",
                     "caseplans:alternate_plan", "caseplans:alternate_plan_decide"], CASE),
    **dict.fromkeys(["services:directory", "services:provider_detail", "services:approvals"], GENERAL),
    **dict.fromkeys(["services:cost_decide", "services:referral_create", "services:referral_detail",
                     "services:referral_edit", "services:referral_transition", "services:cost_request",
                     "services:family_information", "services:communication_plan", "services:provider_update",
                     "services:alternatives"], CASE),
    **dict.fromkeys(["care:households", "care:household_create", "care:household_detail", "care:household_edit",
                     "care:stability", "carer-household-list", "carer-household-detail", "carer-household-people",
                     "placement-list", "placement-agreement-list"], GENERAL),
    **dict.fromkeys(["care:placement_create", "care:placement_detail", "care:agreement_edit", "care:carer_visit",
                     "placement-detail", "placement-end", "placement-agreement-detail"], CASE),
    "alerts:inbox": GENERAL, "alerts:acknowledge_many": GENERAL, "alerts:acknowledge": OWN,
    **dict.fromkeys(["responses:due", "responses:inbound"], GENERAL),
    **dict.fromkeys(["responses:inbound_detail", "responses:record_alert_create", "responses:record_alert_history",
                     "responses:record_alert_end", "responses:record_alert_review", "responses:response_create",
                     "responses:response_detail", "responses:response_step", "responses:safety_assessment_create",
                     "responses:safety_plan_create", "responses:safety_plan_detail", "responses:safety_plan_decide",
                     "responses:reviews", "responses:supervision_review_create", "responses:formal_review_create",
                     "responses:recommendation_create", "responses:recommendation_decide",
                     "responses:case_close", "responses:no_increase"], CASE),
    # The API: list routes show only what one may see; detail routes are a case's records.
    **dict.fromkeys(["api-root", "api-schema", "api-docs", "case-list", "member-list", "legal-status-list",
                     "goal-list", "living-arrangement-list", "risk-assessment-list", "contact-list",
                     "case-plan-list", "plan-action-list", "service-provider-list", "service-provider-detail",
                     "service-list", "service-detail", "referral-list", "record-alert-list", "response-list",
                     "safety-assessment-list", "safety-plan-list", "supervision-review-list", "formal-review-list",
                     "recommendation-list", "inbound-message-list", "attachment-list", "planned-visit-list",
                     "family-time-list", "family-time-progression-list", "family-time-session-list",
                     "cultural-plan-list", "federal-visits", "federal-visit-child-months"],
                    GENERAL),
    "responses-inbound": PUBLIC,  # sending systems authenticate with their own token
    **dict.fromkeys(["case-detail", "member-detail", "legal-status-detail", "goal-detail",
                     "living-arrangement-detail", "risk-assessment-detail", "contact-detail",
                     "case-month-evaluation", "case-plan-detail", "case-plan-add-concern", "case-plan-add-goal",
                     "case-plan-change-concern", "case-plan-change-goal", "case-plan-copy-provided",
                     "case-plan-endorse", "case-plan-pdf", "case-plan-return-plan", "case-plan-review",
                     "case-plan-submit", "case-plan-versions", "plan-action-detail", "plan-action-complete",
                     "plan-action-withdraw", "referral-detail", "referral-communication-plan",
                     "referral-cost-approval", "referral-cost-decision", "referral-family-information",
                     "referral-transition", "referral-updates", "record-alert-detail", "record-alert-end",
                     "record-alert-review", "response-detail", "response-step", "safety-assessment-detail",
                     "safety-plan-detail", "safety-plan-decide", "supervision-review-detail",
                     "formal-review-detail", "recommendation-detail", "recommendation-close",
                     "recommendation-decide", "inbound-message-detail", "attachment-detail", "attachment-download",
                     "attachment-withdraw", "planned-visit-detail", "planned-visit-reschedule",
                     "planned-visit-cancel", "family-time-detail", "family-time-stages", "family-time-progress",
                     "family-time-sessions", "family-time-reviews", "family-time-progression-detail",
                     "family-time-progression-decide", "family-time-session-detail", "cultural-plan-detail",
                     "cultural-plan-activities", "case-plan-prognosis", "case-plan-alternate-plan",
                     "case-plan-alternate-decide"], CASE),
}

# A record one sees may still answer 404 where the page exists only in some state; each says why.
SEEN_404 = {
    # The cost decision and reinstating are for a record in another state than the furnished one.
    "caseplans:action_reinstate": "only a withdrawn action is reinstated",
    # Who has looked at a case is not even hinted at to those who may not audit it.
    "cases:looks": "only the case's team leader and its office's managers see who has looked",
    # The furnished plan is a first version: only a review version's poor prognosis has an alternate plan.
    "caseplans:alternate_plan": "only a review version with a prognosis has an alternate plan",
    "caseplans:alternate_plan_decide": "only a review version with a prognosis has an alternate plan",
}


def _routes():
    """Every named route of the resolver, once (format-suffix twins of API routes left out)."""
    def walk(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                if inner == "admin":  # the Django admin has its own permission system
                    continue
                yield from walk(entry, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
            elif isinstance(entry, URLPattern):
                names = set(entry.pattern.regex.groupindex) | set(getattr(entry.pattern, "converters", {}))
                if "format" in names or str(entry.pattern).startswith("admin/"):
                    continue
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                yield name or str(entry.pattern), sorted(names)

    seen = {}
    for name, kwargs in walk(get_resolver()):
        seen.setdefault(name, kwargs)
    seen.pop("", None)
    return seen


def test_every_route_declares_what_it_is_about():
    undeclared = sorted(name for name in _routes() if name not in ROUTES)
    assert not undeclared, f"declare these routes in ROUTES: {undeclared}"
    gone = sorted(set(ROUTES) - set(_routes()))
    assert not gone, f"these declared routes no longer exist: {gone}"


# --- A case with one of everything ----------------------------------------------------------------


def _furnish(case, leader, system, paid_service, client):
    """One record of each kind in ``case``, made through the services by its own staff."""
    worker = case.caseworker
    today = timezone.localdate()
    client.force_login(worker)
    assert client.post(f"/contacts/case/{case.reference}/new/", visit_form(case)).status_code == 302
    contact = Contact.objects.filter(case=case).latest("pk")
    draft = contact_services.draft_save(user=worker, case=case, data={"purpose": "Home visit"})
    planned = visit_services.visit_plan(user=worker, case=case, day=today, time=None, members=[case.children[0]],
                                        place="home")
    request = contact_services.requirement_change_request(
        user=worker, case=case, kind=RequestKind.INCREASE, first_month=today.replace(day=1),
        last_month=today.replace(day=1), counts=dict.fromkeys(contact_rules.ADJUSTABLE, 9), reason="New concerns")
    plan = draft_plan(case, worker, actions=1)
    referral = referral_services.referral_create(user=worker, case=case, service=paid_service,
                                                 people=[case.parents[0]], reason="Counselling as in the plan")
    approval = referral_services.referral_cost_request(user=worker, referral=referral, cost_per_session=Decimal("120"),
                                                       sessions=6, payment_method="purchase_order")
    record_alert = response_services.record_alert_create(
        user=worker, case=case, person=None, category="medical", severity="low", details="Epipen in the car",
        starts_on=today)
    response = response_services.response_record(user=worker, case=case, kind=InformationKind.NEW_CONCERN,
                                                  person=None, summary="School reports bruising")
    assessment = response_services.safety_assessment_record(user=worker, case=case, completed_on=today,
                                                            decision="safe_with_plan", threats="Stepfather")
    safety_plan = response_services.safety_plan_submit(
        user=worker, case=case, developed_on=today, threats="Stepfather", actions="Grandmother stays",
        responsible="Grandmother", assessment=assessment)
    supervision = response_services.supervision_review_record(
        user=leader, case=case, held_on=today, discussion="Progress", decisions="Continue", rationale="Safe")
    formal = response_services.formal_review_record(user=worker, case=case, held_on=today,
                                                    assessments_completed="FRRE", progress="Good", decision="Continue")
    recommendation = response_services.recommendation_make(user=worker, case=case, kind="close",
                                                           rationale="Goals met")
    message, _ = response_services.inbound_message_receive(system=system, payload={
        "message_id": f"M-{case.pk}", "kind": "court_alert", "case_reference": case.reference,
        "summary": "Order made"})
    alert = alert_raise(key=f"matrix:{case.pk}", kind="other", title=f"Check {case.reference}",
                        recipients=[worker], case=case)
    attachment = case_services.attachment_upload(
        user=worker, case=case, upload=SimpleUploadedFile("order.pdf", demo_files.pdf("Order")), title="Order")
    child = case.children[0]
    in_care = case.children[1]
    placement = care_place(case, leader, _matrix_household(), child=in_care)
    ChildGoal.objects.filter(member=in_care).update(goal="reunification")  # family time's staged plan
    agreement = care_agree(placement, worker)
    Person.objects.filter(pk=in_care.person_id).update(indigenous_status="aboriginal")
    in_care.person.refresh_from_db()
    family_time = staged(arrange(in_care, worker), worker)
    progression = care_services.progression_request(user=worker, arrangement=family_time, rationale="Going well")
    session = care_services.session_record(user=worker, arrangement=family_time, on=today, outcome="cancelled",
                                           by_whom="carer")
    cultural = care_services.cultural_plan_save(user=worker, member=in_care, review_on=today + dt.timedelta(days=60))
    return {
        "reference": case.reference, "member_id": child.pk, "kind": "legal-status",
        "fact_id": child.legal_statuses.get().pk, "assessment_id": case.risk_assessments.get().pk,
        "month": f"{today:%Y-%m}", "version": plan.version, "concern_id": plan.concerns.get().pk,
        "goal_id": PlanGoal.objects.get(plan=plan).pk, "action_id": plan.actions.get().pk,
        "referral_id": referral.pk, "target": "sent", "approval_id": approval.pk, "alert_id": record_alert.pk,
        "response_id": response.pk, "code": "view", "plan_id": safety_plan.pk,
        "recommendation_id": recommendation.pk, "message_id": message.pk, "attachment_id": attachment.pk,
        # ``pk`` names a different record on each route
        "pk": {
            "contacts:draft_discard": draft.pk, "contacts:request_decide": request.pk, "contacts:detail": contact.pk,
            "contacts:edit": contact.pk, "contacts:addendum": contact.pk, "alerts:acknowledge": alert.pk,
            "member-detail": child.pk, "legal-status-detail": child.legal_statuses.get().pk,
            "goal-detail": child.goals.get().pk, "living-arrangement-detail": child.living_arrangements.get().pk,
            "risk-assessment-detail": case.risk_assessments.get().pk, "contact-detail": contact.pk,
            "case-plan": plan.pk, "plan-action": plan.actions.get().pk, "referral": referral.pk,
            "record-alert": record_alert.pk, "response": response.pk, "safety-assessment-detail": assessment.pk,
            "safety-plan": safety_plan.pk, "supervision-review-detail": supervision.pk,
            "formal-review-detail": formal.pk, "recommendation": recommendation.pk,
            "inbound-message-detail": message.pk, "attachment": attachment.pk,
            "contacts:visit_reschedule": planned.pk, "contacts:visit_cancel": planned.pk, "planned-visit": planned.pk,
            "placement": placement.pk, "placement-agreement": agreement.pk, "care:placement_detail": placement.pk,
            "care:agreement_edit": placement.pk, "care:carer_visit": placement.pk,
            **dict.fromkeys(["care:family_time_detail", "care:stage_add", "care:progression_request",
                             "care:session_record", "care:review_record", "family-time"], family_time.pk),
            "care:progression_decide": progression.pk, "family-time-progression": progression.pk,
            "family-time-session": session.pk, "cultural-plan": cultural.pk,
        },
    }


def _matrix_household():
    """One carer household with a child of every furnished case placed there: its page lists
    only the placements of cases the reader may see."""
    existing = CarerHousehold.objects.filter(name="Fictional matrix household").first()
    return existing or care_household("Fictional matrix household")


def _pk_for(name, records):
    by_route = records["pk"]
    if name in by_route:
        return by_route[name]
    prefix = name.rsplit("-", 1)[0]
    for key in (prefix, prefix.rsplit("-", 1)[0], "-".join(name.split("-")[:2])):
        if key in by_route:
            return by_route[key]
    raise KeyError(f"no record furnished for {name}")


def _kwargs(name, names, records, *, missing=False):
    kwargs = {}
    for key in names:
        if key == "pk":
            value = _pk_for(name, records)
        else:
            value = records[key]
        if missing and key == "reference":
            value = MISSING_REFERENCE
        elif missing and isinstance(value, int):
            value = MISSING_ID
        kwargs[key] = value
    return kwargs


@pytest.fixture
def agency(cast, cases, client):
    office2_leader = f.UserFactory(role=Role.TEAM_LEADER, username="leader_c")
    office2_leader.led_teams.add(cast.team_c)
    leaders = {"own": cast.leader, "team": cast.leader, "other_team": cast.other_team_leader,
               "other_office": office2_leader}
    system, _ = response_services.sending_system_create(name="Court registry")
    provider = ServiceProvider.objects.create(name="Test Counselling Rooms")
    paid = Service.objects.create(provider=provider, name="Family counselling", service_type=ServiceType.COUNSELLING,
                                  cost_per_session=Decimal("120.00"))
    records = {position: _furnish(cases[position], leaders[position], system, paid, client)
               for position in POSITIONS}
    client.logout()
    today = timezone.localdate()
    run = ComplianceRun.objects.create(kind="manual", month=today.replace(day=1), run_on=today)
    home = _matrix_household()
    general = {"provider_id": provider.pk,
               "pk": {"service-provider-detail": provider.pk, "service-detail": paid.pk, "contacts:run": run.pk,
                      "care:household_detail": home.pk, "care:household_edit": home.pk, "carer-household": home.pk}}
    return records, general


def _answer(client, url, method="get"):
    response = getattr(client, method)(url)
    assert response.status_code < 500, (url, method, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content  # a file downloaded
    return response.status_code, body.decode(errors="replace")


ROLES = list(VISIBLE)
# "team" (a colleague's case) is seen by exactly the same people as "own" (tests/cases/test_access.py)
POSITIONS = ["own", "other_team", "other_office"]
COUNTS: dict[str, int] = {}


def _count(kind):
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


@pytest.mark.parametrize("role", ROLES)
def test_a_record_one_may_not_see_answers_as_one_that_does_not_exist(client, cast, cases, agency, role):
    records, _ = agency
    user = getattr(cast, role)
    client.force_login(user)
    routes = _routes()
    for name, scope in ROUTES.items():
        if scope not in (CASE, OWN):
            continue
        names = routes[name]
        missing_url = reverse(name, kwargs=_kwargs(name, names, records["own"], missing=True))
        missing = None
        for position in POSITIONS:
            case = cases[position]
            url = reverse(name, kwargs=_kwargs(name, names, records[position]))
            seen = position in VISIBLE[role] if scope == CASE else (case.caseworker == user)
            status, body = _answer(client, url)
            _count("requests")
            if seen:
                if name not in SEEN_404:
                    assert status != 404, (role, name, position, url)
                continue
            if missing is None:
                missing = _answer(client, missing_url)[0], _answer(client, missing_url, "post")[0]
                _count("requests")
                _count("requests")
            missing_status, missing_posted = missing
            posted, posted_body = _answer(client, url, "post")
            _count("requests")
            _count("unseen")
            assert status in (403, 404, 405) and status == missing_status, (role, name, position, status,
                                                                             missing_status)
            assert posted in (403, 404, 405) and posted == missing_posted, (role, name, position, posted,
                                                                            missing_posted)
            assert case.reference not in body and case.reference not in posted_body, (role, name, position)


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_dashboards_never_show_a_case_one_may_not_see(client, cast, cases, agency, role):
    _, general = agency
    client.force_login(getattr(cast, role))
    routes = _routes()
    hidden = [cases[position].reference for position in POSITIONS if position not in VISIBLE[role]]
    for name, scope in ROUTES.items():
        if scope != GENERAL:
            continue
        url = reverse(name, kwargs=_kwargs(name, routes[name], general))
        status, body = _answer(client, url)
        _count("requests")
        leaked = [reference for reference in hidden if reference in body]
        assert not leaked, (role, name, status, leaked)


def test_signed_out_pages_send_to_the_sign_in_page_and_the_api_refuses(client, cases, agency):
    records, general = agency
    routes = _routes()
    for name, scope in ROUTES.items():
        if scope == PUBLIC:
            continue
        url = reverse(name, kwargs=_kwargs(name, routes[name], general if scope == GENERAL else records["own"]))
        response = client.get(url)
        _count("requests")
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), (name, response.status_code)
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (name, url)
        assert cases["own"].reference not in response.content.decode(errors="replace")


def test_the_inbound_endpoint_answers_only_a_sending_systems_token(client, agency):
    refused = client.post("/api/inbound/", json.dumps({"message_id": "X", "kind": "court_alert"}),
                          content_type="application/json")
    assert refused.status_code in (401, 403)

