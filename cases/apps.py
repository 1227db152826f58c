from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_unaccent(sender, connection, **kwargs) -> None:  # noqa: ANN001, ANN003
    """SQLite has no unaccent(): give every connection the same folding PostgreSQL's extension
    does (cases.search), so name search behaves alike on the embedded default."""
    if connection.vendor == "sqlite":
        from .search import unaccent

        connection.connection.create_function("UNACCENT", 1, unaccent, deterministic=True)


class CasesConfig(AppConfig):
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        connection_created.connect(_sqlite_unaccent, dispatch_uid="cases.sqlite_unaccent")
