"""How an evaluation of the contact standard is stored: one ``CaseMonth`` row per case
and month, encoded once and written in bulk. Every page, alert, e-mail and export reads
these rows, so this is the one encoding of a result."""

from __future__ import annotations

import functools
import gc
import hashlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from django.conf import settings
from django.db import connection

from care import facts as care_facts
from care import rules as care_rules
from contacts import facts, federal, rules
from contacts.models import CaseMonth
from services.selectors import provider_involvement

# The federal visit measure's columns (contacts.federal), written with the standard's result.
FEDERAL_FIELDS = ["federal_children", "federal_visited", "federal_at_residence", "federal"]
RESULT_FIELDS = ["status", "case_type", "risk_level", "required_total", "achieved_total", "lines", "not_counted",
                 "notes", "not_assessable_reason", "adjustment", "separate_lines"]
JSON_FIELDS = frozenset({"lines", "not_counted", "notes", "adjustment", "separate_lines", "federal"})
# Columns written by a recompute, in the order of the tuples `result_row` returns.
STORED_FIELDS = ["case", "month", *RESULT_FIELDS, "computed_at", "at_risk", "visits_needed", "support_needed",
                 "rules_fingerprint", *FEDERAL_FIELDS]

# Settings a result depends on: the agency's time zone draws the months' bounds, and the
# early warning's days per visit. A new value makes every result out of date.
FINGERPRINT_SETTINGS = ("TIME_ZONE", "AT_RISK_DAYS_PER_VISIT", "CARER_VISIT_MONTHS")


@functools.cache
def _code_digest() -> bytes:
    """The code that turns facts into a stored result: the rules with their tables, the
    reading of the facts, the providers' involvement and this encoding. Any edit of it (a
    deploy with a changed table, a fixed rule) makes every result out of date; hashing the
    source means nobody has to remember to bump a version number."""
    digest = hashlib.sha256()
    for part in (rules, facts, federal, provider_involvement, result_columns, federal_columns, care_rules, care_facts):
        try:
            digest.update(inspect.getsource(part).encode())
        except OSError:  # deployed without sources: only a settings change is seen then
            digest.update(part.__name__.encode())
    return digest.digest()


def rules_fingerprint() -> str:
    """A short digest of everything besides the case's facts that a result depends on (see
    _code_digest and FINGERPRINT_SETTINGS). Stored with each result: a result with another
    fingerprint is recomputed by the next nightly run."""
    digest = hashlib.sha256(_code_digest())
    digest.update(repr([getattr(settings, name) for name in FINGERPRINT_SETTINGS]).encode())
    return digest.hexdigest()[:16]


def still_needed(evaluation: rules.Evaluation) -> tuple[int, int]:
    """(visits, support contacts) still needed: what ``rules.at_risk`` weighs against the
    days left, stored so "at risk" can be refreshed without evaluating again."""
    return (rules.still_needed_visits(evaluation),
            sum(line.short_by for line in evaluation.lines if line.code == rules.SUPPORT_CONTACTS))


def at_risk_from_stored(month, status: str, visits_needed: int, support_needed: int, today, visit_planned: bool,
                        days_per_visit: int, *, visit_missed: bool = False) -> bool:
    """``rules.at_risk`` of a stored result, from its status and what it still needed: the
    rule is applied to a stand-in evaluation with one line of each, so there is one rule."""
    if status != rules.SHORT:
        return False
    lines = tuple(rules.Line(code=code, description="", member_id=None, person_name="", role="", required=needed,
                             achieved=0, counted=())
                  for code, needed in ((rules.F2F, visits_needed), (rules.SUPPORT_CONTACTS, support_needed)))
    stand_in = rules.Evaluation(case_id=0, month=month, case_type=None, risk_level=None, lines=lines, not_counted=())
    return rules.at_risk(stand_in, today, visit_planned, days_per_visit, visit_missed=visit_missed)


def result_row(case_id: int, month, evaluation: rules.Evaluation, computed_at, at_risk: bool,
               fingerprint: str, *, federal_month: federal.FederalMonth) -> tuple:
    """One row for `store_results`: the values of STORED_FIELDS."""
    return (case_id, month, *result_columns(evaluation), computed_at, at_risk, *still_needed(evaluation), fingerprint,
            *federal_columns(federal_month))


def federal_columns(federal_month: federal.FederalMonth) -> tuple:
    """The values of FEDERAL_FIELDS, the child-months as JSON text."""
    return (federal_month.children, federal_month.visited, federal_month.at_residence,
            _as_json(federal_month.child_months))


def federal_json(federal_month: federal.FederalMonth) -> list:
    """The child-months as CaseMonth.federal holds them (to compare with a stored row's)."""
    return orjson.loads(federal_columns(federal_month)[-1])


def _as_json(value) -> str:
    """JSON text: lines and the adjustment (dataclasses) as objects with their field
    names, dates as ISO dates, tuples as arrays."""
    return orjson.dumps(value).decode()


def result_columns(evaluation: rules.Evaluation) -> tuple:
    """The values of RESULT_FIELDS, JSON columns as JSON text."""
    return (
        evaluation.status, evaluation.case_type or "", evaluation.risk_level or "", evaluation.required_total,
        evaluation.achieved_total, _as_json(evaluation.lines), _as_json(evaluation.not_counted),
        _as_json(evaluation.notes), evaluation.not_assessable_reason,
        _as_json(evaluation.adjustment) if evaluation.adjustment else None, _as_json(evaluation.separate_lines),
    )


def evaluation_json(evaluation: rules.Evaluation) -> dict:
    """The result as a CaseMonth row holds it, as Python values (for one case at a time)."""
    return {name: orjson.loads(value) if name in JSON_FIELDS and value is not None else value
            for name, value in zip(RESULT_FIELDS, result_columns(evaluation), strict=True)}


def stored_result(row: CaseMonth) -> dict:
    """A stored row's result (RESULT_FIELDS), the same shape as ``evaluation_json``."""
    return {name: getattr(row, name) for name in RESULT_FIELDS}


def store_results(rows: list[tuple]) -> None:
    """Upsert rows (values of STORED_FIELDS) on (case, month).

    On PostgreSQL the rows are streamed with COPY into a temporary table and merged with
    one INSERT … ON CONFLICT: quoting thousands of JSON documents into array parameters
    (what bulk_create does) costs more than evaluating them."""
    fields = [CaseMonth._meta.get_field(name) for name in STORED_FIELDS]
    if connection.vendor != "postgresql":
        json_at = [i for i, f in enumerate(fields) if f.name in JSON_FIELDS]
        objects = []
        for row in rows:
            values = list(row)
            for i in json_at:
                values[i] = None if values[i] is None else orjson.loads(values[i])
            objects.append(CaseMonth(**{f.attname: value for f, value in zip(fields, values, strict=True)}))
        CaseMonth.objects.bulk_create(objects, batch_size=2000, update_conflicts=True, unique_fields=["case", "month"],
                                      update_fields=STORED_FIELDS[2:])
        return
    table = CaseMonth._meta.db_table
    columns = ", ".join(f.column for f in fields)
    # JSON columns arrive as the text result_columns made and are parsed once, in the merge.
    as_text = ", ".join(f"{f.column}::text AS {f.column}" if f.name in JSON_FIELDS else f.column for f in fields)
    parsed = ", ".join(f"{f.column}::jsonb" if f.name in JSON_FIELDS else f.column for f in fields)
    updates = ", ".join(f"{f.column} = EXCLUDED.{f.column}" for f in fields[2:])
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming_case_months AS SELECT {as_text} FROM {table} WITH NO DATA")
        cursor.execute("TRUNCATE incoming_case_months")
        # Binary COPY with the column types declared: nothing escaped or guessed (0.3 s for
        # 20,000 results, where text COPY took 0.8 s).
        cursor.execute("SELECT format_type(atttypid, NULL) FROM pg_attribute "
                       "WHERE attrelid = 'incoming_case_months'::regclass AND attnum > 0 ORDER BY attnum")
        types = [name for name, in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY incoming_case_months ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {parsed} FROM incoming_case_months "
                       f"ON CONFLICT (case_id, month) DO UPDATE SET {updates}")


@contextmanager
def bulk_evaluation() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the facts and results of thousands
    of cases are built: its full passes over hundreds of thousands of live tuples took
    about a third of a nightly run, and nothing built here forms reference cycles
    (reference counting frees it all)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
