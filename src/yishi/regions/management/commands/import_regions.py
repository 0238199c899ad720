from yishi.regions.management.base import ImportCommand
from yishi.regions.region_import import import_regions


class Command(ImportCommand):
    help = "Import regions under REGION from the official division-code list (.xlsx): 代码, 名称, 级别, 上级代码."

    def run(self, region, file):
        return import_regions(actor=None, root=region, file=file)

    def summary(self, result) -> str:
        levels = ", ".join(f"{label}: {n}" for label, n in result.created_by_level)
        return f"{result.rows} rows: {result.created} regions added ({levels or '-'}), {result.unchanged} already recorded."
