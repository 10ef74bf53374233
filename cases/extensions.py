"""How other apps add to the case pages and navigation without the cases app knowing them.

Each app registers in its ``AppConfig.ready()``:
- ``case_section(order, template, context_fn)`` — a section on the case page (below ``LEAD_ORDER``:
  above the case's details). ``context_fn(request, case)``
  returns the template context (or None to show nothing); it must run a fixed number of queries.
- ``nav_link(order, label, url_name, visible_fn)`` — a main-navigation link shown when ``visible_fn(user)``.
- ``month_section(order, template, context_fn)`` — a section on a case's month page (contact
  standard); ``context_fn(request, case, month)`` returns the context or None, in a fixed
  number of queries.
- ``case_list_annotation(fn)`` — ``fn(queryset) -> queryset`` adds set-based annotations that the
  case list rows show (e.g. this month's contact status); it must not add a query per row.
- ``on_facts_changed(fn)`` — ``fn(case_id=, since=, by=)`` is told, inside the writer's transaction,
  that a fact of the case changed from the day ``since`` on. Every write in this app that changes
  what a month's evaluation reads (closing and reopening, membership, legal status, goal, living
  arrangement, risk, allocation; in the services app, a provider's involvement) calls
  :func:`facts_changed`, the one path, so none can forget
  to invalidate the stored results (the contacts app records a pending recompute).
- ``fact_check(fn)`` — ``fn(fact)`` is asked before a child's legal status, goal or living
  arrangement is saved by ``cases.services.child_fact_record`` and raises ``CaseworkError`` to
  refuse it (the care app keeps a living arrangement that carries a placement in care).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseSection:
    order: int
    template: str
    context: Callable


@dataclass(frozen=True)
class NavLink:
    order: int
    label: str
    url_name: str
    visible: Callable


_sections: dict[str, CaseSection] = {}
_links: dict[str, NavLink] = {}
_list_annotations: dict[str, Callable] = {}
_fact_listeners: dict[str, Callable] = {}
_month_sections: dict[str, CaseSection] = {}


def case_section(order: int, template: str, context_fn: Callable) -> None:
    _sections[template] = CaseSection(order, template, context_fn)


def month_section(order: int, template: str, context_fn: Callable) -> None:
    _month_sections[template] = CaseSection(order, template, context_fn)


def render_month_sections(request, case, month) -> list[tuple[str, dict]]:
    """(template, context) for every registered month-page section that has something to show."""
    rendered = []
    for section in sorted(_month_sections.values(), key=lambda s: s.order):
        context = section.context(request, case, month)
        if context is not None:
            rendered.append((section.template, {"case": case, "month": month, **context}))
    return rendered


def nav_link(order: int, label: str, url_name: str, visible_fn: Callable = lambda user: True) -> None:
    _links[url_name] = NavLink(order, label, url_name, visible_fn)


# Sections ordered below this lead the case page, above the case's details: what a
# caseworker at a visit needs first (this month's contact and "Record a contact").
LEAD_ORDER = 10


def render_case_sections(request, case, *, lead: bool | None = None) -> list[tuple[str, dict]]:
    """(template, context) for every registered section that has something to show; with
    ``lead``, only those that lead the page (True) or only the others (False)."""
    rendered = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        if lead is not None and (section.order < LEAD_ORDER) != lead:
            continue
        context = section.context(request, case)
        if context is not None:
            rendered.append((section.template, {"case": case, **context}))
    return rendered


def nav_links(user) -> list[NavLink]:
    return [link for link in sorted(_links.values(), key=lambda link: link.order) if link.visible(user)]


def case_list_annotation(fn: Callable) -> None:
    _list_annotations[f"{fn.__module__}.{fn.__qualname__}"] = fn


def annotate_case_list(queryset):
    for fn in _list_annotations.values():
        queryset = fn(queryset)
    return queryset


def on_facts_changed(fn: Callable) -> None:
    _fact_listeners[f"{fn.__module__}.{fn.__qualname__}"] = fn


_fact_checks: dict[str, Callable] = {}


def fact_check(fn: Callable) -> None:
    _fact_checks[f"{fn.__module__}.{fn.__qualname__}"] = fn


def check_fact(fact) -> None:
    """Ask every registered check whether ``fact`` may be saved (each raises to refuse)."""
    for fn in _fact_checks.values():
        fn(fact)


def facts_changed(*, case_id: int, since, by=None) -> None:
    """A fact of case ``case_id`` changed from the day ``since`` on; tell every listener."""
    for fn in _fact_listeners.values():
        fn(case_id=case_id, since=since, by=by)
