"""The OpenAPI schema of the whole API generates without warnings (name clashes between
apps, views whose responses cannot be described)."""

from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path, db):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "CaseMonthStatusEnum" in text and "sendingSystemToken" in text
