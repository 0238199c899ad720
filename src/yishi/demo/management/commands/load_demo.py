import time

from django.core.management.base import BaseCommand

from yishi.demo import city
from yishi.regions.models import Region


class Command(BaseCommand):
    help = (
        "Load the seed report's city (沧州市) with its communities, units and people. Does nothing if loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="the address printed for the demo"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if Region.objects.filter(code="130900000000").exists():
            self.stdout.write("The demo city is already loaded.")
            logins = city.logins()
        else:
            logins = city.load().logins
            self.stdout.write(f"Demo city loaded in {time.monotonic() - started:.1f} s.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {options['url']}"))
        self.stdout.write(f"Staff log in with their phone number and the password {city.DEMO_PASSWORD}.")
        self.stdout.write("Residents and representatives log in with a code; it is printed in this console.")
        for login in logins:
            self.stdout.write(f"  {login.phone}  {login.who}  ({login.role}; {login.how})")
        self.stdout.write("")
