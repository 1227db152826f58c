"""Production: every secret comes from the environment, and a missing one stops the start."""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BLIND_INDEX_KEY, CACHES, CELERY_BROKER_URL, FIELD_ENCRYPTION_KEYS, SECRET_KEY, env

DEBUG = False
if not SECRET_KEY or SECRET_KEY.startswith(("dev-only", "test-")) or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters.")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set (comma-separated Fernet keys).")
if not BLIND_INDEX_KEY or len(BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("BLIND_INDEX_KEY must be set to a random value of 32+ characters.")
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The public form's rate limits count across every web process: they need a shared cache.
    raise ImproperlyConfigured("CACHE_URL must point at a shared cache, e.g. redis://127.0.0.1:6379/1.")
if not CELERY_BROKER_URL:
    # Without a broker, letters would be rendered and sent inside the supporter's request.
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set, e.g. redis://127.0.0.1:6379/0.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,  # noqa: F405
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
