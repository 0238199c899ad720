"""``yishi audit-keygen``: make the record's signing key (or a witness's) and print the key that verifies it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yishi.audit import notes
from yishi.audit.signing import write_key_file


class Command(BaseCommand):
    help = "Write a new Ed25519 signing key for the record's checkpoints and print its public verifier key."
    # Making the key must not wait on the check that the key is there (production fails it until then).
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the private key (it must not exist).")
        parser.add_argument(
            "--name", help="The key's name; the record's origin (AUDIT_LOG_ORIGIN) by default."
        )
        parser.add_argument("--witness", action="store_true", help="A witness's cosigning key.")

    def handle(self, *args, path, name=None, witness=False, **options):
        kind = notes.COSIGNATURE_V1 if witness else notes.ED25519
        try:
            signer = notes.generate(name or settings.AUDIT_LOG_ORIGIN, kind)
        except notes.NoteError as exc:
            raise CommandError(str(exc)) from exc
        if not write_key_file(Path(path), signer):
            raise CommandError(f"{path} exists already: a signing key is never overwritten")
        self.stdout.write(f"private key written to {path} (keep it off the database server's backups)")
        self.stdout.write(f"verifier key: {signer.verifier_key()}")
