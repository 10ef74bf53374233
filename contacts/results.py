"""How an evaluation of the contact standard is stored: one ``CaseMonth`` row per case
and month, encoded once and written in bulk. Every page, alert, e-mail and export reads
these rows, so this is the one encoding of a result."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from django.db import connection

from contacts import rules
from contacts.models import CaseMonth

RESULT_FIELDS = ["status", "case_type", "risk_level", "required_total", "achieved_total", "lines", "not_counted",
                 "notes", "not_assessable_reason", "adjustment"]
JSON_FIELDS = frozenset({"lines", "not_counted", "notes", "adjustment"})
# Columns written by a recompute, in the order of the tuples `result_row` returns.
STORED_FIELDS = ["case", "month", *RESULT_FIELDS, "computed_at", "at_risk"]


def result_row(case_id: int, month, evaluation: rules.Evaluation, computed_at, at_risk: bool) -> tuple:
    """One row for `store_results`: the values of STORED_FIELDS."""
    return (case_id, month, *result_columns(evaluation), computed_at, at_risk)


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
        _as_json(evaluation.adjustment) if evaluation.adjustment else None,
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
