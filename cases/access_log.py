"""The access log's recorder: every read of a child's record, written once per request.

Who may see what stays in ``cases/permissions.py``; this module only records. The
permission checks that resolve a case for a request (``get_case_or_404``, ``require``, the
API's object permission) call :func:`note_look`, so no page or endpoint that reads a case
can forget to; lists that show many cases at once (an API list page, the dashboard's
drill-down and its CSV) note each case they show. Looks gather in the request's collector
(a context variable :class:`AccessLogMiddleware` sets) and are written after the response
is produced, only for a 2xx answer (a 404 or 403 read nothing), in ONE insert statement
whatever the number of cases (a JSON array of ids expanded by the database), never a row
at a time. Outside a request (tasks, the shell, tests calling services) nothing is noted.

How is worked out from the response: a view may say (``response.access_log_how``: an attachment
downloaded or previewed is a download), else under ``/api/`` → API, a PDF → PDF, a CSV → export,
else a page; what is the route's URL name (``cases:detail``, ``case-list``…), followed by what the
view names (``response.access_log_what``: which attachment).
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import CaseLook, LookHow

_current: contextvars.ContextVar[dict | None] = contextvars.ContextVar("casework_looks", default=None)


def _id(value) -> int | None:
    return value if value is None or isinstance(value, int) else value.pk


def note_look(cases, *, person=None) -> None:
    """Note that the current request reads ``cases`` (a case, its id, or an iterable of
    either); ``person`` (or its id) when the page is that person's."""
    looks = _current.get()
    if looks is None or cases is None:
        return
    person_id = _id(person)
    for case_id in map(_id, cases if isinstance(cases, Iterable) else [cases]):
        people = looks.setdefault(case_id, set())
        if person_id is not None:
            people.add(person_id)


def how_of(request, response) -> str:
    if getattr(response, "access_log_how", None):  # a view that knows better (a file downloaded)
        return response.access_log_how
    content_type = response.get("Content-Type", "")
    if request.path.startswith("/api/"):
        return LookHow.API
    if content_type.startswith("application/pdf"):
        return LookHow.PDF
    if content_type.startswith("text/csv"):
        return LookHow.EXPORT
    return LookHow.PAGE


def what_of(request, response=None) -> str:
    """The route's URL name, and what the view names of it (``access_log_what``: which file)."""
    match = getattr(request, "resolver_match", None)
    what = match.view_name if match else request.path
    detail = getattr(response, "access_log_what", "")
    return (f"{what} {detail}" if detail else what)[:100]


def _rows(looks: dict) -> list[list[int | None]]:
    # A case read through a person's page is recorded with that person, not twice.
    return [[case_id, person_id] for case_id, people in looks.items() for person_id in (people or [None])]


_EXPAND = {
    # One JSON parameter, expanded by the database: a row per look in one statement
    # (bulk_create would split 500 looks into several inserts on SQLite's 999 parameters).
    "sqlite": "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), {values} FROM json_each(%s)",
    "postgresql": "SELECT (look->>0)::bigint, (look->>1)::bigint, {values} FROM jsonb_array_elements(%s::jsonb) AS look",
}


def record(*, looks: dict, user, how: str, what: str, at=None) -> int:
    """Write ``looks`` ({case id: {person ids}}) of ``user`` in one insert; the number written."""
    rows = _rows(looks)
    if not rows:
        return 0
    at = at or timezone.now()
    expand = _EXPAND.get(connection.vendor)
    if expand is None:  # another database: still one statement per batch the backend allows
        CaseLook.objects.bulk_create([CaseLook(case_id=c, person_id=p, user=user, at=at, how=how, what=what)
                                      for c, p in rows])
        return len(rows)
    meta, quote = CaseLook._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("case", "person", "user", "at", "how", "what"))
    # The values every row shares are parameters of the SELECT list; the JSON array comes last.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) " + expand.format(values="%s, %s, %s, %s")
    params = [user.pk, connection.ops.adapt_datetimefield_value(at), str(how), what, json.dumps(rows)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(rows)


class AccessLogMiddleware:
    """Collects the looks of each request and writes them after a 2xx response.

    After ``AuthenticationMiddleware`` (it records ``request.user``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.ACCESS_LOG_ENABLED:
            return self.get_response(request)
        looks: dict = {}
        token = _current.set(looks)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        user = getattr(request, "user", None)
        if looks and 200 <= response.status_code < 300 and user is not None and user.is_authenticated:
            record(looks=looks, user=user, how=how_of(request, response), what=what_of(request, response))
        return response
