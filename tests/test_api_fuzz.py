"""schemathesis against the whole API, in-process (WSGI, no server), signed in as a caseworker
of a small seeded agency: every operation in the OpenAPI document gets generated requests, and
none may answer a server error, an undocumented status or content type, or a body that does
not match its documented schema.

Twice: with requests the document allows ("positive"), and with requests it forbids
("negative": a wrong type, a missing required field, a value out of range …), which must also
be refused with a 4xx (``negative_data_rejection``), never accepted or answered 5xx.

Bounded so it fits in ``make test``: CASEWORK_FUZZ_EXAMPLES examples per operation (default 12).
Run it bigger with, e.g., ``CASEWORK_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest -s tests/test_api_fuzz.py``.
Derandomised: the same examples every run, so a failure here is reproducible."""

from __future__ import annotations

import collections
import contextlib
import os
import time

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from responses.services import sending_system_create
from tests.conftest import make_family_case
from tests.openapi_validation import document

EXAMPLES = int(os.environ.get("CASEWORK_FUZZ_EXAMPLES", "12"))
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance, negative_data_rejection],
}


@contextlib.contextmanager
def wsgi_app():
    """Django's WSGI application, keeping the test's database connection: a request's end
    would close it (as Django's own test client prevents too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def agency(cast, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis's WSGI host
    for caseworker in (cast.worker, cast.worker, cast.colleague, cast.other_team_worker):
        make_family_case(caseworker)
    _, system_token = sending_system_create(name="Intake hotline")
    return {"staff": f"Token {Token.objects.create(user=cast.worker).key}", "system": f"Bearer {system_token}"}


def seen_ids(token: str) -> dict[str, list]:
    """The ids the caseworker can see, per list route (``/api/contacts/`` → its records' ids, or
    the cases' references), read through the API itself: random ids alone would only meet 404."""
    client, found = Client(), {}
    for template, operations in document().document["paths"].items():
        if "{" in template or "get" not in operations:
            continue
        answer = client.get(template, HTTP_AUTHORIZATION=token)
        rows = answer.json().get("results", []) if answer.status_code == 200 else []
        found[template] = [row for row in rows if isinstance(row, dict)]
    return found


def real_values(operation, seen) -> dict[str, list]:
    """For a route's first path parameter, the values of records that exist and may be seen."""
    template = operation.path
    if "{" not in template:
        return {}
    prefix, rest = template.split("{", 1)
    name = rest.split("}", 1)[0]
    key = "reference" if name == "reference" else "id"
    return {name: [row[key] for row in seen.get(prefix, []) if row.get(key) is not None]}


def fuzz(operation, app, headers, examples, seen, references, mode):
    """Generated requests for one operation; every failed check is collected, not raised, so
    one run reports all of them. Half the time a path id or a body's ``case`` names a real record."""
    counts, failures = collections.Counter(), []
    real = {name: values for name, values in real_values(operation, seen).items() if values}

    @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        counts["cases"] += 1
        # Only a part generated valid is pointed at a real record: a part made invalid stays so.
        valid = {location for location, component in case.meta.components.items()
                 if component.mode is GenerationMode.POSITIVE}
        for name, values in real.items():
            if ParameterLocation.PATH in valid and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(values))
        if (ParameterLocation.BODY in valid and isinstance(case.body, dict) and "case" in case.body
                and data.draw(st.booleans())):
            case.body["case"] = data.draw(st.sampled_from(references))
        response = case.call(app=app, headers=headers)
        counts[f"status {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=CHECKS[mode], headers=headers)
        except (AssertionError, BaseExceptionGroup) as error:  # schemathesis's failures: one, or several
            sent = f"query {case.query}, body {case.body!r:.200}"
            failures.append(f"{operation.label} → {response.status_code} ({sent}): {error}".splitlines()[0:12])

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # nothing the document forbids (no parameter, no body)
        assert mode is GenerationMode.NEGATIVE and not counts["cases"], operation.label
    return counts, failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
def test_the_api_never_answers_a_server_error_or_off_schema(agency, mode):
    started = time.monotonic()
    schema = schemathesis.openapi.from_dict(document().document)
    totals, failures, operations = collections.Counter(), [], 0
    seen = seen_ids(agency["staff"])
    references = [row["reference"] for row in seen["/api/cases/"]]
    assert len(references) == 3  # the worker's two cases and their colleague's
    with wsgi_app() as app:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            token = agency["system"] if operation.path == "/api/inbound/" else agency["staff"]
            counts, found = fuzz(operation, app, {"Authorization": token}, EXAMPLES, seen, references, mode)
            totals.update(counts)
            failures.extend(found)
    seconds = time.monotonic() - started
    print(f"\nschemathesis ({mode.value}): {operations} operations, {totals['cases']} cases, {len(failures)} failures, "
          f"{seconds:.0f} s; answers: {dict(sorted((k, v) for k, v in totals.items() if k != 'cases'))}")
    assert operations == sum(1 for path in document().document["paths"].values()
                             for method in path if method in ("get", "post", "put", "patch", "delete"))
    assert not failures, "\n\n".join("\n".join(lines) for lines in failures[:40])
