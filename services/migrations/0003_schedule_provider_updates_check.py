"""Schedule the daily check for missing provider updates (django-celery-beat)."""

from django.conf import settings
from django.db import migrations

TASK = "services.tasks.provider_updates_check"
NAME = "Provider updates check"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 30 6 * * *: every day at 06:30 agency time, before the working day starts.
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="6", day_of_week="*", day_of_month="*",
                                                       month_of_year="*", timezone=settings.TIME_ZONE)
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0002_referrals_replace_manual_involvement"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
