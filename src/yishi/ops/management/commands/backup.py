from django.core.management.base import BaseCommand, CommandError

from yishi.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one tar.gz holding the database (a consistent copy of a live database), the uploaded files "
        "and a manifest with row counts, the audit chain's head and a checksum of every member."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="where to write the archive, e.g. /var/backups/yishi-2026-11-28.tar.gz"
        )

    def handle(self, *args, **options):
        try:
            report = backup(options["file"])
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        m = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {report.path} ({report.path.stat().st_size:,} bytes): {m['vendor']} database, "
                f"{len(m['row_counts'])} tables, {report.total_rows:,} rows, {m['media_files']} media files, "
                f"audit chain #{m['audit']['length']} {m['audit']['head'][:12]}"
            )
        )
