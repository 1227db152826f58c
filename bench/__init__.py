"""Benchmarks (see bench/README.md)."""
import os


def configure(default_db: str) -> None:
    """Before django.setup(): a production-like request path (no debug query log, persistent
    connections as behind a pool) on the bench database unless DATABASE_URL names another."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_db}")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("CONN_MAX_AGE", "600")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
