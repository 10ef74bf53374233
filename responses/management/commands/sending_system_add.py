"""Register an external system that may send concerns and court alerts; prints its token once."""

from django.core.management.base import BaseCommand, CommandError

from cases.services import CaseworkError
from responses.services import sending_system_create


class Command(BaseCommand):
    help = "Register a sending system and print its API token (stored only as a hash)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        try:
            system, token = sending_system_create(name=name)
        except CaseworkError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{system.name}: {token}\nKeep it now; it cannot be shown again.")
