from django.core.management.base import BaseCommand, CommandError

from yishi.audit.models import AuditEntry
from yishi.audit.services import verify


class Command(BaseCommand):
    help = "Walk the audit chain from the start and name the first broken entry (exit 1 if there is one)."

    def handle(self, *args, **options):
        broken = verify()
        if broken is not None:
            raise CommandError(f"audit chain broken at {broken}")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {AuditEntry.objects.count()} entries"))
