import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Everything loaded so far (Django, DRF, our modules) lives as long as the process: move it out
# of the collector's reach, so a full collection scans only what requests allocate instead of
# the whole application (a 100+ ms pause otherwise, docs/performance.md), and so prefork
# workers keep sharing these pages instead of copying them when the collector touches them.
gc.freeze()
# Requests allocate many short-lived objects; with the default threshold (700) the collector runs
# every few requests. 10,000 keeps young collections cheap and rare (docs/performance.md: GC).
gc.set_threshold(10_000, 10, 10)
