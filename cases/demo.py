"""The demo agency: an entirely fictional set of offices, staff, families and cases.

Every name, address and date is invented from the word lists below with a fixed
random seed. Writes are bulk inserts so that ``--scale 20000`` stays quick.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.models import (
    Address,
    Allocation,
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
from cases.services import case_references_allocate

DEMO_PASSWORD = "demo-casework-2026"

OFFICES = [("Northgate Service Centre", "NTH"), ("Riverbend Service Centre", "RVB")]
TEAMS = {"NTH": ["Northgate Team A", "Northgate Team B"], "RVB": ["Riverbend Team A", "Riverbend Team B"]}

GIVEN_CHILD = ["Ava", "Noah", "Mia", "Leo", "Isla", "Kai", "Zara", "Eli", "Ruby", "Finn", "Maya", "Jai", "Lily",
               "Oscar", "Nia", "Tom", "Ella", "Max", "Aria", "Sam", "Ivy", "Reef", "Tia", "Jack", "Sky", "Ari"]
GIVEN_ADULT = ["Kylie", "Jason", "Renee", "Shane", "Melissa", "Brett", "Tanya", "Dean", "Leanne", "Craig", "Nadia",
               "Wayne", "Carla", "Troy", "Rhiannon", "Marcus", "Jodie", "Aaron", "Simone", "Glen"]
# Mothers, fathers and carers have names of their own; staff surnames are never a family's.
MOTHERS = ["Kylie", "Renee", "Melissa", "Tanya", "Leanne", "Nadia", "Carla", "Rhiannon", "Jodie", "Simone"]
FATHERS = ["Jason", "Shane", "Brett", "Dean", "Craig", "Wayne", "Troy", "Marcus", "Aaron", "Glen"]
CARER_GIVEN = ["Margaret", "Beverley", "Graham", "Lorraine", "Keith", "Dianne", "Russell", "Heather"]
CARER_FAMILY = ["Abbott", "Birch", "Coleman", "Delaney", "Forsyth", "Greaves", "Hadley", "Kerr"]
STAFF_FAMILY = ["Aldridge", "Bancroft", "Carrington", "Davenport", "Ellsworth", "Fenwick", "Galloway", "Harcourt",
                "Ingram", "Jardine", "Kingsley", "Lancaster", "Mansfield", "Newbury", "Ormond", "Pemberton",
                "Quayle", "Rutherford", "Sinclair", "Templeton", "Underwood", "Vance", "Westbrook", "Yelland"]
FAMILY = ["Marlow", "Quill", "Tennant", "Ashdown", "Brindle", "Calloway", "Dunmore", "Everly", "Fairweather",
          "Garrick", "Hollis", "Inwood", "Jessop", "Kilbride", "Lockyer", "Merritt", "Norwood", "Oakes", "Pruett",
          "Radley", "Selwyn", "Thornbury", "Upton", "Vickery", "Whitlock", "Yardley"]
STREETS = ["Banksia", "Wattle", "Jacaranda", "Grevillea", "Bottlebrush", "Ironbark", "Melaleuca", "Casuarina"]
SUBURBS = ["Northgate Vale", "Riverbend Heights", "Kestrel Park", "Lowmead Flats", "Quarry Hill"]
CARERS = ["Harbour Foster Care", "Kinship carer", "Sunrise Residential", "Bluegum Foster Care"]

@dataclass(frozen=True)
class Scenario:
    """One kind of family: the children's legal status, goal and where they live."""

    intervention: str
    goal: str
    in_care: bool


SCENARIOS = [
    Scenario(InterventionType.PARENTAL_AGREEMENT, CasePlanGoal.REMAIN_AT_HOME, False),
    # A care agreement places the child in care for a time, to go home again.
    Scenario(InterventionType.CARE_AGREEMENT, CasePlanGoal.REUNIFICATION, True),
    Scenario(InterventionType.DIRECTIVE_ORDER, CasePlanGoal.REMAIN_AT_HOME, False),
    Scenario(InterventionType.SUPERVISION_ORDER, CasePlanGoal.REMAIN_AT_HOME, False),
    Scenario(InterventionType.SHORT_TERM_CUSTODY, CasePlanGoal.REUNIFICATION, True),
    Scenario(InterventionType.SHORT_TERM_GUARDIANSHIP, CasePlanGoal.REUNIFICATION, True),
    Scenario(InterventionType.LONG_TERM_GUARDIANSHIP_CHIEF_EXECUTIVE, CasePlanGoal.LONG_TERM_CARE, True),
    Scenario(InterventionType.LONG_TERM_GUARDIANSHIP_SUITABLE_PERSON, CasePlanGoal.PERMANENCY, True),
    Scenario(InterventionType.PERMANENT_CARE, CasePlanGoal.PERMANENCY, True),
]
RISKS = [RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.HIGH]


@dataclass
class Agency:
    offices: list[Office]
    teams: list[Team]
    caseworkers: list[User]
    leaders: dict[int, User]  # team id → leader
    signins: list[tuple[str, str]] = field(default_factory=list)


@functools.cache
def _password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _user(username, first, last, role, team=None):
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "role": role, "team": team,
                  "email": f"{username}@casework.example", "password": _password_hash()},
    )
    return user


@transaction.atomic
def ensure_agency() -> Agency:
    """Offices, teams and staff of the demo agency (created once, reused afterwards)."""
    offices, teams, caseworkers, leaders = [], [], [], {}
    worker_names = iter([(g, f) for g, f in zip(GIVEN_ADULT * 2, STAFF_FAMILY, strict=False)])
    for name, code in OFFICES:
        office, _ = Office.objects.get_or_create(code=code, defaults={"name": name})
        offices.append(office)
        for team_number, team_name in enumerate(TEAMS[code], start=1):
            team, _ = Team.objects.get_or_create(office=office, name=team_name)
            teams.append(team)
            suffix = f"{code.lower()}{team_number}"
            leader = _user(f"tl.{suffix}", *next(worker_names), Role.TEAM_LEADER)
            leader.led_teams.add(team)
            leaders[team.pk] = leader
            for n in range(1, 5):
                caseworkers.append(_user(f"cw.{suffix}.{n}", *next(worker_names), Role.CASEWORKER, team))
            _user(f"so.{suffix}", *next(worker_names), Role.SUPPORT_OFFICER, team)
    manager = _user("manager", "Helen", "Parsons", Role.MANAGER)
    manager.managed_offices.add(*offices)
    # The finance officer sees every office's cases; the services app's demo gives them the
    # financial delegation (approving referral payments).
    finance = _user("finance", "Rosa", "Lindqvist", Role.MANAGER)
    finance.managed_offices.add(*offices)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@casework.example", DEMO_PASSWORD, role=Role.ADMINISTRATOR,
                                      first_name="Agency", last_name="Administrator")
    signins = [
        ("Caseworker", "cw.nth1.1"), ("Support officer", "so.nth1"), ("Team leader", "tl.nth1"),
        ("Manager", "manager"), ("Financial delegate (payments)", "finance"), ("Administrator (admin site)", "admin"),
    ]
    return Agency(offices, teams, caseworkers, leaders, signins)


@dataclass
class _Batch:
    """Rows for many cases, written with one bulk insert per table."""

    cases: list = field(default_factory=list)
    people: list = field(default_factory=list)
    # (case index, person index, role, relationship, joined_on, left_on)
    members: list = field(default_factory=list)
    addresses: list = field(default_factory=list)  # (person index, Address without person)
    # (member index, model, fields, with_person index or None)
    facts: list = field(default_factory=list)
    risks: list = field(default_factory=list)  # (case index, RiskAssessment without case)
    allocations: list = field(default_factory=list)  # (case index, Allocation without case)
    carers: list = field(default_factory=list)  # person indices of carers, who may take in more children


def _family(rng: random.Random, batch: _Batch, case_index: int, case: Case, leader: User, today: dt.date,
            scenario: Scenario, risk: str | None, caseworkers: list[User]) -> None:
    surname = rng.choice(FAMILY)
    opened = case.opened_on

    def person(given, birth_year_age, keep=True, family_name=None):
        age = birth_year_age
        dob = today - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 300))
        new = Person(
            given_name=given, family_name=family_name or surname, date_of_birth=dob,
            indigenous_status=rng.choice(["not_stated", "neither", "neither", "aboriginal", "torres_strait_islander"]),
            language="English", interpreter_required=False,
        )
        if not keep:  # the random draws are made all the same, so the rest of the demo stays as it was
            return None
        batch.people.append(new)
        return len(batch.people) - 1

    def member(person_index, role, relationship, joined=opened):
        batch.members.append((case_index, person_index, role, relationship, joined, None))
        return len(batch.members) - 1

    parent_indices = []
    for relationship in ["mother", "father"][: rng.choice([1, 2, 2])]:
        p = person(rng.choice(MOTHERS if relationship == "mother" else FATHERS), rng.randint(22, 45))
        parent_indices.append(p)
        member(p, MemberRole.PARENT, relationship)
        batch.addresses.append((p, Address(line1=f"{rng.randint(1, 180)} {rng.choice(STREETS)} Street",
                                           suburb=rng.choice(SUBURBS), state="QLD",
                                           postcode=str(4500 + rng.randint(0, 99)),
                                           effective_from=opened - dt.timedelta(days=rng.randint(60, 900)))))
    carer_index = None
    if scenario.in_care:
        # Carers often look after children of several families: in one in-care case of four the
        # carer is the one of an earlier case, so the demo has people who belong to two cases.
        shared_carer = case_index % 4 == 1 and batch.carers
        carer_index = person(rng.choice(CARER_GIVEN), rng.randint(35, 65), keep=not shared_carer,
                             family_name=CARER_FAMILY[case_index % len(CARER_FAMILY)])
        if shared_carer:
            carer_index = batch.carers[-1]
        else:
            batch.carers.append(carer_index)
        carer_kind = rng.choice(CARERS)
        # A child on a permanent care order lives with their permanent guardian (seed 000, 4.2).
        member(carer_index, MemberRole.CARER,
               "Permanent guardian" if scenario.intervention == InterventionType.PERMANENT_CARE else carer_kind)
    # In one in-care case of three the child first stayed at home under an earlier status and
    # came into care later, so the demo shows legal status and living arrangement histories.
    # Decided by position, not by ``rng``, so the rest of the demo stays as it was.
    came_into_care = None
    if scenario.in_care and case_index % 3 == 0 and (today - opened).days > 120:
        came_into_care = opened + dt.timedelta(days=(today - opened).days // 3)
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        child = person(rng.choice(GIVEN_CHILD), rng.randint(0, 16))
        m = member(child, MemberRole.CHILD, "child")
        batch.facts.append((m, ChildGoal, {"goal": scenario.goal, "effective_from": opened}, None))
        since = opened
        if came_into_care:
            earlier = (InterventionType.SHORT_TERM_CUSTODY if scenario.intervention != InterventionType.SHORT_TERM_CUSTODY
                       else InterventionType.PARENTAL_AGREEMENT)
            ended = came_into_care - dt.timedelta(days=1)
            batch.facts.append((m, LegalStatus, {"intervention_type": earlier, "effective_from": opened,
                                                 "effective_to": ended}, None))
            batch.facts.append((m, LivingArrangement, {"kind": LivingKind.AT_HOME, "effective_from": opened,
                                                       "effective_to": ended}, parent_indices[0]))
            since = came_into_care
        batch.facts.append((m, LegalStatus, {"intervention_type": scenario.intervention, "effective_from": since},
                            None))
        if scenario.in_care:
            kind = (LivingKind.PERMANENT_GUARDIAN if scenario.intervention == InterventionType.PERMANENT_CARE
                    else LivingKind.IN_CARE)
            batch.facts.append((m, LivingArrangement, {"kind": kind, "effective_from": since}, carer_index))
        else:
            batch.facts.append((m, LivingArrangement, {"kind": LivingKind.AT_HOME, "effective_from": since},
                                parent_indices[0]))
    if risk is not None:
        tool = RiskTool.FAMILY_REUNIFICATION if scenario.goal == CasePlanGoal.REUNIFICATION else RiskTool.FAMILY_RISK_EVALUATION
        batch.risks.append((case_index, RiskAssessment(tool=RiskTool.FAMILY_RISK_EVALUATION, risk_level=risk,
                                                       completed_on=opened - dt.timedelta(days=rng.randint(3, 20)),
                                                       approved_by=leader)))
        # A re-evaluation every six months since, sometimes changing the level.
        review = opened + dt.timedelta(days=182)
        level = risk
        while review < today:
            level = rng.choice([level, level, rng.choice(RISKS)])
            batch.risks.append((case_index, RiskAssessment(tool=tool if tool != RiskTool.FAMILY_RISK_EVALUATION
                                                           else RiskTool.FAMILY_RISK_REEVALUATION,
                                                           risk_level=level, completed_on=review, approved_by=leader)))
            review += dt.timedelta(days=182)
    # About one case in six changed caseworker within the team.
    if rng.random() < 0.17 and (today - opened).days > 60:
        first = rng.choice([w for w in caseworkers if w.team_id == case.team_id and w.pk != case.caseworker_id])
        moved = opened + dt.timedelta(days=rng.randint(20, (today - opened).days - 10))
        batch.allocations.append((case_index, Allocation(caseworker=first, team_id=case.team_id, started_on=opened,
                                                         ended_on=moved, reason="Case opened", allocated_by=leader)))
        batch.allocations.append((case_index, Allocation(caseworker=case.caseworker, team_id=case.team_id,
                                                         started_on=moved, reason="Workload balancing",
                                                         allocated_by=leader)))
    else:
        batch.allocations.append((case_index, Allocation(caseworker=case.caseworker, team_id=case.team_id,
                                                         started_on=opened, reason="Case opened",
                                                         allocated_by=leader)))


def _write(batch: _Batch, with_history: bool) -> list[Case]:
    def insert(model, rows):
        if with_history and hasattr(model, "history"):
            return bulk_create_with_history(rows, model, batch_size=2000)
        return model.objects.bulk_create(rows, batch_size=2000)

    cases = insert(Case, batch.cases)
    if with_history or not cases or cases[0].pk is None:
        # bulk_create_with_history does not always hand back primary keys.
        by_ref = dict(Case.objects.filter(reference__in=[c.reference for c in batch.cases]).values_list("reference", "pk"))
        for case in cases:
            case.pk = by_ref[case.reference]
    people = Person.objects.bulk_create(batch.people, batch_size=2000)
    members = [CaseMember(case_id=cases[c].pk, person_id=people[p].pk, role=role, relationship=rel, joined_on=j,
                          left_on=left) for c, p, role, rel, j, left in batch.members]
    members = CaseMember.objects.bulk_create(members, batch_size=2000)
    addresses = []
    for p, address in batch.addresses:
        address.person_id = people[p].pk
        addresses.append(address)
    insert(Address, addresses)
    by_model: dict[type, list] = {}
    for m, model, fields, with_person in batch.facts:
        row = model(member_id=members[m].pk, **fields)
        if with_person is not None:
            row.with_person_id = people[with_person].pk
        by_model.setdefault(model, []).append(row)
    for model, rows in by_model.items():
        insert(model, rows)
    for rows, attr in ((batch.risks, "case_id"), (batch.allocations, "case_id")):
        for c, row in rows:
            setattr(row, attr, cases[c].pk)
    insert(RiskAssessment, [row for _, row in batch.risks])
    insert(Allocation, [row for _, row in batch.allocations])
    return cases


def create_cases(agency: Agency, count: int, *, seed: int, with_history: bool = True,
                 missing_risk_every: int = 50) -> list[Case]:
    """Create ``count`` fictional open cases spread over every intervention type and risk level."""
    if count <= 0:
        return []
    rng = random.Random(seed)
    today = timezone.localdate()
    batch = _Batch()
    dates = []
    for i in range(count):
        worker = agency.caseworkers[i % len(agency.caseworkers)]
        opened = today - dt.timedelta(days=rng.randint(40, 900))
        dates.append(opened)
        batch.cases.append(Case(team_id=worker.team_id, caseworker=worker, opened_on=opened,
                                substantiated_on=opened - dt.timedelta(days=rng.randint(0, 10)),
                                phase=rng.choice([Phase.ONGOING_INTERVENTION] * 4 + [Phase.REVIEW])))
    references = {}
    for year in sorted({d.year for d in dates}):
        needed = sum(1 for d in dates if d.year == year)
        references[year] = iter(case_references_allocate(year=year, count=needed))
    for i, case in enumerate(batch.cases):
        case.reference = next(references[case.opened_on.year])
        scenario = SCENARIOS[i % len(SCENARIOS)]
        missing_risk = missing_risk_every and i % missing_risk_every == missing_risk_every - 1
        risk = None if missing_risk else RISKS[(i // len(SCENARIOS)) % 3]
        _family(rng, batch, i, case, agency.leaders[case.team_id], today, scenario, risk, agency.caseworkers)
    with transaction.atomic():
        return _write(batch, with_history)
