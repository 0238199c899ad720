"""``yishi witness``: cosign the record's checkpoints that extend what this witness saw before (see audit/witness.py).

Needs no database: only the record's URL and key, the witness's own key file and a store file.
"""

import logging
import signal
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yishi.audit import notes
from yishi.audit.witness import Alarm, Client, Store, Unreachable, witness_once

log = logging.getLogger("yishi.witness")


class Command(BaseCommand):
    help = "Witness a Yishi record: check each new checkpoint's consistency with the last one cosigned, then cosign."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "--log", required=True, help="The record's base URL, e.g. https://yishi.example.gov.cn"
        )
        parser.add_argument("--log-key", required=True, help="The record's verifier key (name+id+key).")
        parser.add_argument(
            "--key", required=True, help="This witness's private key file (audit-keygen --witness)."
        )
        parser.add_argument("--store", required=True, help="This witness's store: a JSON file it keeps.")
        parser.add_argument("--once", action="store_true", help="One round, then exit (2 on an alarm).")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between rounds.")

    def handle(self, *args, **options):
        try:
            log_key = notes.parse_verifier_key(options["log_key"])
            signer = notes.parse_private_key(Path(options["key"]).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if signer.kind != notes.COSIGNATURE_V1:
            raise CommandError("the witness key is a log's key: make one with `yishi audit-keygen --witness`")
        client, store = Client(options["log"]), Store(Path(options["store"]))
        stopping: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            try:
                self.stdout.write(witness_once(client, log_key, signer, store))
            except Alarm as exc:
                log.error("ALARM: %s", exc)
                self.stderr.write(f"ALARM: {exc}")
                if options["once"]:
                    raise SystemExit(2) from exc
            except Unreachable as exc:
                self.stderr.write(f"the record cannot be reached: {exc}")
                if options["once"]:
                    raise SystemExit(1) from exc
            if options["once"]:
                return
            time.sleep(options["interval"])
