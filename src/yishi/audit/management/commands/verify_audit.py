from django.core.management.base import BaseCommand, CommandError

from yishi.audit import tree
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify


class Command(BaseCommand):
    help = (
        "Check the audit chain, the record's Merkle tree and its signed checkpoints from the start; name the "
        "first break (exit 1 if there is one)."
    )

    def handle(self, *args, **options):
        broken = verify()
        if broken is not None:
            raise CommandError(f"audit record broken: {broken}")
        latest = tree.latest_checkpoint()
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain intact: {AuditEntry.objects.count()} entries; "
                f"tree of {tree.size()} checked; latest signed checkpoint at {latest.size if latest else 0}"
            )
        )
