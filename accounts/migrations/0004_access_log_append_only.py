"""The access log is append-only on PostgreSQL: no UPDATE or DELETE, by anyone, through any code
path (like the case history, cases/migrations/0002)."""
from django.db import migrations

TABLES = ("accounts_accessevent", "accounts_accesseventcase")

CREATE = """
CREATE OR REPLACE FUNCTION accounts_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION accounts_access_log_append_only();
""" for table in TABLES)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES) + \
    "DROP FUNCTION IF EXISTS accounts_access_log_append_only();\n"


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_access_log")]
    operations = [migrations.RunPython(forwards, backwards)]
