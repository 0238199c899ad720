from django.core.management.base import BaseCommand, CommandError

from yishi.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `yishi backup` into the database and MEDIA_ROOT, after checking every "
        "member against its manifest; then verify the row counts, the files and the whole audit chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by `yishi backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds data (and overwrite media files of the same name)",
        )

    def handle(self, *args, **options):
        try:
            report = restore(options["file"], force=options["force"])
        except BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        m = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {report.path} (taken {m['created_at']}): {len(m['row_counts'])} tables and "
                f"{report.total_rows:,} rows match the manifest, {m['media_files']} media files match their checksums, "
                f"audit chain intact: {m['audit']['length']} entries, head {m['audit']['head'][:12]}"
            )
        )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
