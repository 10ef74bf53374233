"""Compress the stored results' JSON with LZ4 instead of pglz on PostgreSQL: the nightly
run rewrites every open case's row, and pglz compression was a fifth of that write.
Skipped on other databases, and left as it is where the server was built without LZ4."""

from django.db import migrations

COLUMNS = ["lines", "not_counted", "result_at_close"]


def compress_with_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("contacts", "CaseMonth")._meta.db_table
    alterations = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION lz4" for column in COLUMNS)
    schema_editor.execute(f"""
        DO $$ BEGIN
            ALTER TABLE {table} {alterations};
        EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
            RAISE NOTICE 'LZ4 is not available on this server; keeping the default compression.';
        END $$""")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_casemonth_at_risk_compliancerun")]

    operations = [migrations.RunPython(compress_with_lz4, migrations.RunPython.noop)]
