"""Write casework/schedule.py to django-celery-beat's tables (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from casework.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Create or update the periodic tasks of casework/schedule.py in the beat schedule."

    def handle(self, *args, **options):
        for name, (task, cron) in SCHEDULE.items():
            existing = PeriodicTask.objects.filter(name=name).first()
            if existing is not None:
                # Keep an administrator's edited time; make sure the task name is right.
                PeriodicTask.objects.filter(pk=existing.pk).update(task=task)
                continue
            crontab, _ = CrontabSchedule.objects.get_or_create(
                timezone=settings.TIME_ZONE, day_of_week="*", day_of_month="*", month_of_year="*", **cron)
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab)
        self.stdout.write(f"{len(SCHEDULE)} periodic tasks in the schedule.")
