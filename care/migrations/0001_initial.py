from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration: its models come in the migrations that follow."""

    initial = True
    dependencies = [("cases", "0007_attachments")]
    operations = []
