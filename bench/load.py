"""Load benchmark (run by hand, never in tests): the production run under load, page by page, against the
stack's own ceiling (a minimal Django view served the same way in the same run).

    .venv/bin/python bench/load.py              # build the city once (minutes), then measure
    .venv/bin/python bench/load.py --reuse      # measure again on the database already built

1. Database ``yishi_bench_load`` (dropped and re-created unless ``--reuse``), ``bench/serve setup`` on it,
   then the city at the report's scale: the demo city (``yishi load-demo``'s stories) and
   ``demo.generator.generate`` up to 5,904 communities with their households (what ``yishi generate_city``
   does). On top, through the services, in 丽景社区: ``--matters`` more matters (a long list), one matter
   carrying 60 comments of which 20 have two replies each, ``--electors`` representatives with an open vote,
   and a resident with a session (for the home page) and bearer tokens (for the writes).
2. One pass of every scenario through Django's test client in this process, counting SQL queries.
3. ``bench/serve web`` (gunicorn, 2 sync workers, DEBUG off, PostgreSQL, production profile; rate limits off
   since one address sends everything). For each number of connections (4, then 16) and each scenario, the
   ceiling first: ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured, from that many
   client threads (standard-library ``http.client``; gunicorn's sync workers close every connection, so
   each request opens one, as a browser behind a proxy would not — the ceiling pays the same).
4. Prints requests/s, median/95th/99th percentile latency, the ratio to the ceiling, and queries per request.

Scenarios: the ceiling (``/healthz``: a view returning "ok" through the whole middleware stack); a region's
public board; a matter list (15 per page); a matter page with 60 comments and their replies in one HTML
response; the resident's home (``/work/``, where login lands) and the front page, signed in; raising a matter, posting a comment and casting a ballot (JSON API
with bearer tokens, each write a new row; every ballot by another elector).
"""

import argparse
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import benchkeys  # bench/benchkeys.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
DATABASE = "yishi_bench_load"
VAR = ROOT / "var" / "bench" / "load"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reuse", action="store_true", help="measure on the database a previous run built")
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--warmup", type=float, default=5.0)
    p.add_argument("--connections", default="4,16")
    p.add_argument("--matters", type=int, default=300)
    p.add_argument("--electors", type=int, default=8000)
    p.add_argument("--build-only", action="store_true", help="build the data, measure nothing")
    p.add_argument("--only", default="", help="comma-separated scenario names (the ceiling always runs)")
    p.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--port", type=int, default=8790)
    return p.parse_args()


def environment(args) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    key_file = VAR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
    env = {
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "SECRET_KEY": key_file.read_text().strip(),  # the same key signs this process's tokens and sessions
        "YISHI_VAR_DIR": str(VAR),
        "AUDIT_SIGNING_KEY_FILE": benchkeys.record_key(VAR),
        "CACHE_URL": "redis://127.0.0.1:6379/4",
        "RATELIMIT_ENABLE": "0",
        "AXES_ENABLED": "0",
        "PORT": str(args.port),
        "YISHI_PROFILE": "production",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "yishi.settings",
        "YISHI_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def build(args) -> dict:
    """The city and the bench's own data; returns what the scenarios need (ids, tokens, the session)."""
    from django.contrib.auth.hashers import make_password
    from django.test import Client

    from yishi.access.models import RoleAssignment
    from yishi.access.roles import Role
    from yishi.comments.services import post_comment, reply
    from yishi.demo import city
    from yishi.demo.generator import generate
    from yishi.matters.models import Category
    from yishi.matters.services import raise_matter
    from yishi.people.models import Person
    from yishi.people.services import register_person
    from yishi.people.tokens import issue_token
    from yishi.regions.models import Region
    from yishi.votes import drafting

    started = time.perf_counter()
    city.load()
    generated = generate(city=Region.objects.get(code="130900000000"), communities=5904)
    print(
        f"city: {generated.regions} regions, {generated.households} households generated in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    community = Region.objects.get(name="丽景社区")
    compound = Region.objects.get(name="万泰丽景小区")
    secretary = Person.objects.get(phone="13900000101")
    category = Category.objects.get(key="environment")
    residents = [register_person(actor=None, name=f"居民{i}", phone=f"1370000{i:04d}") for i in range(40)]
    for i in range(args.matters):
        raise_matter(
            actor=residents[i % len(residents)],
            region=compound,
            title=f"第{i}号：楼道灯不亮",
            description="三单元楼道灯坏了两周，晚上看不见台阶。",
            category=category,
        )
    talked = raise_matter(
        actor=residents[0],
        region=compound,
        title="西门道路坑洼积水，雨天难行",
        description="西门进来一段路面坑洼，下雨积水。",
        category=category,
    )
    for i in range(60):
        comment = post_comment(
            actor=residents[(i + 1) % len(residents)],
            matter=talked,
            body=f"第{i + 1}条意见：同意尽快修，建议先补最深的两个坑。",
        )
        if i % 3 == 0:
            for j in range(2):
                reply(actor=residents[(i + j + 2) % len(residents)], comment=comment, body="同意，附议。")
    commented = raise_matter(
        actor=residents[1], region=compound, title="供评论的议题", description="压力测试用", category=category
    )
    unusable = make_password(None)
    electors = Person.objects.bulk_create(
        [Person(phone=f"136{i:08d}", name=f"代表{i}", password=unusable) for i in range(args.electors)],
        batch_size=2000,
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(person=p, role=Role.REPRESENTATIVE, region=community) for p in electors],
        batch_size=2000,
    )
    vote = drafting.create_vote(actor=secretary, region=community, question="是否同意维修小区西侧道路？")
    vote = drafting.open_vote(actor=secretary, vote=vote)
    client = Client()
    client.force_login(residents[0], backend="yishi.people.backends.PhonePasswordBackend")
    fixture = {
        "community": community.pk,
        "compound": compound.pk,
        "talked": talked.pk,
        "commented": commented.pk,
        "vote": vote.pk,
        "session": client.cookies["sessionid"].value,
        "resident_token": issue_token(residents[0]),
        "elector_tokens": [issue_token(p) for p in electors],
        "regions": Region.objects.count(),
        "households": generated.households,
    }
    (VAR / "fixture.json").write_text(json.dumps(fixture))
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return fixture


# ---- scenarios --------------------------------------------------------------------------------------------------


class Scenario:
    def __init__(self, name, method, path, *, headers=None, body=None, ok=(200,), tokens=None, expect=()):
        self.name, self.method, self.path, self.headers, self.body, self.ok = (
            name,
            method,
            path,
            headers or {},
            body,
            ok,
        )
        self.expect = expect  # text the answer must hold: the page measured is the page meant
        self.tokens = tokens  # an iterator of bearer tokens, one per request (ballots)
        self.lock = threading.Lock()
        self.counter = itertools.count()

    def request(self):
        headers = {"Host": "127.0.0.1", "Accept-Language": "zh-hans", **self.headers}
        body = None
        if self.body is not None:
            n = next(self.counter)
            body = json.dumps(self.body(n))
            headers["Content-Type"] = "application/json"
        if self.tokens is not None:
            with self.lock:
                token = next(self.tokens, None)
            if token is None:
                return None
            headers["Authorization"] = f"Bearer {token}"
        return self.method, self.path, body, headers


def scenarios(f: dict) -> list[Scenario]:
    resident = {"Authorization": f"Bearer {f['resident_token']}"}
    return [
        Scenario("ceiling: /healthz", "GET", "/healthz"),
        Scenario("region board", "GET", f"/r/{f['community']}/board/"),
        Scenario("matter list (15/page)", "GET", f"/r/{f['community']}/matters/"),
        Scenario(
            "matter, 60 comments",
            "GET",
            f"/m/{f['talked']}/",
            expect=[f"第{i}条意见" for i in range(1, 61)] + ["同意，附议。"],
        ),
        Scenario("resident home (/work/)", "GET", "/work/", headers={"Cookie": f"sessionid={f['session']}"}),
        Scenario("front page, signed in", "GET", "/", headers={"Cookie": f"sessionid={f['session']}"}),
        Scenario(
            "raise a matter (API)",
            "POST",
            "/api/v1/matters/",
            headers=resident,
            ok=(201,),
            body=lambda n: {
                "region": f["compound"],
                "category": "environment",
                "title": f"压测议题 {n}",
                "description": "路灯不亮，晚上出行不便。",
            },
        ),
        Scenario(
            "post a comment (API)",
            "POST",
            f"/api/v1/comments/matters/{f['commented']}",
            headers=resident,
            ok=(201,),
            body=lambda n: {"body": f"压测评论 {n}：同意。"},
        ),
        Scenario(
            "cast a ballot (API)",
            "POST",
            f"/api/v1/votes/{f['vote']}/ballots",
            ok=(201,),
            body=lambda n: {"option": ("yes", "no", "abstain")[n % 3]},
            tokens=iter(f["elector_tokens"]),
        ),
    ]


def count_queries(scenario: Scenario) -> int:
    """One request through Django's test client in this process (second pass: caches warm), queries counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(2):
        prepared = scenario.request()
        if prepared is None:
            return -1
        method, path, body, headers = prepared
        extra = {
            "HTTP_" + k.upper().replace("-", "_"): v
            for k, v in headers.items()
            if k not in ("Content-Type", "Host", "Cookie")
        }
        client = Client(HTTP_HOST="127.0.0.1")
        if "Cookie" in headers:
            client.cookies["sessionid"] = headers["Cookie"].split("=", 1)[1]
        with CaptureQueriesContext(connection) as captured:
            if method == "GET":
                response = client.get(path, **extra)
            else:
                response = client.post(path, body, content_type="application/json", **extra)
        assert response.status_code in scenario.ok, (
            scenario.name,
            response.status_code,
            response.content[:300],
        )
        text = response.content.decode()
        missing = [e for e in scenario.expect if e not in text]
        assert not missing, (scenario.name, "missing from the answer", missing[:3])
        counts.append(len(captured.captured_queries))
    return counts[-1]


# ---- load -------------------------------------------------------------------------------------------------------


def load(port: int, scenario: Scenario, connections: int, warmup: float, duration: float) -> dict:
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures: list[int] = [0] * connections
    ran_out = threading.Event()

    def client(i):
        conn = None
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                break
            prepared = scenario.request()
            if prepared is None:
                ran_out.set()
                break
            method, path, body, headers = prepared
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                status = -1
                if conn is not None:
                    conn.close()
                conn = None
            ended = time.perf_counter()
            if began >= measure_from and ended <= stop_at:
                latencies[i].append(ended - began)
                if status not in scenario.ok:
                    failures[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measured = min(duration, time.perf_counter() - measure_from)
    samples = sorted(x for xs in latencies for x in xs)
    if not samples:
        return {"rps": 0.0, "p50": 0, "p95": 0, "p99": 0, "n": 0, "failures": sum(failures), "ran_out": True}

    def pct(q):
        return samples[min(len(samples) - 1, int(q * len(samples)))] * 1000

    return {
        "rps": len(samples) / measured,
        "p50": statistics.median(samples) * 1000,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "n": len(samples),
        "failures": sum(failures),
        "ran_out": ran_out.is_set(),
    }


def main():
    args = parse_args()
    env = environment(args)
    fixture_file = VAR / "fixture.json"
    if not args.reuse or not fixture_file.exists():
        import psycopg

        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        subprocess.run(  # noqa: S603
            [str(ROOT / "bench" / "serve"), "setup"],
            env={**os.environ, **env},
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    import django

    django.setup()
    from django.db import connection

    fixture = json.loads(fixture_file.read_text()) if args.reuse and fixture_file.exists() else build(args)
    if args.build_only:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM matters_matter")
        matters = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM votes_participation WHERE vote_id = %s", [fixture["vote"]])
        voted = cursor.fetchone()[0]
    # Electors who already voted in an earlier run are skipped: every ballot is a first one.
    fixture["elector_tokens"] = fixture["elector_tokens"][voted:]
    every = scenarios(fixture)
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    chosen = [s for s in every if s is every[0] or not wanted or any(w in s.name for w in wanted)]
    queries = {s.name: count_queries(s) for s in chosen}
    connection.close()
    print(
        f"data: {fixture['regions']:,} regions, {fixture['households']:,} generated households, {matters:,} matters, "
        f"database {size}; {len(fixture['elector_tokens']):,} electors left to vote",
        flush=True,
    )

    from crash import Server  # the same start and stop as the crash bench

    server = Server(env, args.port, VAR / "gunicorn.log")
    server.start()
    results = []
    try:
        for connections in [int(c) for c in args.connections.split(",")]:
            for scenario in chosen:
                r = load(args.port, scenario, connections, args.warmup, args.duration)
                results.append((connections, scenario.name, r))
                print(
                    f"  {connections:>2} conns  {scenario.name:<24} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  "
                    f"p95 {r['p95']:6.1f}  p99 {r['p99']:6.1f}  ({r['n']} requests, {r['failures']} not ok"
                    f"{', ran out of electors' if r['ran_out'] else ''})",
                    flush=True,
                )
    finally:
        server.stop()

    load_avg = os.getloadavg()
    print(
        f"\nYishi under load: gunicorn 2 sync workers, PostgreSQL, production profile; {args.warmup:.0f} s warm-up, "
        f"{args.duration:.0f} s measured; load average at the end {load_avg[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"data: {fixture['regions']:,} regions, {fixture['households']:,} generated households, {matters:,} matters, "
        f"database {size}\n"
    )
    print("| conns | scenario | req/s | vs ceiling | p50 ms | p95 ms | p99 ms | queries | not ok |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    ceilings = {c: r["rps"] for c, name, r in results if name == every[0].name}
    for c, name, r in results:
        ratio = r["rps"] / ceilings[c] if ceilings.get(c) else 0
        print(
            f"| {c} | {name} | {r['rps']:.1f} | {ratio:.0%} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
            f"{queries[name]} | {r['failures']} |"
        )


if __name__ == "__main__":
    main()
