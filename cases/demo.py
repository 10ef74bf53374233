"""The demo agency: an entirely fictional set of offices, staff, families and cases.

Every name, address and date is invented from the word lists below with a fixed
random seed. Writes are bulk inserts so that ``--scale 20000`` stays quick.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import random
import zlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
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


# --- The agency's shape -------------------------------------------------------------------
# The plain demo is small (2 offices × 2 teams × 4 caseworkers) so that the sign-in list and
# the tests know everyone. With --scale the agency grows to the shape of a real one before
# its cases are created: caseloads of 15–25 cases, teams of 6–10 caseworkers (each with a
# team leader and a support officer), offices of 5–8 teams (each with a manager).
CASELOAD, CASELOAD_RANGE = 20, (15, 25)
TEAM_SIZE, TEAM_SIZE_RANGE = 8, (6, 10)
OFFICE_TEAMS, OFFICE_TEAMS_RANGE = 6.5, (5, 8)
PLAIN_SHAPE = [[4, 4], [4, 4]]  # caseworkers per team, per office
# The plain demo's 16 caseworkers carry up to this many cases before the agency grows.
PLAIN_CASES = 16 * CASELOAD_RANGE[1]
# Offices beyond the first two, in this order; the first three letters are the office code.
PLACES = ["Wattlebrook", "Ironbark Downs", "Kestrel Vale", "Saltmarsh Point", "Bellbird Creek", "Coral Heath",
          "Emu Flats", "Greywater", "Hillsview", "Jarrah Ridge", "Koala Springs", "Lorikeet Bay", "Mulga Plains",
          "Nardoo Crossing", "Orchid Hollow", "Pelican Reach", "Quandong Park", "Redgum Valley", "Silvergull",
          "Tallowwood", "Umber Creek", "Yabby Point", "Zamia Heights", "Dingo Gap", "Frogmouth Hill",
          "Brolga Lakes", "Currawong", "Heron Shoals", "Ghost Gum", "Wombat Rise"]


def _closest(candidates, aim):
    return min(candidates, key=lambda n: (abs(n - aim), n))


def agency_shape(cases: int | None) -> list[list[int]]:
    """Caseworkers per team, per office, for an agency carrying ``cases`` cases.

    ``None`` (the plain demo) or a number the plain demo's caseworkers can carry gives the
    plain shape. Otherwise about one caseworker per 20 cases, at least two offices of five
    teams of six (the first two offices are the plain demo's, grown), team and office sizes
    as close to the middle of their ranges as the numbers allow and as even as possible."""
    if cases is None or cases <= PLAIN_CASES:
        return [list(office) for office in PLAIN_SHAPE]
    low_team, high_team = TEAM_SIZE_RANGE
    low_office, high_office = OFFICE_TEAMS_RANGE
    workers = max(len(PLAIN_SHAPE) * low_office * low_team, round(cases / CASELOAD))

    def office_counts(teams):
        return [n for n in range(len(PLAIN_SHAPE), teams // low_office + 1) if low_office * n <= teams <= high_office * n]

    team_count = _closest([t for t in range(-(-workers // high_team), workers // low_team + 1) if office_counts(t)],
                          workers / TEAM_SIZE)
    office_count = _closest(office_counts(team_count), team_count / OFFICE_TEAMS)
    team_sizes = _spread(workers, team_count)
    shape, start = [], 0
    for teams in _spread(team_count, office_count):
        shape.append(team_sizes[start:start + teams])
        start += teams
    return shape


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` as evenly as possible, the larger parts first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@dataclass(frozen=True)
class _OfficePlan:
    name: str
    code: str
    place: str  # teams are named after it: "<place> Team A"

    def team_name(self, number: int) -> str:
        return f"{self.place} Team {chr(64 + number)}"


def _office_plan(index: int) -> _OfficePlan:
    if index < len(OFFICES):
        name, code = OFFICES[index]
        return _OfficePlan(name, code, name.split()[0])
    round_, place = divmod(index - len(OFFICES), len(PLACES))
    place = PLACES[place] + (f" {round_ + 1}" if round_ else "")
    return _OfficePlan(f"{place} Service Centre", PLACES[(index - len(OFFICES)) % len(PLACES)][:3].upper()
                       + (str(round_ + 1) if round_ else ""), place)


# The plain demo's 24 staff keep the names they always had; everyone else takes a name
# from the same lists, chosen by their username so that a re-run names them the same.
_PLAIN_NAMES = zip(GIVEN_ADULT * 2, STAFF_FAMILY, strict=False)
_STAFF_NAMES = [(g, f) for f in STAFF_FAMILY for g in GIVEN_ADULT + CARER_GIVEN]


def _plain_usernames():
    for _, code in OFFICES:
        for team_number in range(1, len(TEAMS[code]) + 1):
            suffix = f"{code.lower()}{team_number}"
            yield f"tl.{suffix}"
            yield from (f"cw.{suffix}.{n}" for n in range(1, 5))
            yield f"so.{suffix}"


_PLAIN_STAFF = dict(zip(_plain_usernames(), _PLAIN_NAMES, strict=False))


def _staff_name(username: str) -> tuple[str, str]:
    return _PLAIN_STAFF.get(username) or _STAFF_NAMES[zlib.crc32(username.encode()) % len(_STAFF_NAMES)]


def _merged(shape: list[list[int]], existing: list[list[int]]) -> list[list[int]]:
    """The larger of two shapes, office by office and team by team: an agency only grows."""
    merged = []
    for i in range(max(len(shape), len(existing))):
        wanted = shape[i] if i < len(shape) else []
        there = existing[i] if i < len(existing) else []
        merged.append([max(wanted[j] if j < len(wanted) else 0, there[j] if j < len(there) else 0)
                       for j in range(max(len(wanted), len(there)))])
    return merged


@transaction.atomic
def ensure_agency(cases: int | None = None) -> Agency:
    """Offices, teams and staff of the demo agency, grown to carry ``cases`` cases (see
    ``agency_shape``; ``None`` is the plain demo). Created once, reused and topped up
    afterwards, never shrunk. A fixed number of queries whatever the number of staff."""
    plans = []
    offices_by_code = {o.code: o for o in Office.objects.all()}
    while _office_plan(len(plans)).code in offices_by_code:
        plans.append(_office_plan(len(plans)))
    team_members = {(code, name): n for code, name, n in
                    Team.objects.filter(office__code__in=[p.code for p in plans])
                    .annotate(n=Count("members", filter=Q(members__role=Role.CASEWORKER)))
                    .values_list("office__code", "name", "n")}
    existing = []
    for plan in plans:
        sizes = []
        while (plan.code, plan.team_name(len(sizes) + 1)) in team_members:
            sizes.append(team_members[plan.code, plan.team_name(len(sizes) + 1)])
        existing.append(sizes)
    shape = _merged(agency_shape(cases), existing)
    scaled = shape != PLAIN_SHAPE
    plans = [_office_plan(i) for i in range(len(shape))]

    Office.objects.bulk_create([Office(name=p.name, code=p.code) for p in plans if p.code not in offices_by_code])
    offices = list(Office.objects.filter(code__in=[p.code for p in plans]))
    offices.sort(key=lambda o: [p.code for p in plans].index(o.code))
    wanted_teams = [(office, plan.team_name(t)) for office, plan, sizes in zip(offices, plans, shape, strict=True)
                    for t in range(1, len(sizes) + 1)]
    Team.objects.bulk_create([Team(office=office, name=name) for office, name in wanted_teams
                              if (office.code, name) not in team_members])
    teams_by_key = {(t.office_id, t.name): t for t in Team.objects.filter(office__in=offices)}
    teams = [teams_by_key[office.pk, name] for office, name in wanted_teams]

    # (username, role, team, led team, managed offices)
    staff = []
    team_iter = iter(teams)
    for office, plan, sizes in zip(offices, plans, shape, strict=True):
        if scaled:
            staff.append((f"mgr.{plan.code.lower()}", Role.MANAGER, None, None, [office]))
        for team_number, size in enumerate(sizes, start=1):
            team = next(team_iter)
            suffix = f"{plan.code.lower()}{team_number}"
            staff.append((f"tl.{suffix}", Role.TEAM_LEADER, None, team, []))
            staff.extend((f"cw.{suffix}.{n}", Role.CASEWORKER, team, None, []) for n in range(1, size + 1))
            staff.append((f"so.{suffix}", Role.SUPPORT_OFFICER, team, None, []))
    # The manager and the finance officer see every office's cases; the services app's demo
    # gives the finance officer the financial delegation (approving referral payments).
    staff.append(("manager", Role.MANAGER, None, None, offices))
    staff.append(("finance", Role.MANAGER, None, None, offices))
    named = {"manager": ("Helen", "Parsons"), "finance": ("Rosa", "Lindqvist")}
    there = set(User.objects.filter(username__in=[row[0] for row in staff]).values_list("username", flat=True))
    new_staff = []
    for username, role, team, _, _ in staff:
        if username not in there:
            first, last = named.get(username) or _staff_name(username)
            new_staff.append(User(username=username, first_name=first, last_name=last, role=role, team=team,
                                  email=f"{username}@casework.example", password=_password_hash()))
    User.objects.bulk_create(new_staff, batch_size=1000)
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in staff])}
    # The relations go in whether or not they were there: the unique (user, team) and
    # (user, office) pairs of the join tables turn a repeat into nothing.
    User.led_teams.through.objects.bulk_create(
        [User.led_teams.through(user_id=users[u].pk, team_id=led.pk) for u, _, _, led, _ in staff if led],
        ignore_conflicts=True, batch_size=1000)
    User.managed_offices.through.objects.bulk_create(
        [User.managed_offices.through(user_id=users[u].pk, office_id=office.pk)
         for u, _, _, _, managed in staff for office in managed], ignore_conflicts=True, batch_size=1000)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@casework.example", DEMO_PASSWORD, role=Role.ADMINISTRATOR,
                                      first_name="Agency", last_name="Administrator")
    caseworkers = [users[u] for u, role, *_ in staff if role == Role.CASEWORKER]
    leaders = {led.pk: users[u] for u, _, _, led, _ in staff if led}
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
            scenario: Scenario, risk: str | None, team_caseworkers: list[User]) -> None:
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
        first = rng.choice([w for w in team_caseworkers if w.pk != case.caseworker_id])
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


def _allocate(caseworkers: list[User], count: int) -> list[User]:
    """The caseworker of each of ``count`` new cases: always the one with the fewest open
    cases (the first in the list on a tie), so that caseloads end up even, a top-up fills
    the newest caseworkers first, and on an empty agency it is simply one each in turn."""
    loads = dict(Case.objects.open().filter(caseworker__in=caseworkers).values("caseworker")
                 .annotate(n=Count("pk")).values_list("caseworker", "n"))
    heap = [(loads.get(worker.pk, 0), i) for i, worker in enumerate(caseworkers)]
    heapq.heapify(heap)
    chosen = []
    for _ in range(count):
        load, i = heapq.heappop(heap)
        chosen.append(caseworkers[i])
        heapq.heappush(heap, (load + 1, i))
    return chosen


def create_cases(agency: Agency, count: int, *, seed: int, with_history: bool = True,
                 missing_risk_every: int = 50) -> list[Case]:
    """Create ``count`` fictional open cases spread over every intervention type and risk level."""
    if count <= 0:
        return []
    rng = random.Random(seed)
    today = timezone.localdate()
    batch = _Batch()
    dates = []
    for worker in _allocate(agency.caseworkers, count):
        opened = today - dt.timedelta(days=rng.randint(40, 900))
        dates.append(opened)
        batch.cases.append(Case(team_id=worker.team_id, caseworker=worker, opened_on=opened,
                                substantiated_on=opened - dt.timedelta(days=rng.randint(0, 10)),
                                phase=rng.choice([Phase.ONGOING_INTERVENTION] * 4 + [Phase.REVIEW])))
    by_team: dict[int, list[User]] = {}
    for worker in agency.caseworkers:
        by_team.setdefault(worker.team_id, []).append(worker)
    references = {}
    for year in sorted({d.year for d in dates}):
        needed = sum(1 for d in dates if d.year == year)
        references[year] = iter(case_references_allocate(year=year, count=needed))
    for i, case in enumerate(batch.cases):
        case.reference = next(references[case.opened_on.year])
        scenario = SCENARIOS[i % len(SCENARIOS)]
        missing_risk = missing_risk_every and i % missing_risk_every == missing_risk_every - 1
        risk = None if missing_risk else RISKS[(i // len(SCENARIOS)) % 3]
        _family(rng, batch, i, case, agency.leaders[case.team_id], today, scenario, risk, by_team[case.team_id])
    with transaction.atomic():
        return _write(batch, with_history)


# --- Attachments (issue 16): a few generated documents, never real ones ---------------------

DEMO_ATTACHMENTS = [  # (title, file name, kind)
    ("Court order (fictional)", "Court order.pdf", "pdf"),
    ("School attendance report (fictional)", "School report.pdf", "pdf"),
    ("Photo of the signed safety plan (generated)", "Safety plan photo.png", "png"),
]


def seed(agency, cases, *, scale: bool) -> None:
    """Attach a generated PDF or PNG to a few of the cases created in this run (the first open
    ones), uploaded by each case's caseworker through the service, and one to a referral."""
    if scale or not cases:
        return
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import demo_files, services
    from cases.permissions import records_in_case

    chosen = [c for c in Case.objects.filter(pk__in=[c.pk for c in cases], closed_on__isnull=True)
              .select_related("caseworker").order_by("pk")[:len(DEMO_ATTACHMENTS)]]
    for case, (title, name, kind) in zip(chosen, DEMO_ATTACHMENTS, strict=False):
        content = demo_files.pdf(f"{title} - {case.reference}") if kind == "pdf" else demo_files.png()
        services.attachment_upload(user=case.caseworker, case=case, title=title,
                                   upload=SimpleUploadedFile(name, content))
    for case in chosen:
        referral = records_in_case(case.caseworker, case, "referral").order_by("pk").first()
        if referral is not None:
            services.attachment_upload(user=case.caseworker, case=case, title="Referral form (fictional)",
                                       upload=SimpleUploadedFile("Referral form.pdf",
                                                                 demo_files.pdf(f"Referral form - {case.reference}")),
                                       target_kind="referral", target_id=referral.pk)
            break
