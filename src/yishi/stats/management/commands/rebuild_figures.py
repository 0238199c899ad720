from django.core.management.base import BaseCommand

from yishi.stats.rebuilding import rebuild


class Command(BaseCommand):
    help = "Recount the figures' roll-up tables from the raw tables (matters, meetings, votes …)."

    def handle(self, *args, **options):
        result = rebuild(verbose=self.stdout.write)
        self.stdout.write(
            f"Rebuilt from {result.sources} sources: {result.counters} counters, "
            f"{result.participants} participant rows in {result.seconds:.1f} s."
        )
