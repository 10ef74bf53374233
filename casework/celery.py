"""The Celery application. Tasks live in each app's tasks.py; the periodic
schedule is stored in the database (django-celery-beat) so it can be edited in the admin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
