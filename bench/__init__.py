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


def sign_in(client, user) -> None:  # noqa: ANN001
    """Sign a test client in as a staff member who passed both factors, as every admin and advocate
    must (accounts/two_factor.py): the session carries a confirmed authenticator of theirs."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True))
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
