"""Benchmark (run by hand, never in tests): what the ten most used pages cost, on the demo city.

    .venv/bin/python bench/pages.py            # a scratch SQLite database in a temporary folder
    .venv/bin/python bench/pages.py --keep     # keep the folder (its path is printed) to look at the data

Loads the demo (`yishi load-demo`) into a fresh database, then requests each page with Django's test client as
its usual visitor (anonymous, a resident, a representative, the community secretary) and prints, per page:
the HTML's size, the HTML plus the stylesheets and scripts it links gzip-compressed as WhiteNoise serves them
(images excluded), the SQL queries the request ran, and its time (median of 5, after one warm-up request).
The budget for the compressed size is 100 KB (tests/web/test_budgets.py checks it on every build).
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def linked_assets(html: str) -> list[str]:
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    js = re.findall(r'<script[^>]+src="([^"]+)"', html)
    return css + js


def gzipped_with_assets(html: bytes) -> int:
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from whitenoise.compress import Compressor

    total = len(Compressor.compress_gzip(html))
    for url in linked_assets(html.decode()):
        path = finders.find(urlsplit(url).path[len(settings.STATIC_URL) :])
        total += len(Compressor.compress_gzip(Path(path).read_bytes()))
    return total


def pages():
    """The ten pages people open most, each with who usually opens it."""
    from yishi.demo import city
    from yishi.matters.models import Matter
    from yishi.notices.models import Notice
    from yishi.people.models import Person
    from yishi.regions.models import Region
    from yishi.surveys.models import Survey
    from yishi.votes.models import Vote

    community = Region.objects.get(name="丽景社区")
    compound = Region.objects.get(name="万泰丽景小区")
    matter = Matter.objects.filter(region=compound, merged_into=None).order_by("pk").first()
    notice = Notice.objects.filter(region=community).order_by("-pk").first()
    vote = Vote.objects.order_by("pk").first()
    survey = Survey.objects.order_by("pk").first()
    secretary = Person.objects.get(phone=city.SECRETARY_PHONES["丽景社区"])
    resident = matter.submitter
    representative = Person.objects.filter(roles__role="representative", roles__region=vote.region).first()
    return [
        ("login", "/login/", None, "anonymous"),
        ("resident's home /work/", "/work/", resident, "resident"),
        ("community page", f"/r/{community.pk}/", None, "anonymous"),
        ("matter list (compound)", f"/r/{compound.pk}/matters/", resident, "resident"),
        ("matter page (S1)", f"/m/{matter.pk}/", resident, "resident"),
        ("public board", f"/r/{community.pk}/board/", None, "anonymous"),
        ("a notice", f"/n/{notice.pk}/", None, "anonymous"),
        ("vote page", f"/votes/{vote.pk}/", representative, "representative"),
        ("survey page", f"/surveys/{survey.pk}/", resident, "resident"),
        ("secretary's home /work/", "/work/", secretary, "secretary"),
    ]


def measure(client, url: str, who) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.logout()
    if who is not None:
        client.force_login(who)
    client.get(url)  # warm-up: templates compiled, session read once
    times = []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append(time.perf_counter() - started)
    assert response.status_code == 200, (url, response.status_code)
    return {
        "status": response.status_code,
        "html": len(response.content),
        "gz": gzipped_with_assets(response.content),
        "queries": len(queries.captured_queries),
        "ms": statistics.median(times) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="yishi-pages-"))
    os.environ["YISHI_VAR_DIR"] = str(scratch)
    os.environ.pop("DATABASE_URL", None)  # always a scratch SQLite file, never a real database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host, and no mail or texts sent
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=StringIO())
        print(f"demo loaded in {time.monotonic() - started:.0f} s into {scratch}\n")

        client = Client()
        rows = [(name, url, role, measure(client, url, who)) for name, url, who, role in pages()]
        head = f"{'page':<26} {'visitor':<15} {'HTML B':>8} {'gz+CSS/JS B':>12} {'SQL':>4} {'ms':>6}  url"
        print(head)
        print("-" * len(head))
        for name, url, role, m in rows:
            print(
                f"{name:<26} {role:<15} {m['html']:>8} {m['gz']:>12} {m['queries']:>4} {m['ms']:>6.1f}  {url}"
            )
        worst = max(rows, key=lambda r: r[3]["gz"])
        print(
            f"\nheaviest: {worst[0]}, {worst[3]['gz'] / 1024:.1f} KB gzipped with its CSS and JS (budget 100 KB)"
        )
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
