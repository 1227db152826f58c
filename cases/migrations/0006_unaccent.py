"""Name search ignores accents (cases.search): PostgreSQL's unaccent extension. On SQLite the app
registers a function of the same name on each connection instead; CreateExtension does nothing
there. Creating the extension needs a role that may (docs/domain-rules.md, migrating)."""
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_database_rules")]
    operations = [UnaccentExtension()]
