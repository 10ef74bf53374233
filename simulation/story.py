"""The story: an entirely fictional agency and what its staff do each day.

One ``random.Random`` seeded from ``--seed`` decides everything: the agency, the families
and each day's actions, in a fixed order (cases by reference, records by creation order),
so the same seed tells the same story. Every action calls the product's real services —
the same calls its pages and API make — at a moment of the working day on the controlled
clock. A service that refuses (a domain error, 403 or 404) is what a user would see: the
action is counted as refused and the day goes on. Any other exception is the product
failing and is kept for the report.

Names are invented from the demo agency's word lists (cases/demo.py); nothing the
simulation prints names a person: cases are named by reference number.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from alerts.models import Alert, AlertKind, AlertRecipient, AlertStatus
from alerts.services import alert_acknowledge
from cases import demo
from cases.models import (
    RISK_LEVEL_TOOLS,
    Address,
    Case,
    CaseMember,
    CasePlanGoal,
    ChildGoal,
    InterventionType,
    LegalStatus,
    LivingArrangement,
    LivingKind,
    MemberRole,
    Office,
    Person,
    Phase,
    RiskAssessment,
    RiskLevel,
    RiskTool,
    Role,
    Team,
    User,
)
from cases.services import (
    CaseworkError,
    address_record,
    case_create,
    case_reallocate,
    case_update,
    child_fact_record,
    member_add,
    member_update,
    risk_assessment_record,
)
from contacts import rules, workdays
from contacts.models import Contact, ContactKind, Location, RequestKind, RequestStatus, RequirementChange
from contacts.services import (
    ContactInput,
    addendum_add,
    contact_record,
    contact_update,
    requirement_change_decide,
    requirement_change_effects,
    requirement_change_request,
    scheduled_visits_cancel,
)
from simulation.clock import at

log = logging.getLogger(__name__)

# What a user is told when a service refuses: the action is refused, not failed.
REFUSALS = (CaseworkError, PermissionDenied, Http404)


# --- The agency -------------------------------------------------------------------------------

@dataclass
class Agency:
    offices: list[Office]
    teams: list[Team]
    leaders: dict[int, User]  # team id → leader
    caseworkers: dict[int, list[User]]  # team id → caseworkers
    support_officers: dict[int, User]  # team id → support officer
    managers: dict[int, User]  # office id → manager
    administrator: User


def agency_create(rng: random.Random, cases: int) -> Agency:
    """Two offices, teams of about ten cases a caseworker, sized for ``cases`` open cases;
    the first office has at least two teams, so its manager can transfer between them.
    Staff are reference data, entered by an administrator: created directly."""
    team_count = max(3, -(-cases // 50))
    per_team = max(2, round(cases / team_count / 10))
    password = make_password(None)  # nobody signs in to a simulation
    pairs = [(g, f) for g in demo.GIVEN_ADULT for f in demo.FAMILY]
    names = iter(rng.sample(pairs, min(len(pairs), 3 + team_count * (per_team + 2))))

    def user(username, role, team=None):
        given, family = next(names, ("Alex", "Staff"))
        return User.objects.create(username=username, first_name=given, last_name=family, role=role, team=team,
                                   email=f"{username}@casework.example", password=password)

    offices, teams, leaders, caseworkers, support, managers = [], [], {}, {}, {}, {}
    for number, (name, code) in enumerate(demo.OFFICES):
        office = Office.objects.create(name=name, code=code)
        offices.append(office)
        manager = user(f"sim.manager.{code.lower()}", Role.MANAGER)
        manager.managed_offices.add(office)
        managers[office.pk] = manager
        for t in range((team_count + 1) // 2 if number == 0 else team_count // 2):
            team = Team.objects.create(office=office, name=f"{name.split()[0]} Team {chr(65 + t)}")
            teams.append(team)
            suffix = f"{code.lower()}{t + 1}"
            leaders[team.pk] = user(f"sim.tl.{suffix}", Role.TEAM_LEADER)
            leaders[team.pk].led_teams.add(team)
            caseworkers[team.pk] = [user(f"sim.cw.{suffix}.{n + 1}", Role.CASEWORKER, team) for n in range(per_team)]
            support[team.pk] = user(f"sim.so.{suffix}", Role.SUPPORT_OFFICER, team)
    administrator = user("sim.admin", Role.ADMINISTRATOR)
    return Agency(offices, teams, leaders, caseworkers, support, managers, administrator)


# --- Families ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """A kind of family: the children's legal status, goal and where they live."""

    name: str
    intervention: str
    goal: str
    in_care: bool
    weight: int


KINDS = [
    Kind("in_home", InterventionType.PARENTAL_AGREEMENT, CasePlanGoal.REMAIN_AT_HOME, False, 30),
    Kind("in_home", InterventionType.SUPERVISION_ORDER, CasePlanGoal.REMAIN_AT_HOME, False, 15),
    Kind("in_home", InterventionType.DIRECTIVE_ORDER, CasePlanGoal.REMAIN_AT_HOME, False, 5),
    Kind("in_home", InterventionType.CARE_AGREEMENT, CasePlanGoal.REMAIN_AT_HOME, False, 5),
    Kind("reunification", InterventionType.SHORT_TERM_CUSTODY, CasePlanGoal.REUNIFICATION, True, 12),
    Kind("reunification", InterventionType.SHORT_TERM_GUARDIANSHIP, CasePlanGoal.REUNIFICATION, True, 8),
    Kind("in_care", InterventionType.LONG_TERM_GUARDIANSHIP_CHIEF_EXECUTIVE, CasePlanGoal.LONG_TERM_CARE, True, 12),
    Kind("ltg_suitable", InterventionType.LONG_TERM_GUARDIANSHIP_SUITABLE_PERSON, CasePlanGoal.PERMANENCY, True, 8),
    Kind("permanent", InterventionType.PERMANENT_CARE, CasePlanGoal.PERMANENCY, True, 5),
]
RISKS = [RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.MODERATE, RiskLevel.HIGH]
OVERRIDE_REASONS = ["Family interstate for a funeral", "Child in hospital for most of the month",
                    "Parent in residential rehabilitation", "Family relocating between regions"]
INCREASE_REASONS = ["New concerns reported by the school", "Parent's mental health deteriorating",
                    "Newborn in the household"]
SUPPORT_PARTIES = [("School principal", "Kestrel Park State School"), ("Child health nurse", "Community health"),
                   ("Counsellor", "Family support service"), ("Youth worker", "Quarry Hill youth service")]


@dataclass
class CasePlan:
    """The story's private intentions for a case (never stored in the product)."""

    diligence: float  # how much of the required contact the caseworker manages
    close_after: dt.date  # from when the case may be closed
    risk_due: dt.date | None = None  # the first risk assessment, when it is recorded late


@dataclass
class Household:
    """A case as it stands this morning: read in a few set-based queries for all open cases."""

    case: Case
    members: list[CaseMember]
    living: dict[int, tuple[str, int | None]]  # child member id → (kind, lives with person id)
    status: dict[int, str]  # child member id → intervention type
    goal: dict[int, str]  # child member id → goal
    risk: str | None

    def present(self, day: dt.date, role: str | None = None) -> list[CaseMember]:
        return [m for m in self.members if m.joined_on <= day and (m.left_on is None or m.left_on >= day)
                and (role is None or m.role == role)]


# --- The story ----------------------------------------------------------------------------------

@dataclass
class Story:
    seed: int
    target_open: int
    go_live: dt.date
    rng: random.Random = field(init=False)
    agency: Agency | None = None
    plans: dict[int, CasePlan] = field(default_factory=dict)
    done: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    failed: list[tuple[str, dt.datetime, str]] = field(default_factory=list)
    # (contact id, case id, author id, recorded on) of contacts recorded by the story, oldest first
    recorded: list[tuple[int, int, int, dt.date]] = field(default_factory=list)
    acknowledged: dict[int, dt.datetime] = field(default_factory=dict)  # alert id → when the story acknowledged it

    def __post_init__(self):
        self.rng = random.Random(f"casework-simulation:{self.seed}")

    # -- running an action ------------------------------------------------------------------

    def act(self, kind: str, thunk, now: dt.datetime):
        """Run one staff action (a service call) as a request would: refused or done, or failed."""
        try:
            result = thunk()
        except REFUSALS as refusal:
            self.refused[kind] += 1
            log.debug("Staff action %s refused: %s", kind, refusal)
            return None
        except Exception as error:  # noqa: BLE001 — the product failing is what the report is for
            log.exception("Staff action %s failed", kind)
            self.failed.append((kind, now, f"{type(error).__name__}: {error}"))
            return None
        if result is not False:
            self.done[kind] += 1
        return result

    # -- the agency before go-live ----------------------------------------------------------

    def setup(self, cases: int) -> None:
        """The agency as it is migrated from the system before: staff, and ``cases`` open
        cases opened over the previous years, written in bulk by the demo agency's loader
        (cases.demo.create_cases: every intervention type and risk level, some without a
        risk assessment, histories of legal status and allocation)."""
        self.agency = agency_create(self.rng, cases)
        workers = [w for team in self.agency.teams for w in self.agency.caseworkers[team.pk]]
        migrated = demo.create_cases(demo.Agency(self.agency.offices, self.agency.teams, workers, self.agency.leaders),
                                     cases, seed=self.rng.randrange(2**31), missing_risk_every=25)
        for case in sorted(migrated, key=lambda c: c.reference):
            self.plans[case.pk] = self._new_plan(case.opened_on)

    def _new_plan(self, opened_on: dt.date) -> CasePlan:
        return CasePlan(diligence=self.rng.choice([0.7, 0.9, 1.0, 1.1, 1.2, 1.3]),
                        close_after=max(opened_on + dt.timedelta(days=self.rng.randint(150, 720)),
                                        self.go_live + dt.timedelta(days=self.rng.randint(0, 400))))

    def _team_and_worker(self):
        team = self.rng.choice(self.agency.teams)
        return team, self.rng.choice(self.agency.caseworkers[team.pk])

    def _open_case(self, opened_on: dt.date, today: dt.date) -> Case:
        """A new case through the services, as the pages open one: the case, then each member,
        the children's legal status, goal and living arrangement, and the risk assessment."""
        rng = self.rng
        team, worker = self._team_and_worker()
        leader = self.agency.leaders[team.pk]
        kind = rng.choices(KINDS, weights=[k.weight for k in KINDS])[0]
        risk = rng.choice(RISKS)
        case = case_create(user=leader, team=team, caseworker=worker, opened_on=opened_on, substantiated_on=opened_on,
                           phase=Phase.ONGOING_INTERVENTION)
        surname = rng.choice(demo.FAMILY)

        def new_person(given, age):
            dob = today - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 300))
            return Person(given_name=given, family_name=surname, date_of_birth=dob, language="English",
                          indigenous_status=rng.choice(["not_stated", "neither", "neither", "aboriginal",
                                                        "torres_strait_islander"]))

        parents = []
        for relationship in ["mother", "father"][: rng.choice([1, 2, 2])]:
            parent = member_add(user=worker, case=case, person=new_person(rng.choice(demo.GIVEN_ADULT),
                                                                          rng.randint(22, 45)),
                                role=MemberRole.PARENT, relationship=relationship, joined_on=opened_on)
            parents.append(parent)
            address_record(user=worker, case=case, address=Address(
                person=parent.person, line1=f"{rng.randint(1, 180)} {rng.choice(demo.STREETS)} Street",
                suburb=rng.choice(demo.SUBURBS), state="QLD", postcode=str(4500 + rng.randint(0, 99)),
                effective_from=opened_on - dt.timedelta(days=rng.randint(30, 900))))
        carer = None
        if kind.in_care:
            carer = member_add(user=worker, case=case, person=new_person(rng.choice(demo.GIVEN_ADULT),
                                                                         rng.randint(35, 65)),
                               role=MemberRole.CARER, relationship=rng.choice(demo.CARERS), joined_on=opened_on)
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            child = member_add(user=worker, case=case, person=new_person(rng.choice(demo.GIVEN_CHILD),
                                                                         rng.randint(0, 16)),
                               role=MemberRole.CHILD, relationship="child", joined_on=opened_on)
            self._child_facts(worker, child, kind.intervention, kind.goal, carer if kind.in_care else parents[0],
                              in_care=kind.in_care, on=opened_on)
        self.plans[case.pk] = self._new_plan(opened_on)
        if rng.random() < 0.85:
            self._risk(worker, case, RiskTool.FAMILY_RISK_EVALUATION, risk,
                       min(today, opened_on + dt.timedelta(days=rng.randint(0, 3))))
        else:  # recorded late: the opening month may be "not assessable" meanwhile
            self.plans[case.pk].risk_due = today + dt.timedelta(days=rng.randint(4, 20))
        return case

    def _child_facts(self, user, child: CaseMember, intervention: str, goal: str, lives_with: CaseMember, *,
                     in_care: bool, on: dt.date, end_current: bool = False) -> None:
        child_fact_record(user=user, fact=LegalStatus(member=child, intervention_type=intervention,
                                                      effective_from=on), end_current=end_current)
        child_fact_record(user=user, fact=ChildGoal(member=child, goal=goal, effective_from=on),
                          end_current=end_current)
        child_fact_record(user=user, fact=LivingArrangement(
            member=child, kind=(LivingKind.AT_HOME if not in_care else LivingKind.PERMANENT_GUARDIAN
                                if intervention == InterventionType.PERMANENT_CARE else LivingKind.IN_CARE),
            with_person_id=lives_with.person_id, effective_from=on), end_current=end_current)

    def _risk(self, user, case: Case, tool: str, level: str, completed_on: dt.date) -> RiskAssessment:
        return risk_assessment_record(user=user, assessment=RiskAssessment(
            case=case, tool=tool, completed_on=completed_on, risk_level=level,
            approved_by=self.agency.leaders[case.team_id]))

    # -- reading the morning's state -----------------------------------------------------------

    def households(self, day: dt.date) -> list[Household]:
        """Every open case with its members and current child facts: six queries."""
        cases = list(Case.objects.filter(closed_on__isnull=True).select_related("team", "caseworker")
                     .order_by("reference"))
        ids = [c.pk for c in cases]
        members = defaultdict(list)
        for member in CaseMember.objects.filter(case_id__in=ids).select_related("person").order_by("pk"):
            members[member.case_id].append(member)

        def current(model, *fields):
            rows = (model.objects.filter(member__case_id__in=ids, effective_from__lte=day)
                    .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
                    .order_by("effective_from", "pk").values_list("member_id", *fields))
            return {member_id: values[0] if len(values) == 1 else tuple(values) for member_id, *values in rows}

        living = current(LivingArrangement, "kind", "with_person_id")
        status = current(LegalStatus, "intervention_type")
        goal = current(ChildGoal, "goal")
        risk = {}
        for case_id, level in (RiskAssessment.objects.filter(case_id__in=ids, tool__in=RISK_LEVEL_TOOLS)
                               .order_by("completed_on", "pk").values_list("case_id", "risk_level")):
            risk[case_id] = level
        return [Household(c, members[c.pk], living, status, goal, risk.get(c.pk)) for c in cases]

    # -- one day ---------------------------------------------------------------------------------

    def plan_day(self, day: dt.date, *, history: bool = False) -> list[tuple[dt.datetime, str, object]]:
        """The day's actions as (moment, kind, thunk), in the order they happen. Decided in
        the morning from the state then; each thunk reads what it changes again when it runs."""
        rng = self.rng
        working = workdays.is_working_day(day)
        actions: list[tuple[dt.datetime, int, str, object]] = []

        def add(hour, minute_range, kind, thunk):
            minute = rng.randint(*minute_range)
            actions.append((at(day, hour, 0) + dt.timedelta(minutes=minute, seconds=len(actions) % 60),
                            len(actions), kind, thunk))

        households = self.households(day)
        for household in households:
            plan = self.plans.get(household.case.pk)
            if plan is None:
                continue
            self._plan_contacts(day, household, plan, working, add, history=history)
            if history or not working:
                continue
            self._plan_case_work(day, household, plan, add)
        if not history and working:
            self._plan_corrections_and_addenda(day, add)
            self._plan_decisions(day, add)
            self._plan_acknowledgements(day, add)
            self._plan_openings(day, len(households), add)
        actions.sort(key=lambda a: (a[0], a[1]))
        return [(moment, kind, thunk) for moment, _, kind, thunk in actions]

    # -- contacts ----------------------------------------------------------------------------

    def _need(self, household: Household, day: dt.date) -> tuple[float, float]:
        """Visits and support contacts a month the family's standard asks for, roughly: each
        place to visit (each parent's home, the children's placements) as often as the risk
        level asks (Tables 1–2), or once a month for children in care."""
        children = household.present(day, "child")
        kinds = {household.living.get(m.pk, ("", None))[0] for m in children}
        goals = {household.goal.get(m.pk) for m in children}
        level = {RiskLevel.LOW: 1, RiskLevel.MODERATE: 2, RiskLevel.HIGH: 4}.get(household.risk, 2)
        places = len(household.present(day, MemberRole.PARENT)) + (LivingKind.IN_CARE in kinds)
        if LivingKind.AT_HOME in kinds or CasePlanGoal.REUNIFICATION in goals:
            return level * max(1, places), level
        return 1, 0

    def _plan_contacts(self, day, household: Household, plan: CasePlan, working: bool, add, *, history: bool):
        rng = self.rng
        visits, support = self._need(household, day)
        per_day = 1.0 / 21 if working else 0.05 / 21
        if rng.random() < plan.diligence * visits * per_day * 1.7:
            delay = 0 if history else rng.choices([0, 1, 2, 4, 7, 11], weights=[80, 8, 5, 4, 2, 1])[0]
            add(16, (0, 90), "contact_visit", lambda: self._visit(household.case.pk, day, delay))
        if support and rng.random() < plan.diligence * support * per_day * 1.6:
            add(15, (0, 120), "contact_support", lambda: self._support(household.case.pk, day))
        if rng.random() < 0.03 and working:
            add(11, (0, 300), "contact_phone", lambda: self._phone(household.case.pk, day))

    def _visit(self, case_id: int, day: dt.date, delay: int):
        """A home visit on ``day - delay`` (working days), recorded now: most on the day, some late."""
        rng = self.rng
        case = Case.objects.select_related("team", "caseworker").get(pk=case_id)
        visit_day = day
        for _ in range(delay):
            visit_day -= dt.timedelta(days=1)
            while not workdays.is_working_day(visit_day):
                visit_day -= dt.timedelta(days=1)
        visit_day = max(visit_day, case.opened_on)
        household = self._household_of(case, visit_day)
        present = household.present(visit_day)
        children = [m for m in present if m.role == MemberRole.CHILD]
        parents = [m for m in present if m.role == MemberRole.PARENT]
        if not present:
            return False
        maker = rng.choices([case.caseworker, self.agency.support_officers[case.team_id],
                             self.agency.leaders[case.team_id]], weights=[86, 10, 4])[0]
        at_home = [c for c in children if household.living.get(c.pk, ("", None))[0] == LivingKind.AT_HOME]
        in_care = [c for c in children if c not in at_home]
        # Where the visit is: one parent's home (with the children living there), or the
        # children's placement (with their carers).
        places = [("home", parent) for parent in parents] + ([("placement", None)] if in_care else [])
        if not places:
            return False
        place, host = rng.choice(places)
        if place == "home":
            seen = [host] + [c for c in at_home if household.living[c.pk][1] == host.person_id]
            seen += [p for p in parents if p != host and rng.random() < 0.2]  # the other parent came along
            location, location_person = Location.PARENT_RESIDENCE, host.person
        else:
            carer_ids = {household.living.get(c.pk, ("", None))[1] for c in in_care}
            seen = in_care + [m for m in present if m.person_id in carer_ids]
            location, location_person = Location.CHILD_LIVING_ENVIRONMENT, None
            if parents and rng.random() < 0.3:  # a family contact visit
                seen += parents
        if rng.random() < 0.1 and len(seen) > 1:  # someone was not home
            seen = seen[:-1]
        occurred = at(visit_day, rng.randint(9, 14), rng.choice([0, 15, 30, 45]))
        next_visit = visit_day + dt.timedelta(days=rng.randint(7, 20)) if rng.random() < 0.2 else None
        data = ContactInput(
            occurred_at=occurred, kind=ContactKind.FACE_TO_FACE, mode="in_person", duration_minutes=rng.choice(
                [30, 45, 60, 90]), made_by=maker, location=location, location_person=location_person,
            announced=rng.random() < 0.8, purpose="Home visit", participants=seen,
            seen_alone=[c for c in seen if c.role == MemberRole.CHILD and rng.random() < 0.3],
            observations="The visit went ahead as planned.", assessment="No new concerns.",
            next_visit_on=next_visit if next_visit and next_visit >= day else None)
        contact = contact_record(user=maker, case=case, data=data)
        self.recorded.append((contact.pk, case.pk, maker.pk, day))
        return contact

    def _support(self, case_id: int, day: dt.date):
        case = Case.objects.select_related("caseworker").get(pk=case_id)
        name, organisation = self.rng.choice(SUPPORT_PARTIES)
        contact = contact_record(user=case.caseworker, case=case, data=ContactInput(
            occurred_at=at(day, self.rng.randint(9, 14), 0), kind=ContactKind.SUPPORT,
            mode=self.rng.choice(["telephone", "in_person"]), made_by=case.caseworker, other_party_name=name,
            other_party_organisation=organisation, purpose="Information about the children's wellbeing"))
        self.recorded.append((contact.pk, case.pk, case.caseworker_id, day))
        return contact

    def _phone(self, case_id: int, day: dt.date):
        case = Case.objects.select_related("caseworker").get(pk=case_id)
        parents = [m for m in CaseMember.objects.filter(case=case, role=MemberRole.PARENT, joined_on__lte=day)
                   .filter(Q(left_on__isnull=True) | Q(left_on__gte=day)).order_by("pk")]
        if not parents:
            return False
        return contact_record(user=case.caseworker, case=case, data=ContactInput(
            occurred_at=at(day, 10, 0), kind=ContactKind.OTHER, mode="telephone", made_by=case.caseworker,
            participants=parents[:1], purpose="Arranging the next visit"))

    def _household_of(self, case: Case, day: dt.date) -> Household:
        members = list(CaseMember.objects.filter(case=case).select_related("person").order_by("pk"))
        ids = [m.pk for m in members]
        living = {m: (k, w) for m, k, w in LivingArrangement.objects.filter(member_id__in=ids).on(day)
                  .order_by("effective_from").values_list("member_id", "kind", "with_person_id")}
        return Household(case, members, living, {}, {}, None)

    # -- corrections and addenda -------------------------------------------------------------------

    def _plan_corrections_and_addenda(self, day: dt.date, add):
        rng = self.rng
        yesterday = [r for r in self.recorded if (day - r[3]).days == 1]
        for contact_id, _case_id, author_id, _ in yesterday:
            if rng.random() < 0.06:
                add(9, (0, 120), "contact_correct", lambda c=contact_id, a=author_id: self._correct(c, a))
        older = [r for r in self.recorded if 2 <= (day - r[3]).days <= 30]
        for contact_id, case_id, _, _ in older:
            if rng.random() < 0.004:
                add(10, (0, 240), "contact_addendum", lambda c=contact_id, k=case_id: self._addendum(c, k))
        horizon = day - dt.timedelta(days=40)
        self.recorded = [r for r in self.recorded if r[3] >= horizon]

    def _correct(self, contact_id: int, author_id: int):
        contact = Contact.objects.select_related("case", "made_by", "location_person").get(pk=contact_id)
        author = User.objects.get(pk=author_id)
        participants = [p.member for p in contact.participants.select_related("member__person").order_by("pk")]
        alone = [p.member for p in contact.participants.filter(seen_alone=True).select_related("member").order_by("pk")]
        occurred_at = contact.occurred_at
        change = self.rng.random()
        if change < 0.25 and len(participants) > 1:  # a participant ticked by mistake
            dropped = participants.pop()
            alone = [m for m in alone if m != dropped]
        elif change < 0.35:  # the wrong start time
            occurred_at = occurred_at - dt.timedelta(hours=1)
        data = ContactInput(**{name: getattr(contact, name) for name in (
            "kind", "mode", "made_by", "provider", "provider_worker", "other_party_name", "other_party_organisation",
            "location", "location_person", "location_details", "announced", "interpreter_used", "purpose",
            "assessment", "safety_concerns", "safety_actions", "next_visit_on")},
            occurred_at=occurred_at, duration_minutes=(contact.duration_minutes or 30) + 15,
            observations=contact.observations + " (corrected)", participants=participants, seen_alone=alone)
        return contact_update(user=author, contact=contact, data=data)

    def _addendum(self, contact_id: int, case_id: int):
        case = Case.objects.select_related("caseworker").get(pk=case_id)
        contact = Contact.objects.select_related("case").get(pk=contact_id)
        return addendum_add(user=case.caseworker, contact=contact, text="The carer later confirmed the details.",
                            reason="Information received after the visit")

    # -- case work: requests, risk, facts, members, allocation, closing ------------------------------

    def _plan_case_work(self, day: dt.date, household: Household, plan: CasePlan, add):
        rng = self.rng
        case_id = household.case.pk
        if plan.risk_due and day >= plan.risk_due:
            plan.risk_due = None
            add(10, (0, 240), "risk_first", lambda: self._first_risk(case_id, day))
        roll = rng.random()
        if roll < 0.0025:
            add(10, (0, 300), "request_override", lambda: self._request(case_id, day, RequestKind.OVERRIDE))
        elif roll < 0.0035:
            add(10, (0, 300), "request_increase", lambda: self._request(case_id, day, RequestKind.INCREASE))
        elif roll < 0.0135:
            add(11, (0, 300), "risk_reassess", lambda: self._reassess(case_id, day))
        elif roll < 0.0155:
            add(11, (0, 300), "child_enters_care", lambda: self._enter_care(case_id, day))
        elif roll < 0.0180:
            add(11, (0, 300), "child_reunified", lambda: self._reunify(case_id, day))
        elif roll < 0.0188:
            add(11, (0, 300), "goal_long_term_care", lambda: self._long_term(case_id, day))
        elif roll < 0.0198:
            add(12, (0, 240), "member_joins", lambda: self._member_joins(case_id, day))
        elif roll < 0.0208:
            add(12, (0, 240), "member_leaves", lambda: self._member_leaves(case_id, day))
        elif roll < 0.0218:
            add(13, (0, 180), "case_reallocate", lambda: self._reallocate(case_id, day))
        elif roll < 0.0223:
            add(13, (0, 180), "case_transfer", lambda: self._transfer(case_id, day))
        if day >= plan.close_after and rng.random() < 0.15:
            add(14, (0, 120), "case_close", lambda: self._close(case_id, day))

    def _case(self, case_id: int) -> Case:
        return Case.objects.select_related("team", "caseworker").get(pk=case_id)

    def _request(self, case_id: int, day: dt.date, kind: str):
        rng = self.rng
        case = self._case(case_id)
        this_month = day.replace(day=1)
        first = rules.add_months(this_month, -rng.choices([0, 1, 2], weights=[6, 3, 1])[0])
        last = min(rules.add_months(first, rng.randint(0, 2)), rules.add_months(this_month, 2))
        if kind == RequestKind.OVERRIDE:
            counts = rng.choice([dict.fromkeys(rules.ADJUSTABLE, 0), {"f2f_child": 1, "f2f_parent": 1, "support": 0},
                                 {"at_residence": 0, "by_caseworker": 0}])
            reason = rng.choice(OVERRIDE_REASONS)
        else:
            counts = rng.choice([{"support": 5}, {"f2f_child": 5}, {"f2f_parent": 5, "support": 5}])
            reason = rng.choice(INCREASE_REASONS)
        return requirement_change_request(user=case.caseworker, case=case, kind=kind, first_month=max(
            first, case.opened_on.replace(day=1)), last_month=max(last, case.opened_on.replace(day=1)),
            counts=counts, reason=reason)

    def _plan_decisions(self, day: dt.date, add):
        pending = list(RequirementChange.objects.filter(status=RequestStatus.PENDING).order_by("pk")
                       .values_list("pk", "requested_at"))
        for change_id, requested_at in pending:
            if requested_at.date() < day and self.rng.random() < 0.5:
                add(9, (30, 300), "request_decide", lambda c=change_id: self._decide(c))

    def _decide(self, change_id: int):
        rng = self.rng
        change = RequirementChange.objects.select_related("case__team").get(pk=change_id)
        leader = self.agency.leaders.get(change.case.team_id)
        if leader is None or change.status != RequestStatus.PENDING:
            return False
        if rng.random() < 0.25:
            return requirement_change_decide(user=leader, change=change, approve=False,
                                             comment="Not supported: keep to the standard and review next month.")
        changes_closed = any(e.changes for e in requirement_change_effects(change))
        if changes_closed and rng.random() < 0.15:
            return requirement_change_decide(user=leader, change=change, approve=False,
                                             comment="The closed months stay as they were closed.")
        return requirement_change_decide(user=leader, change=change, approve=True, comment="Approved.",
                                         amend_closed=changes_closed)

    def _first_risk(self, case_id: int, day: dt.date):
        case = self._case(case_id)
        return self._risk(case.caseworker, case, RiskTool.FAMILY_RISK_EVALUATION, self.rng.choice(RISKS),
                          max(case.opened_on, day - dt.timedelta(days=self.rng.randint(0, 2))))

    def _reassess(self, case_id: int, day: dt.date):
        case = self._case(case_id)
        in_care = LivingArrangement.objects.filter(member__case=case, kind=LivingKind.IN_CARE).on(day).exists()
        tool = RiskTool.FAMILY_REUNIFICATION if in_care else RiskTool.FAMILY_RISK_REEVALUATION
        completed = max(case.opened_on, day - dt.timedelta(days=self.rng.choice([0, 0, 1, 3, 8])))
        return self._risk(case.caseworker, case, tool, self.rng.choice(RISKS), completed)

    def _children(self, case: Case, day: dt.date, living_kind: str | None = None) -> list[CaseMember]:
        children = CaseMember.objects.filter(case=case, role=MemberRole.CHILD, joined_on__lte=day).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=day)).select_related("person").order_by("pk")
        if living_kind:
            children = children.filter(living_arrangements__kind=living_kind, living_arrangements__effective_to=None)
        return list(children)

    def _enter_care(self, case_id: int, day: dt.date):
        """A child at home comes into care: a carer joins, then a new living arrangement,
        legal status and goal from the same day, each ending the current one."""
        rng = self.rng
        case = self._case(case_id)
        at_home = self._children(case, day, LivingKind.AT_HOME)
        if not at_home:
            return False
        child = rng.choice(at_home)
        on = max(case.opened_on, child.joined_on + dt.timedelta(days=1), day - dt.timedelta(days=rng.randint(0, 3)))
        if on > day:
            return False
        worker = case.caseworker
        carer = member_add(user=worker, case=case, person=Person(
            given_name=rng.choice(demo.GIVEN_ADULT), family_name=rng.choice(demo.FAMILY), language="English",
            date_of_birth=day - dt.timedelta(days=365 * rng.randint(35, 60))), role=MemberRole.CARER,
            relationship=rng.choice(demo.CARERS), joined_on=on)
        self._child_facts(worker, child, InterventionType.SHORT_TERM_CUSTODY, CasePlanGoal.REUNIFICATION, carer,
                          in_care=True, on=on, end_current=True)
        return True

    def _reunify(self, case_id: int, day: dt.date):
        """A child in care with the goal of reunification goes home to a parent."""
        rng = self.rng
        case = self._case(case_id)
        in_care = [c for c in self._children(case, day, LivingKind.IN_CARE)
                   if ChildGoal.objects.filter(member=c, goal=CasePlanGoal.REUNIFICATION).on(day).exists()]
        parents = [m for m in CaseMember.objects.filter(case=case, role=MemberRole.PARENT, joined_on__lte=day)
                   .filter(left_on__isnull=True).order_by("pk")]
        if not in_care or not parents:
            return False
        child = rng.choice(in_care)
        on = max(day - dt.timedelta(days=rng.randint(0, 5)), case.opened_on + dt.timedelta(days=1))
        self._child_facts(case.caseworker, child, InterventionType.SUPERVISION_ORDER, CasePlanGoal.REMAIN_AT_HOME,
                          rng.choice(parents), in_care=False, on=on, end_current=True)
        return True

    def _long_term(self, case_id: int, day: dt.date):
        """Reunification is no longer the goal: long-term guardianship to the chief executive."""
        case = self._case(case_id)
        in_care = self._children(case, day, LivingKind.IN_CARE)
        if not in_care:
            return False
        child = self.rng.choice(in_care)
        on = day
        child_fact_record(user=case.caseworker, fact=LegalStatus(
            member=child, intervention_type=InterventionType.LONG_TERM_GUARDIANSHIP_CHIEF_EXECUTIVE, effective_from=on),
            end_current=True)
        child_fact_record(user=case.caseworker, fact=ChildGoal(member=child, goal=CasePlanGoal.LONG_TERM_CARE,
                                                              effective_from=on), end_current=True)
        return True

    def _member_joins(self, case_id: int, day: dt.date):
        rng = self.rng
        case = self._case(case_id)
        on = max(case.opened_on, day - dt.timedelta(days=rng.randint(0, 7)))
        surname = rng.choice(demo.FAMILY)
        if rng.random() < 0.4:  # a baby is born
            parents = list(CaseMember.objects.filter(case=case, role=MemberRole.PARENT, left_on__isnull=True)
                           .order_by("pk"))
            siblings = self._children(case, day)
            if not parents or not siblings:
                return False
            status = LegalStatus.objects.filter(member=siblings[0]).on(day).values_list(
                "intervention_type", flat=True).first()
            if status not in rules.IN_HOME_STATUSES:
                status = InterventionType.PARENTAL_AGREEMENT
            child = member_add(user=case.caseworker, case=case, person=Person(
                given_name=rng.choice(demo.GIVEN_CHILD), family_name=surname, date_of_birth=on, language="English"),
                role=MemberRole.CHILD, relationship="child", joined_on=on)
            self._child_facts(case.caseworker, child, status, CasePlanGoal.REMAIN_AT_HOME, parents[0], in_care=False,
                              on=on)
            return True
        return member_add(user=case.caseworker, case=case, person=Person(
            given_name=rng.choice(demo.GIVEN_ADULT), family_name=surname, language="English",
            date_of_birth=day - dt.timedelta(days=365 * rng.randint(20, 50))), role=MemberRole.PARENT,
            relationship="step-parent", joined_on=on)

    def _member_leaves(self, case_id: int, day: dt.date):
        rng = self.rng
        case = self._case(case_id)
        role = rng.choice([MemberRole.PARENT, MemberRole.CHILD])
        current = list(CaseMember.objects.filter(case=case, role=role, left_on__isnull=True, joined_on__lt=day)
                       .order_by("pk"))
        if len(current) < 2:
            return False
        member = rng.choice(current)
        left_on = max(member.joined_on, day - dt.timedelta(days=rng.randint(0, 10)))
        return member_update(user=case.caseworker, member=member, left_on=left_on, lock_version=None)

    def _reallocate(self, case_id: int, day: dt.date):
        case = self._case(case_id)
        others = [w for w in self.agency.caseworkers[case.team_id] if w.pk != case.caseworker_id]
        return case_reallocate(user=self.agency.leaders[case.team_id], case=case, caseworker=self.rng.choice(others),
                               reason="Workload balancing")

    def _transfer(self, case_id: int, day: dt.date):
        case = self._case(case_id)
        teams = [t for t in self.agency.teams if t.office_id == case.team.office_id and t.pk != case.team_id]
        if not teams:
            return False
        team = self.rng.choice(teams)
        return case_reallocate(user=self.agency.managers[case.team.office_id], case=case, team=team,
                               caseworker=self.rng.choice(self.agency.caseworkers[team.pk]),
                               reason="The family moved to the other team's area")

    def _close(self, case_id: int, day: dt.date):
        """Close the case: most on the day, some with the date it really ended, weeks ago."""
        rng = self.rng
        case = self._case(case_id)
        back = rng.choices([0, rng.randint(1, 20), rng.randint(21, 50)], weights=[65, 28, 7])[0]
        closed_on = max(case.opened_on, day - dt.timedelta(days=back))
        scheduled_visits_cancel(user=case.caseworker, case=case, reason="Case closed")
        return case_update(user=case.caseworker, case=case, closed_on=closed_on, phase=Phase.CLOSED,
                           lock_version=None)

    # -- new cases --------------------------------------------------------------------------------

    def _plan_openings(self, day: dt.date, open_now: int, add):
        deficit = self.target_open - open_now
        if deficit <= 0:
            return
        count = deficit // 10 + (1 if self.rng.random() < (deficit % 10) / 10 else 0)
        for _ in range(count):
            back = self.rng.choice([0, 0, 0, 1, 2, 3, 5, 8])
            add(10, (0, 300), "case_open",
                lambda back=back: self._open_case(day - dt.timedelta(days=back), day))

    # -- alerts --------------------------------------------------------------------------------------

    def _plan_acknowledgements(self, day: dt.date, add):
        rates = {AlertKind.CONTACT_SHORTFALL: 0.12, AlertKind.AT_RISK: 0.05, AlertKind.RISK_LEVEL_MISSING: 0.08,
                 AlertKind.APPROVAL_PENDING: 0.05}
        rows = list(Alert.objects.filter(status=AlertStatus.NEW, kind__in=list(rates)).order_by("pk")
                    .values_list("pk", "kind"))
        for alert_id, kind in rows:
            if self.rng.random() < rates[kind]:
                add(8, (30, 90), "alert_acknowledge", lambda a=alert_id: self._acknowledge(a))

    def _acknowledge(self, alert_id: int):
        alert = Alert.objects.select_related("case").get(pk=alert_id)
        recipients = list(AlertRecipient.objects.filter(alert=alert).order_by("pk").values_list("user_id", flat=True))
        if not recipients:
            return False
        chosen = alert.case.caseworker_id if alert.case and alert.case.caseworker_id in recipients else recipients[0]
        alert = alert_acknowledge(user=User.objects.get(pk=chosen), alert=alert)
        if alert.status == AlertStatus.ACKNOWLEDGED:
            self.acknowledged.setdefault(alert.pk, alert.acknowledged_at)
        return alert
