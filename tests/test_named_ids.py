"""Every id a write names resolves against what the writer may see in THAT case (issue 12,
defects 2–4). For each write endpoint and each id field: an id of another case (an invisible
one, or a visible one that is not the case of the write) or of staff who may not work on the
case answers exactly like an id that does not exist — same status, same text — and nothing
is saved. The same payload with an id of the case itself succeeds, so the refusals are about
the id and nothing else."""

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.utils import timezone

from caseplans.models import CasePlan, PlanAction
from cases.models import CaseMember, LivingArrangement, RiskAssessment, Role
from contacts.models import Contact, ScheduledVisit
from responses import services as response_services
from responses.models import (
    FormalReview,
    Recommendation,
    RecordAlert,
    Response,
    SafetyAssessment,
    SafetyPlan,
    SupervisionReview,
)
from services.models import FamilyInformation, Referral, Service, ServiceProvider
from tests import factories as f
from tests.caseplans.conftest import draft_plan
from tests.conftest import make_family_case
from tests.responses.conftest import new_concern

TODAY = timezone.localdate()
MISSING_ID = 999_999_999
MISSING_REFERENCE = "QLD-2099-999999"


@dataclass
class World:
    """The worker's case with one of every record, and the same records elsewhere."""

    cast: object
    own: object  # cases["own"], allocated to cast.worker
    fresh: object  # another case of the worker, without a plan
    visible_other: object  # the colleague's case: the worker sees it, but it is another case
    invisible: object  # another office's case
    records: dict  # kind -> {"own": id, "visible_other": id, "invisible": id}


def _plan_with_goal_and_action(case):
    plan = draft_plan(case, case.caseworker, actions=1)
    return plan, plan.goals.get(), plan.actions.get()


@pytest.fixture
def world(cast, cases):
    fresh = make_family_case(cast.worker)
    for case in (cases["own"], fresh):
        case.substantiated_on = TODAY - dt.timedelta(days=10)
        case.save()
    office2_leader = f.UserFactory(role=Role.TEAM_LEADER, username="leader_c")
    office2_leader.led_teams.add(cast.team_c)
    records = {}
    for position in ("own", "team", "other_office"):
        case = cases[position]
        plan, goal, action = _plan_with_goal_and_action(case)
        response = new_concern(case, case.caseworker)
        response_services.response_step_complete(user=case.caseworker, response=response, code="view")
        name = {"own": "own", "team": "visible_other", "other_office": "invisible"}[position]
        for kind, value in (("member", case.parents[0].pk), ("child", case.children[0].pk),
                            ("person", case.parents[0].person_id), ("plan", plan.pk), ("plan_goal", goal.pk),
                            ("plan_action", action.pk), ("response", response.pk), ("case", case.reference)):
            records.setdefault(kind, {})[name] = value
    records["staff"] = {"own": cast.colleague.pk, "administrator": cast.administrator.pk,
                        "other_team_leader": cast.other_team_leader.pk, "other_office_leader": office2_leader.pk,
                        "other_office_manager": cast.other_office_manager.pk}
    records["leader"] = {"own": cast.leader.pk, "other_team_leader": cast.other_team_leader.pk,
                         "other_office_leader": office2_leader.pk, "administrator": cast.administrator.pk}
    return World(cast=cast, own=cases["own"], fresh=fresh, visible_other=cases["team"],
                 invisible=cases["other_office"], records=records)


def _free_service():
    provider, _created = ServiceProvider.objects.get_or_create(name="Test Parenting Hub")
    service, _created = Service.objects.get_or_create(provider=provider, name="Parenting program",
                                                      defaults={"service_type": "parenting", "cost_per_session": 0})
    return service


def _visit(w, case):
    return {"case": case.reference, "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "kind": "face_to_face", "location": "child_living_environment",
            "participants": [{"member": case.children[0].pk, "seen_alone": False}], "observations": "Seen."}


def _referral(w):
    return {"case": w.own.reference, "service": _free_service().pk, "people": [w.own.parents[0].pk],
            "reason": "Support"}


def _own_referral(w):
    from services import services as referral_services

    return referral_services.referral_create(user=w.cast.worker, case=w.own, service=_free_service(),
                                             people=[w.own.parents[0]], reason="Support")


def _alert(w):
    return response_services.record_alert_create(user=w.cast.worker, case=w.own, person=None, category="other",
                                                 severity="low", details="Dog", starts_on=TODAY)


@dataclass
class Write:
    """One write endpoint: who posts it, where, a valid body, and how an id goes into it."""

    name: str
    url: object  # World -> url
    body: object  # World -> valid body (of the worker's case)
    fields: dict  # id field -> (kind, function(body, value) -> None)
    saved: object  # model whose rows are counted
    method: str = "post"
    role: str = "worker"
    ok: int = 201


def _set(key):
    def put(body, value):
        body[key] = value
    return put


def _first(key):
    def put(body, value):
        body[key] = [value]
    return put


def _participant(body, value):
    body["participants"] = [{"member": value, "seen_alone": False}]


def _location_person(body, value):
    body["location"], body["location_person"] = "other", value


def _self_referral(body, value):
    body["self_referral"], body["self_referred_by"], body["support_given"] = True, value, "Phoned with her"


def _objective(body, value):
    body["objectives"] = {str(value): "remain_home"}


def _planned_visit(w):
    return {"case": w.own.reference, "scheduled_for": (TODAY + dt.timedelta(days=2)).isoformat(),
            "members": [w.own.children[0].pk], "place": "home"}


WRITES = [
    Write("planned visit", lambda w: "/api/planned-visits/", _planned_visit,
          {"case": ("case", _set("case")), "members": ("member", _first("members"))}, ScheduledVisit),
    Write("contact", lambda w: "/api/contacts/", lambda w: _visit(w, w.own),
          {"case": ("case", _set("case")), "participants": ("member", _participant),
           "location_person": ("person", _location_person), "made_by": ("staff", _set("made_by"))}, Contact),
    Write("referral", lambda w: "/api/referrals/", _referral,
          {"case": ("case", _set("case")), "people": ("member", _first("people")),
           "self_referred_by": ("member", _self_referral), "plan_action": ("plan_action", _set("plan_action"))},
          Referral),
    Write("family information", lambda w: f"/api/referrals/{_own_referral(w).pk}/family-information/",
          lambda w: {"given_to": [w.own.parents[0].pk], "given_on": TODAY.isoformat(), "method": "phone",
                     "details": "Mondays 9am"},
          {"given_to": ("member", _first("given_to"))}, FamilyInformation, ok=200),
    Write("record alert", lambda w: "/api/record-alerts/",
          lambda w: {"case": w.own.reference, "category": "other", "severity": "low", "details": "Dog",
                     "starts_on": TODAY.isoformat()},
          {"case": ("case", _set("case")), "person": ("person", _set("person"))}, RecordAlert),
    Write("record alert end", lambda w: f"/api/record-alerts/{_alert(w).pk}/end/",
          lambda w: {"case": w.own.reference, "reason": "Dog rehomed", "lock_version": 1},
          {"case": ("case", _set("case"))}, RecordAlert.objects.filter(ended_on__isnull=False), ok=200),
    Write("record alert review", lambda w: f"/api/record-alerts/{_alert(w).pk}/review/",
          lambda w: {"case": w.own.reference, "next_review_on": (TODAY + dt.timedelta(days=30)).isoformat(),
                     "lock_version": 1},
          {"case": ("case", _set("case"))}, RecordAlert.objects.filter(review_on__isnull=False), ok=200),
    Write("response", lambda w: "/api/responses/",
          lambda w: {"case": w.own.reference, "kind": "new_concern", "summary": "School reports bruising"},
          {"case": ("case", _set("case")), "person": ("person", _set("person"))}, Response),
    Write("safety assessment", lambda w: "/api/safety-assessments/",
          lambda w: {"case": w.own.reference, "completed_on": TODAY.isoformat(), "decision": "safe"},
          {"case": ("case", _set("case")), "response": ("response", _set("response"))}, SafetyAssessment),
    Write("safety plan", lambda w: "/api/safety-plans/",
          lambda w: {"case": w.own.reference, "developed_on": TODAY.isoformat(), "threats": "t", "actions": "a",
                     "responsible": "r"},
          {"case": ("case", _set("case"))}, SafetyPlan),
    Write("supervision review", lambda w: "/api/supervision-reviews/",
          lambda w: {"case": w.own.reference, "held_on": TODAY.isoformat(), "discussion": "d", "decisions": "d",
                     "rationale": "r"},
          {"case": ("case", _set("case"))}, SupervisionReview, role="leader"),
    Write("formal review", lambda w: "/api/formal-reviews/",
          lambda w: {"case": w.own.reference, "held_on": TODAY.isoformat(), "assessments_completed": "a",
                     "progress": "p", "decision": "d"},
          {"case": ("case", _set("case"))}, FormalReview),
    Write("recommendation", lambda w: "/api/recommendations/",
          lambda w: {"case": w.own.reference, "kind": "close", "rationale": "Safe now"},
          {"case": ("case", _set("case"))}, Recommendation),
    Write("case plan", lambda w: "/api/case-plans/",
          lambda w: {"case": w.fresh.reference, "visit_frequency": "Weekly"},
          {"case": ("case", _set("case")), "caseworker": ("staff", _set("caseworker")),
           "objectives": ("child", _objective)}, CasePlan),
    Write("plan action", lambda w: "/api/plan-actions/",
          lambda w: {"plan": w.records["plan"]["own"], "what": "Attend counselling weekly"},
          {"plan": ("plan", _set("plan")), "goal": ("plan_goal", _set("goal"))}, PlanAction),
    Write("member", lambda w: "/api/members/",
          lambda w: {"case": w.own.reference, "existing_person": w.fresh.parents[0].person_id, "role": "parent",
                     "joined_on": w.own.opened_on.isoformat()},
          {"case": ("case", _set("case")), "existing_person": ("person", _set("existing_person"))}, CaseMember),
    Write("living arrangement", lambda w: "/api/living-arrangements/",
          lambda w: {"member": w.own.children[0].pk, "kind": "at_home", "with_person": w.own.parents[0].person_id,
                     "effective_from": TODAY.isoformat(), "end_current": True},
          {"member": ("child", _set("member")), "with_person": ("person", _set("with_person"))},
          LivingArrangement),
    Write("risk assessment", lambda w: "/api/risk-assessments/",
          lambda w: {"case": w.own.reference, "tool": "frre", "completed_on": TODAY.isoformat(),
                     "risk_level": "high", "approved_by": w.cast.leader.pk},
          {"case": ("case", _set("case")), "approved_by": ("leader", _set("approved_by"))}, RiskAssessment),
]

# Ids a field may legitimately name outside the write's case: any case one may change; a person
# of any case one sees may be added to another; a plan or a child names the case of the write.
MAY_NAME_VISIBLE_OTHER = {("member", "existing_person"), ("plan action", "plan"), ("living arrangement", "member")}


def _foreign(write, field, kind):
    if kind in ("staff", "leader"):
        return WORLD_STAFF[kind]
    if kind == "case" or (write.name, field) in MAY_NAME_VISIBLE_OTHER:
        return ["invisible"]
    return ["visible_other", "invisible"]


WORLD_STAFF = {"staff": ["administrator", "other_team_leader", "other_office_leader", "other_office_manager"],
               "leader": ["other_team_leader", "other_office_leader", "administrator"]}


def _cases():
    for write in WRITES:
        for field, (kind, _put) in write.fields.items():
            for foreign in _foreign(write, field, kind):
                yield pytest.param(write, field, foreign, id=f"{write.name}-{field}-{foreign}")


def _count(saved):
    return saved.count() if hasattr(saved, "count") and not isinstance(saved, type) else saved.objects.count()


def _send(client, write, url, body):
    call = getattr(client, write.method)
    return call(url, json.dumps(body), content_type="application/json")


def _missing_value(kind):
    return MISSING_REFERENCE if kind == "case" else MISSING_ID


def _normalised(answer, value):
    body = answer.json()
    if isinstance(body, dict) and "draft" in body:
        # A refused contact keeps what was typed as a new draft, for either id alike: only
        # the new draft's own id differs between the two answers.
        body["draft"] = "<the draft kept>"
    return json.dumps(body).replace(str(value), "<id>")


def _answers(client, world, write, values: dict, attempt) -> dict:
    """Sign in as the write's author and try it with each of ``values`` (label -> id);
    their answers (``attempt(url, id)``), after checking that none saved anything."""
    client.force_login(getattr(world.cast, write.role))
    url = write.url(world)
    before = _count(write.saved)
    answers = {label: attempt(url, value) for label, value in values.items()}
    assert _count(write.saved) == before
    return answers


@pytest.mark.parametrize("write, field, foreign", list(_cases()))
def test_an_id_one_may_not_use_answers_like_a_missing_one_and_saves_nothing(client, world, write, field, foreign):
    kind, put = write.fields[field]

    def attempt(url, value):
        body = write.body(world)
        put(body, value)
        answer = _send(client, write, url, body)
        return answer.status_code, _normalised(answer, value)

    answers = _answers(client, world, write, {"foreign": world.records[kind][foreign],
                                              "missing": _missing_value(kind)}, attempt)
    assert answers["foreign"][0] == 400, answers
    assert answers["foreign"] == answers["missing"]


@pytest.mark.parametrize("write", [pytest.param(w, id=w.name) for w in WRITES])
def test_the_same_write_naming_records_of_its_own_case_succeeds(client, world, write):
    client.force_login(getattr(world.cast, write.role))
    url = write.url(world)
    before = _count(write.saved)
    body = write.body(world)
    for field, (kind, put) in write.fields.items():
        if kind == "case":
            continue  # the body names its own case already
        value = world.records[kind]["own"]
        if write.name == "case plan" and kind == "child":
            value = world.fresh.children[0].pk
        if write.name == "member" and field == "existing_person":
            value = world.fresh.parents[0].person_id
        put(body, value)
    answer = _send(client, write, url, body)
    assert answer.status_code == write.ok, answer.content
    assert _count(write.saved) == before + 1


def _api_serializer_classes():
    """Every serializer class of the API's modules."""
    import importlib
    import inspect

    from rest_framework import serializers

    for app in ("cases", "contacts", "caseplans", "services", "responses"):
        module = importlib.import_module(f"{app}.api.serializers")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, serializers.BaseSerializer) and value.__module__ == module.__name__
                    and not value.__name__.startswith("_")):  # a private base is checked through its subclasses
                yield value


# Records anyone on staff may name: the service directory, and the organisation itself.
SHARED_MODELS = {"services.Service", "services.ServiceProvider", "cases.Team", "cases.Office"}


def _related_fields(serializer):
    from rest_framework import relations

    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, relations.ManyRelatedField):
            yield name, field.child_relation
        elif isinstance(field, relations.RelatedField):
            yield name, field


@pytest.mark.parametrize("serializer_class", list(_api_serializer_classes()), ids=lambda c: c.__name__)
def test_every_id_an_api_write_accepts_resolves_through_the_permissions_module(serializer_class):
    """Fail closed: a new writable field naming a case record with a plain queryset (which
    would accept other cases' ids) makes this test fail until it uses the shared fields."""
    from cases.permissions import VisibleCaseField, VisibleRelatedField

    for name, field in _related_fields(serializer_class(context={})):
        label = field.queryset.model._meta.label
        assert label in SHARED_MODELS or isinstance(field, (VisibleCaseField, VisibleRelatedField)), (
            f"{serializer_class.__name__}.{name} names {label} without VisibleCaseField / VisibleRelatedField")


# --- The same on the pages: every form takes its choices from records_in_case ---------------------


@dataclass
class PageWrite:
    name: str
    url: object  # World -> url
    data: object  # World -> valid form data (of the worker's case)
    fields: dict  # form field -> kind
    saved: object
    role: str = "worker"


def _contact_data(w):
    # Yesterday, so that 00:01 is never in the future whatever the hour.
    return {"kind": "face_to_face", "mode": "in_person", "occurred_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "start_time": "00:01", "participants": [w.own.children[0].pk], "announced": "yes", "location": "other",
            "location_person": w.own.parents[0].person_id, "made_by": w.cast.worker.pk}


PAGE_WRITES = [
    PageWrite("planned visit", lambda w: f"/contacts/case/{w.own.reference}/visits/plan/",
              lambda w: {"scheduled_for": (TODAY + dt.timedelta(days=2)).isoformat(),
                         "members": [w.own.children[0].pk], "place": "home"},
              {"members": "member"}, ScheduledVisit),
    PageWrite("contact", lambda w: f"/contacts/case/{w.own.reference}/new/", _contact_data,
              {"participants": "member", "location_person": "person", "made_by": "staff"}, Contact),
    PageWrite("referral", lambda w: f"/services/cases/{w.own.reference}/referrals/new/",
              lambda w: {"service": _free_service().pk, "people": [w.own.parents[0].pk], "reason": "Support",
                         "self_referral": "on", "self_referred_by": w.own.parents[0].pk,
                         "support_given": "Phoned with her", "plan_action": w.records["plan_action"]["own"]},
              {"people": "member", "self_referred_by": "member", "plan_action": "plan_action"}, Referral),
    PageWrite("family information",
              lambda w: f"/services/cases/{w.own.reference}/referrals/{_own_referral(w).pk}/information/",
              lambda w: {"given_to": [w.own.parents[0].pk], "given_on": TODAY.isoformat(), "method": "phone",
                         "details": "Mondays 9am"},
              {"given_to": "member"}, FamilyInformation),
    PageWrite("record alert", lambda w: f"/responses/cases/{w.own.reference}/alerts/new/",
              lambda w: {"about": w.own.parents[0].person_id, "category": "other", "severity": "low",
                         "details": "Dog", "starts_on": TODAY.isoformat()},
              {"about": "person"}, RecordAlert),
    PageWrite("response", lambda w: f"/responses/cases/{w.own.reference}/responses/new/",
              lambda w: {"kind": "new_concern", "person": w.own.parents[0].person_id, "summary": "Bruising"},
              {"person": "person"}, Response),
    PageWrite("living arrangement",
              lambda w: f"/cases/{w.own.reference}/members/{w.own.children[0].pk}/living-arrangement/new/",
              lambda w: {"kind": "at_home", "with_person": w.own.parents[0].person_id,
                         "effective_from": TODAY.isoformat(), "end_current": "on"},
              {"with_person": "person"}, LivingArrangement),
    PageWrite("risk assessment", lambda w: f"/cases/{w.own.reference}/risk/new/",
              lambda w: {"tool": "frre", "completed_on": TODAY.isoformat(), "risk_level": "high",
                         "approved_by": w.cast.leader.pk},
              {"approved_by": "leader"}, RiskAssessment),
    PageWrite("case plan", lambda w: f"/plans/cases/{w.fresh.reference}/new/",
              lambda w: {"caseworker": w.cast.worker.pk, "visit_frequency": "Weekly"},
              {"caseworker": "staff"}, CasePlan),
    PageWrite("plan action", lambda w: f"/plans/cases/{w.own.reference}/v1/actions/new/",
              lambda w: {"goal": w.records["plan_goal"]["own"], "what": "Attend counselling weekly"},
              {"goal": "plan_goal"}, PlanAction),
]


def _page_cases():
    for write in PAGE_WRITES:
        for field, kind in write.fields.items():
            for foreign in (WORLD_STAFF[kind] if kind in WORLD_STAFF else ["visible_other", "invisible"]):
                yield pytest.param(write, field, foreign, id=f"{write.name}-{field}-{foreign}")


def _put_form(data, field, value):
    data[field] = [value] if isinstance(data.get(field), list) else value


def _form_answer(page, field, value):
    form = page.context["form"] if page.context else None
    errors = [str(e).replace(str(value), "<id>") for e in form.errors.get(field, [])] if form else []
    return page.status_code, errors


@pytest.mark.parametrize("write, field, foreign", list(_page_cases()))
def test_a_form_refuses_an_id_one_may_not_use_like_a_missing_one(client, world, write, field, foreign):
    def attempt(url, value):
        data = write.data(world)
        _put_form(data, field, value)
        return _form_answer(client.post(url, data), field, value)

    answers = _answers(client, world, write, {"foreign": world.records[write.fields[field]][foreign],
                                              "missing": MISSING_ID}, attempt)
    assert answers["foreign"][1], answers  # the field says what is wrong
    assert answers["foreign"] == answers["missing"]


@pytest.mark.parametrize("write", [pytest.param(w, id=w.name) for w in PAGE_WRITES])
def test_a_form_naming_records_of_its_own_case_saves(client, world, write):
    client.force_login(getattr(world.cast, write.role))
    url = write.url(world)
    before = _count(write.saved)
    page = client.post(url, write.data(world))
    assert page.status_code == 302, page.context["form"].errors if page.context else page
    assert _count(write.saved) == before + 1
