"""Celery application.

Worker: ``celery -A config worker -l info``; beat: ``celery -A config beat -l info``.
With ``CELERY_BROKER_URL`` unset, settings make tasks run eagerly in-process.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("casetracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
