from yishi.regions.household_import import import_households
from yishi.regions.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import a compound's household roster (.xlsx): 楼栋, 单元, 房号, 户号, 居住状态, 建筑面积, 户主姓名, 户主手机."

    def run(self, region, file):
        return import_households(actor=None, compound=region, file=file)

    def summary(self, result) -> str:
        return (
            f"{result.rows} rows: {result.households_created} households added, {result.households_updated} updated, "
            f"{result.households_unchanged} unchanged; {len(result.buildings_created)} buildings added; "
            f"{result.heads_named} heads of household named (registered people are asked to confirm)."
        )
