from django.conf import settings
from django.db import models

from ..fields import EncryptedTextField


class CalendarFeed(models.Model):
    """A user's calendar address (cases.services.calendar): a secret in the URL, because calendar
    apps cannot sign in. The secret is kept encrypted (the page shows the address again) and found
    by its keyed hash; rotating replaces it (the old address answers 404), revoking deletes the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    secret = EncryptedTextField()
    secret_index = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed #{self.pk}"
