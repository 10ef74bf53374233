"""The check every API test's answers go through (tests/openapi_validation.py) does catch an
answer that is not what the document says."""

import pytest

from tests.openapi_validation import SchemaViolation, document


def test_a_body_off_schema_is_caught_naming_operation_status_and_field(db):
    body = b'{"count": "two", "next": null, "previous": null, "results": []}'
    with pytest.raises(SchemaViolation, match=r"GET /api/cases/ 200: at count: 'two' is not of type 'integer'"):
        document().check("GET", "/api/cases/", 200, "application/json", body)
    with pytest.raises(SchemaViolation, match=r"GET /api/cases/ 200: at results/0: '\w+' is a required property"):
        document().check("GET", "/api/cases/", 200, "application/json", body.replace(b'"two"', b"1").replace(b"[]", b"[{}]"))


def test_an_undocumented_status_is_caught(db):
    with pytest.raises(SchemaViolation, match=r"GET /api/cases/\{reference\}/: status 418 is not documented"):
        document().check("GET", "/api/cases/ABC-1/", 418, "application/json", b"{}")


def test_a_documented_error_answer_passes(db):
    document().check("GET", "/api/cases/ABC-1/", 404, "application/json", b'{"detail": "Not found."}')
    with pytest.raises(SchemaViolation, match="at detail"):
        document().check("GET", "/api/cases/ABC-1/", 404, "application/json", b'{"detail": 3}')
