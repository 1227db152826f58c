"""PII at rest: A-numbers are encrypted with Fernet (the `cryptography` library) under keys
from the environment, and findable only through a keyed HMAC "blind index".

We do not use a field package that derives keys from SECRET_KEY or silently returns
ciphertext when a key is wrong: a wrong key must fail loudly, and the data key must rotate
independently of the session secret.
"""
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: cannot encrypt PII.")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class EncryptedTextField(models.TextField):
    """Stores a Fernet token; Python sees the plaintext. Not filterable: use a blind index."""

    def from_db_value(self, value, expression, connection):  # noqa: ANN001
        if value in (None, ""):
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:  # a wrong or missing key must not pass as data
            raise ImproperlyConfigured(
                "Cannot decrypt a PII field: check FIELD_ENCRYPTION_KEYS."
            ) from exc

    def get_prep_value(self, value):  # noqa: ANN001
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return fernet().encrypt(str(value).encode()).decode()

    def get_lookup(self, lookup_name: str):  # noqa: ANN201
        if lookup_name not in ("isnull",):
            raise TypeError("Encrypted fields cannot be filtered; use the blind index.")
        return super().get_lookup(lookup_name)


def blind_index(value: str) -> str:
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is empty.")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


_A_NUMBER_RE = re.compile(r"^\d{8,9}$")


def normalise_a_number(raw: str) -> str:
    """'A-123-456-789', 'a123456789', '123 456 789' -> '123456789'.

    Older 8-digit A-numbers are zero-padded to 9, as USCIS writes them.
    """
    cleaned = re.sub(r"[\s\-.]", "", (raw or "").strip())
    if cleaned[:1] in ("A", "a"):
        cleaned = cleaned[1:]
    if not _A_NUMBER_RE.match(cleaned):
        raise ValidationError(
            "Enter an A-number of 9 digits (an 'A' prefix and dashes are fine).",
            code="invalid_a_number",
        )
    return cleaned.zfill(9)
