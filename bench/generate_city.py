"""Benchmark (run by hand, never in tests): build the demo city at the report's scale and time it.

    .venv/bin/python bench/generate_city.py                      # SQLite file under var/bench/
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/yishi_bench .venv/bin/python bench/generate_city.py

Prints the generator's time, the database size, and subtree-query timings on the result.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("YISHI_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")


def fresh_database():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql://"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        for path in (ROOT / "var" / "bench").glob("yishi.sqlite3*"):
            path.unlink()


def database_size() -> str:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
    return f"{Path(settings.DATABASES['default']['NAME']).stat().st_size / 1e6:.0f} MB"


def timed(fn, repeat=20):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command

    from yishi.demo import city
    from yishi.demo.generator import generate
    from yishi.regions.models import Household, Level, Region, within

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    city.load()
    print(f"demo city loaded: {time.perf_counter() - started:.1f} s")
    result = generate(city=Region.objects.get(code="130900000000"), communities=5904)
    print(f"generator: {result.regions} regions, {result.households} households in {result.seconds:.1f} s")
    print(f"database size: {database_size()}")
    county = Region.objects.get(code="130982000000")
    street = Region.objects.filter(level=Level.STREET).order_by("pk").last()
    for label, fn in [
        (
            "households in a county (count)",
            lambda: Household.objects.filter(within(county, "region")).count(),
        ),
        (
            "regions in a county (list)",
            lambda: list(Region.objects.subtree(county).values_list("pk", flat=True)),
        ),
        (
            "households in a street (count)",
            lambda: Household.objects.filter(within(street, "region")).count(),
        ),
    ]:
        median, worst = timed(fn)
        print(f"{label}: median {median:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
