"""``yishi sequence-record``: keep the record's tree up with the entries and sign its checkpoints.

Each write already tries to add its entry when it commits; this process catches what those skipped (another
was extending the tree at the moment) and signs the checkpoint that ends a burst. Run one, or several: a
PostgreSQL advisory lock lets one work at a time.
"""

import signal
import time

from django.core.management.base import BaseCommand

from yishi.audit import tree


class Command(BaseCommand):
    help = "Add committed audit entries to the record's Merkle tree and sign checkpoints (--once: one pass)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=0.25, help="Seconds between passes.")

    def handle(self, *args, once=False, interval=0.25, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            done = tree.extend(checkpoint_now=once)
            if once:
                cp = tree.latest_checkpoint()
                self.stdout.write(
                    f"record tree: {done.size} entries ({done.appended} added); "
                    f"latest checkpoint at {cp.size if cp else 0}"
                )
                return
            if stopping:
                return
            time.sleep(interval)
