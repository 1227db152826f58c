from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    """Advocacy actions and letters (issue 3); thin until then."""

    name = "advocacy"
    default_auto_field = "django.db.models.BigAutoField"
