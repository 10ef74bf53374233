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

A case one may not see answers 404, never revealing that it exists. Because the
rules are evaluated against the current allocation on every request, access follows
reallocation immediately.
"""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework import permissions as drf_permissions

from cases.models import Case, CaseUserObjectPermission, Person, Role

SHARE_PERMISSION = "cases.view_case_record"


class Action(str, Enum):
    VIEW = "view"
    EDIT = "edit"  # record contacts, people, legal status, risk assessments
    ALLOCATE = "allocate"  # reallocate to another caseworker or team
    APPROVE = "approve"  # approve overrides, increased contact, endorse plans


FIELD_ROLES = {Role.CASEWORKER, Role.SUPPORT_OFFICER}


def _shared_with(user) -> Q:
    grants = CaseUserObjectPermission.objects.filter(
        user=user, content_object=OuterRef("pk"), permission__codename="view_case_record"
    )
    return Q(Exists(grants))


def visibility_filter(user) -> Q | None:
    """The condition a case must meet to be visible to ``user``; None means nothing is."""
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


def _is_visible(user, case: Case) -> bool:
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
    if action == Action.APPROVE:
        return case.team_id in led_team_ids(user)
    return False


def can(user, action: Action, case: Case) -> bool:
    """Whether ``user`` may do ``action`` on ``case`` (one query for visibility)."""
    return _is_visible(user, case) and _allowed(user, action, case)


def case_of(obj) -> Case:
    """The case a record belongs to: the case itself, ``obj.case``, or a child's ``obj.member.case``."""
    if isinstance(obj, Case):
        return obj
    case = getattr(obj, "case", None)
    return case if case is not None else obj.member.case


def _refuse(action: Action):
    raise PermissionDenied(f"You may not {action.value} this case.")


def require(user, action: Action, obj) -> Case:
    """Raise 404 when the case behind ``obj`` is invisible, 403 when visible but not allowed."""
    case = case_of(obj)
    if not _is_visible(user, case):
        raise Http404("No such case.")
    if not _allowed(user, action, case):
        _refuse(action)
    return case


def get_case_or_404(user, reference: str, action: Action = Action.VIEW) -> Case:
    """The case with ``reference`` if ``user`` sees it (else 404) and may do ``action`` (else 403)."""
    case = visible_cases(user).select_related("team__office", "caseworker").filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    if not _allowed(user, action, case):
        _refuse(action)
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
        return can(request.user, action, case)
