from django.core.management.base import BaseCommand

from yishi.stats.generate import SIZES, generate


class Command(BaseCommand):
    help = (
        "Build synthetic regions, residents, matters with their histories, tasks, ratings and meetings at "
        "city (6,000 communities, 100,000 matters), province (50,000, 1,000,000) or country size, in bulk, "
        "then rebuild the figures' roll-ups. For benchmarks: use a database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-rebuild", action="store_true", help="leave the roll-ups to `yishi rebuild-figures`"
        )

    def handle(self, *args, **options):
        result = generate(
            size=options["size"],
            seed=options["seed"],
            log=self.stdout.write,
            rebuild=not options["no_rebuild"],
        )
        rows = ", ".join(f"{n} {label}" for label, n in sorted(result.rows.items()))
        self.stdout.write(
            f"{result.regions} regions; {rows}; generated in {result.seconds:.0f} s, "
            f"roll-ups rebuilt in {result.rebuild_seconds:.0f} s."
        )
