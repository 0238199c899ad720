"""The figures' speed at city and province size: roll-ups against a plain GROUP BY over the raw tables.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/yishi_figures_bench_city .venv/bin/yishi migrate
    DATABASE_URL=... .venv/bin/yishi generate-figures-data --size city           # and --size province elsewhere
    .venv/bin/python bench/figures.py \\
        --db city=postgresql://postgres@127.0.0.1:5432/yishi_figures_bench_city \\
        --db province=postgresql://postgres@127.0.0.1:5432/yishi_figures_bench_province

For each database (in a child process of its own, since Django binds one database per process) it prints the
data sizes and the generator's time (from the generation's audit entry), then times, for this year:

- the city dashboard's figures: ``figures``, ``trend``, ``by_category``, ``by_channel`` and ``subregions`` of the
  first city (at province size, of the province too), and the same five from ``stats.plain``;
- a community's figures: the same five for the community with the most matters;
- the dashboard page itself (``/figures/r/<city>/``, rendered by the Django test client for a bureau user),
  which adds the charts and the HTML to the roll-up reads.

Median and 95th percentile over ``--repeat`` runs (roll-ups and page) and ``--plain-repeat`` runs (plain), after
one warm-up run each. The goal: the roll-ups' time does not grow from city to province; the plain one does.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat: int) -> dict:
    fn()  # warm-up: caches, planner statistics
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, -(-95 * len(samples) // 100) - 1))]
    return {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "runs": repeat}


def one(args) -> dict:
    """Runs inside the child process, with DATABASE_URL set to one database."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from yishi.access.services import assign_role
    from yishi.audit.models import AuditEntry
    from yishi.matters.models import Matter, Support
    from yishi.meetings.models import Attendance, Meeting, Session
    from yishi.people.models import Person
    from yishi.procedures.models import Transition
    from yishi.regions.models import Level, Region
    from yishi.stats import plain, readers
    from yishi.stats.figures import Period
    from yishi.stats.models import Counter, Participant, Source
    from yishi.works.models import Satisfaction, Work

    out: dict = {"sizes": {}, "table_mb": {}, "timings": {}}
    levels = dict(Region.objects.values_list("level").annotate(n=Count("id")).order_by())
    out["sizes"]["regions"] = {str(Level(k).label): v for k, v in sorted(levels.items())}
    for model in (
        Matter,
        Transition,
        Support,
        Session,
        Work,
        Satisfaction,
        Meeting,
        Attendance,
        Person,
        Counter,
        Participant,
        Source,
    ):
        with connection.cursor() as cursor:
            # The planner's estimate: exact counts of ten million rows would take longer than the benchmark.
            cursor.execute(
                "SELECT reltuples::bigint, pg_total_relation_size(oid) FROM pg_class WHERE relname = %s",
                [model._meta.db_table],
            )
            rows, size = cursor.fetchone()
        out["sizes"][model._meta.label] = rows
        out["table_mb"][model._meta.label] = round(size / 2**20)
    entry = AuditEntry.objects.filter(action="stats.generate_figures_data").order_by("-seq").first()
    out["generator"] = entry.data if entry else None

    today = timezone.localdate()
    period = Period.year(today.year)
    city = Region.objects.filter(level=Level.CITY).order_by("path").first()
    province = Region.objects.filter(level=Level.PROVINCE).order_by("path").first()
    community_id = (
        Matter.objects.filter(region__level=Level.COMMUNITY)
        .values("region")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("region", flat=True)
        .first()
    )
    community = Region.objects.get(pk=community_id)
    out["regions"] = {
        "city": city.name,
        "province": province.name if province else None,
        "community": community.name,
        "community_matters": Matter.objects.filter(region__path__startswith=community.path).count(),
    }

    def dashboard(source, region):
        def run():
            source.figures(region, period, today=today)
            source.trend(region, period)
            source.by_dimension(region, period, "category")
            source.by_dimension(region, period, "channel")
            source.subregions(region, period, today=today)

        return run

    targets = [("city", city), ("community", community)]
    if args.province and province is not None and Region.objects.filter(level=Level.CITY).count() > 1:
        targets.insert(1, ("province", province))
    for name, region in targets:
        out["timings"][f"{name} roll-ups"] = timed(dashboard(readers, region), args.repeat)
        out["timings"][f"{name} plain GROUP BY"] = timed(dashboard(plain, region), args.plain_repeat)
        a, b = readers.figures(region, period, today=today), plain.figures(region, period, today=today)
        out["timings"][f"{name} roll-ups"]["equal_to_plain"] = a == b

    bureau = Person.objects.filter(phone="19900000001").first()
    if bureau is None:
        bureau = Person.objects.create_user(phone="19900000001", name="民政局统计员", password=None)
        assign_role(actor=None, person=bureau, role="bureau", region=city)
    client = Client()
    client.force_login(bureau)
    url = f"/figures/r/{city.pk}/"
    status = client.get(url).status_code
    out["timings"]["city dashboard page"] = timed(lambda: client.get(url), args.repeat)
    out["timings"]["city dashboard page"]["status"] = status
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="a database to measure, e.g. city=postgresql://…; repeat for each size",
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--plain-repeat", type=int, default=5)
    parser.add_argument("--province", action="store_true", help="also time the whole province's dashboard")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args), ensure_ascii=False))
        return
    results = {}
    for item in args.db or ["city=postgresql://postgres@127.0.0.1:5432/yishi_figures_bench_city"]:
        name, url = item.split("=", 1)
        env = {**os.environ, "DATABASE_URL": url}
        cmd = [
            sys.executable,
            __file__,
            "--one",
            url,
            "--repeat",
            str(args.repeat),
            "--plain-repeat",
            str(args.plain_repeat),
        ] + (["--province"] if args.province else [])
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our own script
        if done.returncode:
            sys.exit(f"{name}: {done.stderr[-3000:]}")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    for name, r in results.items():
        print(f"\n== {name} ==")
        print("regions:", ", ".join(f"{k} {v:,}" for k, v in r["sizes"].pop("regions").items()))
        print("rows (estimated):", ", ".join(f"{k} {v:,}" for k, v in r["sizes"].items()))
        print("table MB:", ", ".join(f"{k} {v:,}" for k, v in r["table_mb"].items()))
        print("generator:", r["generator"])
        print("measured:", r["regions"])
        for what, t in r["timings"].items():
            extra = {k: v for k, v in t.items() if k not in ("median_ms", "p95_ms", "runs")}
            print(
                f"  {what:32} median {t['median_ms']:>9.1f} ms   p95 {t['p95_ms']:>9.1f} ms   "
                f"({t['runs']} runs) {extra or ''}"
            )
    if len(results) > 1:
        names = list(results)
        print("\ngrowth", " → ".join(names))
        for what in results[names[0]]["timings"]:
            values = [results[n]["timings"].get(what, {}).get("median_ms") for n in names]
            print(f"  {what:32}", " → ".join(f"{v} ms" for v in values))


if __name__ == "__main__":
    main()
