"""Developer machine: `make run`. SQLite and eager tasks unless the environment says otherwise."""
from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Development-only secrets. Production refuses to start without its own (see production.py).
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-change-me-0123456789")
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["3q2-7UZ4V6fJQfU3ZfQ6oUoq7Tx8I7wqg2O8a0o9XbY="]
)
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="dev-only-blind-index-key")
# Security keys on the development server: browsers allow them on http://localhost only (open
# http://localhost:8000 rather than 127.0.0.1 to add one).
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=["http://localhost:8000"])
# Links in emails point at the development server.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
