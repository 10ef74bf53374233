"""Every access rule of Casework, in one place.

Pages, the API, exports and alerts all ask this module who may see or do what,
so they cannot drift apart. It is the only importer of django-guardian's API.

Who sees a case:
- a caseworker or support officer: cases allocated to them; their team's cases when
  the team is configured so (``Team.members_see_team_cases``); cases shared with them
  individually (a guardian object permission, e.g. a support officer working the case);
- a team leader: every case of the teams they lead (and any allocated or shared to them);
- a manager: every case of the offices they manage;
- nobody else (administrators manage reference data, not case records).

A **restricted** case (``Case.restricted``: a staff member's relative, a case in the news)
narrows that: only its allocated caseworker, the leaders of its team and the staff named on it
(``Case.restricted_staff``) see it; naming someone lets them see it even from outside the team.
Everyone else who would otherwise see it — colleagues, shared support officers, managers,
administrators — gets 404 everywhere, because every read starts from :func:`visible_cases`. Only
aggregate numbers (the compliance dashboards' counts) still include it, through
:func:`countable_cases`, which never names a case. Team leaders of the case's team mark and
unmark it and keep the named list (:data:`Action.RESTRICT`).

A case one may not see answers 404, never revealing that it exists. Each resolution of a case
for a request (:func:`get_case_or_404`, :func:`require`, the API's object permission) notes a
look in the access log (``cases.access_log``, the recorder; the rules stay here). Because the
rules are evaluated against the current allocation on every request, access follows
reallocation immediately.

Every id a write names (a member, a person, a member of staff, a response, a plan, an
action…) resolves through :func:`records_in_case` against what the user may see *in the case
the write is about*: one they may not use answers exactly like one that does not exist. The
forms take their choices from it and the API's related fields (:class:`VisibleCaseField`,
:class:`VisibleRelatedField`) their querysets, so a page and an endpoint cannot accept
different ids (like Zulip's ``access_stream_by_id``: one answer for "does not exist" and
"not yours" — DRF's own "does not exist" message, the same status, nothing saved).

Who reads an inbound message (from an external system): whoever may see the case it is
about — the case of its response once matched, else the case its ``case_reference`` names.
A message naming no case we hold could be anyone's: every team leader and manager reads it.
Team leaders match or dismiss messages; managers only read them; nobody else reads them
(administrators manage the sending systems, not what they send).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Mapping
from enum import Enum

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Trim
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework import permissions as drf_permissions
from rest_framework import serializers

from cases.access_log import note_look
from cases.models import Case, CaseUserObjectPermission, MemberRole, Person, RestrictedCaseStaff, Role, User

SHARE_PERMISSION = "cases.view_case_record"


class Action(str, Enum):
    VIEW = "view"
    EDIT = "edit"  # record contacts, people, legal status, risk assessments
    ALLOCATE = "allocate"  # reallocate to another caseworker or team
    APPROVE = "approve"  # approve overrides, increased contact, endorse plans
    RESTRICT = "restrict"  # mark or unmark restricted access, keep the named staff
    AUDIT = "audit"  # see who has looked at the case (its access log)


FIELD_ROLES = {Role.CASEWORKER, Role.SUPPORT_OFFICER}


def _shared_with(user) -> Q:
    grants = CaseUserObjectPermission.objects.filter(
        user=user, content_object=OuterRef("pk"), permission__codename="view_case_record"
    )
    return Q(Exists(grants))


def _scope_filter(user) -> Q | None:
    """The cases ``user``'s role, team or offices reach, before any restriction; None for none."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if user.role in FIELD_ROLES:
        condition = Q(caseworker=user) | _shared_with(user)
        if user.team_id:
            condition |= Q(team_id=user.team_id, team__members_see_team_cases=True)
        return condition
    if user.role == Role.TEAM_LEADER:
        return Q(team__in=user.led_teams.all()) | Q(caseworker=user) | _shared_with(user)
    if user.role == Role.MANAGER:
        return Q(team__office__in=user.managed_offices.all())
    return None


def _named_on_restricted(user) -> Q:
    named = RestrictedCaseStaff.objects.filter(case=OuterRef("pk"), user=user)
    return Q(restricted=True) & Q(Exists(named))


def visibility_filter(user) -> Q | None:
    """The condition a case must meet to be visible to ``user``; None means nothing is.
    Within the user's reach an unrestricted case; a restricted one only for its caseworker and
    its team's leaders; and any restricted case on which the user is named."""
    scope = _scope_filter(user)
    if scope is None:
        return None
    past_restriction = Q(restricted=False) | Q(caseworker=user)
    if user.role == Role.TEAM_LEADER:
        past_restriction |= Q(team__in=user.led_teams.all())
    return scope & past_restriction | _named_on_restricted(user)


def countable_cases(user) -> QuerySet:
    """Cases counted in ``user``'s aggregate numbers (dashboards): those visible plus the
    restricted ones within their reach. Only for counts; never list or name these cases."""
    scope = _scope_filter(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope | _named_on_restricted(user))


def visible_cases(user, queryset: QuerySet | None = None) -> QuerySet:
    """Cases ``user`` may see, as one set-based query."""
    queryset = Case.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return queryset.none() if condition is None else queryset.filter(condition)


def visible_people(user) -> QuerySet:
    """People who belong to at least one case ``user`` may see."""
    cases = visible_cases(user).values("pk")
    return Person.objects.filter(memberships__case__in=cases).distinct()


def led_team_ids(user) -> set[int]:
    if user.role != Role.TEAM_LEADER:
        return set()
    return set(user.led_teams.values_list("pk", flat=True))


# (user id, case id) of the case a read-only page has just loaded through the visible set.
_known_visible: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar(
    "casework_known_visible_case", default=None)


@contextlib.contextmanager
def reading_visible_case(user, case: Case):
    """While a page that has just loaded ``case`` through :func:`visible_cases` renders, with
    no write in between, its checks on that case (``can``, ``require``) need not ask the
    database again whether the user sees it: the case page's sections ask about ten times.
    Only for reads: a write can change who sees the case, and is checked afresh outside."""
    token = _known_visible.set((user.pk, case.pk))
    try:
        yield
    finally:
        _known_visible.reset(token)


def _is_visible(user, case: Case) -> bool:
    if case.pk is not None and _known_visible.get() == (user.pk, case.pk):
        return True
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def _allowed(user, action: Action, case: Case) -> bool:
    """Whether ``user`` may do ``action`` on ``case``, once the case is known to be visible."""
    if action == Action.VIEW:
        return True
    if action == Action.EDIT:
        return user.role in FIELD_ROLES | {Role.TEAM_LEADER} and case.is_open
    if action == Action.ALLOCATE:
        # Team leaders reallocate their teams' cases; managers transfer between their offices' teams.
        return case.team_id in led_team_ids(user) or user.role == Role.MANAGER
    if action in (Action.APPROVE, Action.RESTRICT):
        return case.team_id in led_team_ids(user)
    if action == Action.AUDIT:
        # The case's team leader and the managers of its office (visibility already narrows a
        # manager to their offices' cases); not its caseworker, nor a leader it is shared with.
        return user.role == Role.MANAGER or case.team_id in led_team_ids(user)
    return False


def can(user, action: Action, case: Case) -> bool:
    """Whether ``user`` may do ``action`` on ``case`` (one query for visibility)."""
    return _is_visible(user, case) and _allowed(user, action, case)


def may_audit(user, case: Case) -> bool:
    """Whether ``user`` may see who has looked at ``case``, already known to be visible to them
    (the case page's link; no visibility query of its own)."""
    return _allowed(user, Action.AUDIT, case)


def may_read_withdrawn(user, case: Case) -> bool:
    """Whether ``user`` may still open a withdrawn attachment of ``case`` (already known to be
    visible): the leaders of its team, who answer for what was withdrawn; nobody else."""
    return _allowed(user, Action.APPROVE, case)


def case_of(obj) -> Case:
    """The case a record belongs to: the case itself, ``obj.case``, a child's ``obj.member.case``
    or a plan's part's ``obj.plan.case``."""
    if isinstance(obj, Case):
        return obj
    case = getattr(obj, "case", None)
    if case is not None:
        return case
    owner = getattr(obj, "member", None) or obj.plan
    return owner.case


def _refuse(action: Action):
    if action == Action.AUDIT:  # who looked at a case is not even hinted at to others
        raise Http404("No such case.")
    raise PermissionDenied(f"You may not {action.value} this case.")


def require(user, action: Action, obj) -> Case:
    """Raise 404 when the case behind ``obj`` is invisible, 403 when visible but not allowed."""
    case = case_of(obj)
    if not _is_visible(user, case):
        raise Http404("No such case.")
    if not _allowed(user, action, case):
        _refuse(action)
    note_look(case)
    return case


def get_case_or_404(user, reference: str, action: Action = Action.VIEW) -> Case:
    """The case with ``reference`` if ``user`` sees it (else 404) and may do ``action`` (else 403)."""
    case = visible_cases(user).select_related("team__office", "caseworker").filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    if not _allowed(user, action, case):
        _refuse(action)
    if action != Action.AUDIT:  # reading the access log is not a look at the child's record
        note_look(case)
    return case


def may_create_cases(user) -> bool:
    return user.is_authenticated and user.role in {Role.CASEWORKER, Role.TEAM_LEADER}


def teams_for_new_cases(user):
    """Teams in which ``user`` may open a case."""
    from cases.models import Team

    if user.role == Role.TEAM_LEADER:
        return user.led_teams.all()
    if user.role == Role.CASEWORKER and user.team_id:
        return Team.objects.filter(pk=user.team_id)
    return Team.objects.none()


def teams_for_reallocation(user):
    """Teams to which ``user`` may allocate or transfer a case they may reallocate."""
    from cases.models import Team

    if user.role == Role.TEAM_LEADER:
        return user.led_teams.all()
    if user.role == Role.MANAGER:
        return Team.objects.filter(office__in=user.managed_offices.all())
    return Team.objects.none()


def share_case(case: Case, user) -> None:
    """Let ``user`` see ``case`` individually (e.g. a support officer working it)."""
    assign_perm(SHARE_PERMISSION, user, case)


def unshare_case(case: Case, user) -> None:
    remove_perm(SHARE_PERMISSION, user, case)


class CaseAccessMixin:
    """For class-based views under /cases/<reference>/: loads ``self.case`` or answers 404/403."""

    case_action: Action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        self.case = get_case_or_404(request.user, kwargs["reference"], self.case_action)
        return super().dispatch(request, *args, **kwargs)


class CaseAccessPermission(drf_permissions.BasePermission):
    """DRF: reads need VIEW, writes need EDIT on the object's case. Querysets of API
    views start from :func:`visible_cases`, so invisible objects are already 404."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        case = case_of(obj)
        action = Action.VIEW if request.method in drf_permissions.SAFE_METHODS else Action.EDIT
        allowed = can(request.user, action, case)
        if allowed:
            note_look(case)
        return allowed


# --- Ids named in writes ------------------------------------------------------------------

# What an id in a write may name: the model, the path from it to its case, and what narrows
# it further within the case (in the same filter, so "a parent of THIS case" is one join).
CASE_RECORDS: dict[str, tuple[str, str, dict]] = {
    "member": ("cases.CaseMember", "case", {}),
    "child": ("cases.CaseMember", "case", {"role": MemberRole.CHILD}),
    "person": ("cases.Person", "memberships__case", {}),
    "parent": ("cases.Person", "memberships__case", {"memberships__role": MemberRole.PARENT}),
    "response": ("responses.Response", "case", {}),
    "plan": ("caseplans.CasePlan", "case", {}),
    "plan_action": ("caseplans.PlanAction", "plan__case", {}),
    "plan_goal": ("caseplans.PlanGoal", "plan__case", {}),
    # What a document may be attached to besides the case (``cases.models.AttachmentTarget``).
    "contact": ("contacts.Contact", "case", {}),
    "referral": ("services.Referral", "case", {}),
}
# Staff named in a write about a case: who may work on it (what the contact form offers), a
# team leader of its team, or the caseworker allocated to a new case (see :func:`visible_records`).
STAFF_KINDS = {"staff", "leader", "caseworker"}
STAFF_ROLES = [Role.CASEWORKER, Role.SUPPORT_OFFICER, Role.TEAM_LEADER]


def record_model(kind: str):
    return User if kind in STAFF_KINDS else apps.get_model(CASE_RECORDS[kind][0])


def _staff_of(user, case: Case, kind: str) -> QuerySet:
    if kind == "leader":  # a team leader of the case's team (approves its risk assessments)
        return User.objects.filter(role=Role.TEAM_LEADER, led_teams=case.team_id)
    if kind == "caseworker":
        return User.objects.filter(role=Role.CASEWORKER, team_id=case.team_id, is_active=True)
    # The case's caseworker, its team and the team's leaders, and the user (who may work on it);
    # of a restricted case, only those of them who see it.
    staff = User.objects.filter(Q(team_id=case.team_id) | Q(led_teams=case.team_id) | Q(pk=case.caseworker_id)
                                | Q(pk=user.pk), is_active=True, role__in=STAFF_ROLES)
    if case.restricted:
        staff = staff.filter(restriction_passed_by(case))
    return staff.distinct()


# --- Restricted cases ----------------------------------------------------------------------

RESTRICTED_STAFF_ROLES = [Role.CASEWORKER, Role.SUPPORT_OFFICER, Role.TEAM_LEADER, Role.MANAGER]


def restriction_passed_by(case: Case) -> Q:
    """Users (a condition on ``User``) whom ``case``'s restriction lets through: its caseworker,
    its team's leaders and the staff named on it. For a case that is not restricted, everyone."""
    if not case.restricted:
        return Q()
    named = RestrictedCaseStaff.objects.filter(case_id=case.pk).values("user_id")
    return Q(pk=case.caseworker_id) | Q(role=Role.TEAM_LEADER, led_teams=case.team_id) | Q(pk__in=named)


def restricted_readers(case_ids) -> dict[int, set[int]]:
    """{case id: ids of the users its restriction lets through} for the restricted cases among
    ``case_ids`` (two queries); a case not in the answer is not restricted. Alerts use it so an
    alert about a restricted case reaches nobody who would get 404 opening it."""
    cases = list(Case.objects.filter(pk__in=set(case_ids), restricted=True).values_list("pk", "caseworker_id",
                                                                                          "team_id"))
    if not cases:
        return {}
    readers = {pk: {caseworker_id} for pk, caseworker_id, _team in cases}
    leaders = User.led_teams.through.objects.filter(team_id__in={team for *_, team in cases},
                                                    user__role=Role.TEAM_LEADER)
    by_team: dict[int, set[int]] = {}
    for team_id, user_id in leaders.values_list("team_id", "user_id"):
        by_team.setdefault(team_id, set()).add(user_id)
    for pk, _worker, team_id in cases:
        readers[pk] |= by_team.get(team_id, set())
    for case_id, user_id in RestrictedCaseStaff.objects.filter(case_id__in=readers).values_list("case_id", "user_id"):
        readers[case_id].add(user_id)
    return readers


def staff_to_name(case: Case) -> QuerySet:
    """Who a team leader may name on ``case``'s restricted list: active staff of the agency who
    are not already through (its caseworker, its team's leaders, those named)."""
    staff = User.objects.filter(is_active=True, role__in=RESTRICTED_STAFF_ROLES)
    named = RestrictedCaseStaff.objects.filter(case_id=case.pk).values("user_id")
    return (staff.exclude(pk=case.caseworker_id).exclude(role=Role.TEAM_LEADER, led_teams=case.team_id)
            .exclude(pk__in=named).select_related("team").order_by("last_name", "first_name", "username"))


def records_in_case(user, case: Case | None, kind: str, *, roles=None) -> QuerySet:
    """The records of ``kind`` of ``case`` that ``user`` may name in a write: none unless the
    user sees the case. Every id in a form or a serializer resolves through here, so one the
    user may not use (another case's, an invisible case's) answers like one that does not exist.
    ``roles`` narrows members or people to those with one of these roles in THIS case."""
    model = record_model(kind)
    if case is None or case.pk is None or not _is_visible(user, case):
        return model.objects.none()
    if kind in STAFF_KINDS:
        return _staff_of(user, case, kind)
    _label, path, narrowing = CASE_RECORDS[kind]
    if roles is not None:  # in the same filter as the case, so the role is the one held in this case
        narrowing = {**narrowing, f"{path.removesuffix('case')}role__in": list(roles)}
    records = model.objects.filter(**{path: case.pk}, **narrowing)
    return records.distinct() if model is Person else records


def visible_records(user, kind: str) -> QuerySet:
    """Records of ``kind`` of any case ``user`` may see: for an id that itself says which case a
    write is about (a child for their legal status, a plan for a new action). For "caseworker":
    the caseworkers of the teams in which ``user`` may open a case (a new case has no case yet)."""
    if kind == "caseworker":
        return User.objects.filter(role=Role.CASEWORKER, is_active=True, team__in=teams_for_new_cases(user))
    _label, path, narrowing = CASE_RECORDS[kind]
    records = record_model(kind).objects.filter(**{f"{path}__in": visible_cases(user).values("pk")}, **narrowing)
    return records.distinct() if record_model(kind) is Person else records


def record_in_case(user, case: Case | None, kind: str, pk):
    """One record by id through :func:`records_in_case`; None when missing or not the user's to name."""
    try:
        return records_in_case(user, case, kind).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# --- The API's fields for ids in writes ----------------------------------------------------


def _requester(field):
    request = field.context.get("request")
    return request.user if request is not None else None


class VisibleCaseField(serializers.SlugRelatedField):
    """A case named by its reference in a write: one the requester may not see does not exist."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "reference")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Case.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        user = _requester(self)
        return Case.objects.none() if user is None else visible_cases(user)

    def to_internal_value(self, data):
        # No reference holds a NUL, and PostgreSQL refuses one in a query: answer as for any
        # reference that does not exist.
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A record of ``kind`` (a key of :data:`CASE_RECORDS`, or "staff" / "leader") named by id
    in a write. With ``in_case`` (the default) it must be of the case the write is about
    (:func:`named_case`); without, of any case the requester may see — for the field that
    itself says which case that is (a child for their legal status, a plan for its action)."""

    def __init__(self, kind: str, *, in_case: bool = True, **kwargs):
        self.kind, self.in_case = kind, in_case
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", record_model(kind).objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        user = _requester(self)
        if user is None:
            return record_model(self.kind).objects.none()
        if not self.in_case:
            return visible_records(user, self.kind)
        return records_in_case(user, named_case(self.root), self.kind)


def named_case(serializer) -> Case | None:
    """The case a write is about, worked out once per serializer: the view's (``context["case"]``,
    e.g. the referral's for an action on that referral), else the one its case-naming field
    names (``case_field``, "case" by default), else the case of the record being changed.
    None when it names none the requester may see."""
    if "_named_case" not in serializer.__dict__:
        serializer._named_case = _find_named_case(serializer)
    return serializer._named_case


def _find_named_case(serializer) -> Case | None:
    if serializer.context.get("case") is not None:
        return serializer.context["case"]
    name = getattr(serializer, "case_field", "case")
    field = serializer.fields.get(name)
    data = getattr(serializer, "initial_data", None)
    if field is not None and not field.read_only and isinstance(data, Mapping) and data.get(name) is not None:
        try:
            return case_of(field.to_internal_value(data[name]))
        except serializers.ValidationError:
            return None
    instance = serializer.instance
    if instance is not None and hasattr(instance, "pk"):
        return case_of(instance)
    return None


# --- Inbound messages ---------------------------------------------------------------------

INBOUND_READERS = {Role.TEAM_LEADER, Role.MANAGER}


def may_read_inbound(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in INBOUND_READERS)


def may_review_inbound(user) -> bool:
    """Match a kept message to a case, or dismiss it: team leaders (of the messages they read)."""
    return may_read_inbound(user) and user.role == Role.TEAM_LEADER


def _addressed_reference():
    return Trim(KT("payload__case_reference"))


def visible_inbound_messages(user, messages: QuerySet) -> QuerySet:
    """The inbound ``messages`` ``user`` may read (see the module docstring), as one query."""
    if not may_read_inbound(user):
        return messages.none()
    cases = visible_cases(user)
    messages = messages.alias(addressed_reference=_addressed_reference())
    addressed_to = Case.objects.filter(reference=OuterRef("addressed_reference"))
    return messages.filter(
        Q(response__case__in=cases.values("pk"))
        | Q(response__isnull=True) & (Q(Exists(cases.filter(reference=OuterRef("addressed_reference"))))
                                      | ~Q(Exists(addressed_to))))


def inbound_case(message) -> Case | None:
    """The case a message is about: its response's, else the one its ``case_reference`` names."""
    if message.response_id:
        return message.response.case
    payload = message.payload if isinstance(message.payload, dict) else {}
    reference = str(payload.get("case_reference") or "").strip()
    return Case.objects.filter(reference=reference).first() if reference else None


def inbound_reviewers(message) -> QuerySet:
    """The team leaders who may act on ``message``: those who see its case (mirroring
    :func:`visibility_filter` for team leaders), or every team leader when it names no case."""
    leaders = User.objects.filter(role=Role.TEAM_LEADER, is_active=True)
    case = inbound_case(message)
    if case is None:
        return leaders
    if case.restricted:  # its team's leaders and those named; nobody merely shared on it
        return leaders.filter(restriction_passed_by(case)).distinct()
    shared = CaseUserObjectPermission.objects.filter(content_object=case, permission__codename="view_case_record")
    return leaders.filter(Q(led_teams=case.team_id) | Q(pk=case.caseworker_id)
                          | Q(pk__in=shared.values("user_id"))).distinct()
