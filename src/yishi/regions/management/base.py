"""What the import commands share: finding the region, opening the file, printing the report."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yishi.errors import Refused
from yishi.regions.models import Region
from yishi.regions.workbooks import ImportRejected


def find_region(ref: str) -> Region:
    """A region by id or by division code; ``id:5`` or ``code:130903`` when a number could be either."""
    text = ref.strip()
    kind, _sep, value = text.rpartition(":")
    if kind not in ("", "id", "code") or not value.isdigit():
        raise CommandError(f"{ref!r} is neither a region id nor a division code.")
    by_id = Region.objects.filter(pk=int(value)).first() if kind in ("", "id") else None
    by_code = None
    if kind in ("", "code") and 2 <= len(value) <= 12:
        by_code = Region.objects.filter(code=value.ljust(12, "0")).first()
    if by_id and by_code and by_id.pk != by_code.pk:
        raise CommandError(
            f"{value} is the id of {by_id.name} and the code of {by_code.name}: write id:{value} or code:{value}."
        )
    region = by_id or by_code
    if region is None:
        raise CommandError(f"No region has the id or code {value}.")
    return region


class ImportCommand(BaseCommand):
    """``<command> REGION FILE``: run the import service as the system (actor=None) and report."""

    def add_arguments(self, parser):
        parser.add_argument("region", help="the region's id or division code (id:N or code:N when ambiguous)")
        parser.add_argument("file", help="path to the .xlsx file")

    def run(self, region: Region, file):
        raise NotImplementedError

    def summary(self, result) -> str:
        raise NotImplementedError

    def handle(self, *args, region: str, file: str, **options):
        target = find_region(region)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        with path.open("rb") as handle:
            try:
                result = self.run(target, handle)
            except ImportRejected as exc:
                self.stdout.write("row\tcolumn\treason")
                for issue in exc.issues:
                    self.stdout.write(str(issue))
                raise CommandError(str(exc.reason)) from None
            except Refused as exc:
                raise CommandError(str(exc.reason)) from None
        self.stdout.write(self.style.SUCCESS(self.summary(result)))
