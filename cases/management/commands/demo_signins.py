from django.core.management.base import BaseCommand

from cases import demo


class Command(BaseCommand):
    help = "Print the demo agency's sign-ins."

    def handle(self, *args, **options):
        agency = demo.ensure_agency()
        self.stdout.write("\nCasework demo — open http://127.0.0.1:8000 and sign in as:")
        for role, username in agency.signins:
            self.stdout.write(f"  {role:<28} {username:<14} password: {demo.DEMO_PASSWORD}")
        self.stdout.write("")
