from django.core.management.base import BaseCommand, CommandError

from yishi.demo.generator import generate
from yishi.regions.models import Region


class Command(BaseCommand):
    help = "Fill the demo city with districts, streets, villages, communities and households at real scale."

    def add_arguments(self, parser):
        parser.add_argument(
            "--city", default="130900000000", help="the city's division code (default 沧州市)"
        )
        parser.add_argument("--communities", type=int, default=5904)
        parser.add_argument("--households-per-community", type=int, default=80)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        city = Region.objects.filter(code=options["city"]).first()
        if city is None:
            raise CommandError(f"no region with code {options['city']}: run `yishi load-demo` first")
        if options["communities"] < 1 or options["households_per_community"] < 1:
            raise CommandError("--communities and --households-per-community must be positive")
        result = generate(
            city=city,
            communities=options["communities"],
            seed=options["seed"],
            households_per_community=options["households_per_community"],
        )
        self.stdout.write(
            f"Added {result.regions} regions and {result.households} households in {result.seconds:.1f} s."
        )
