"""Benchmark (run by hand, never in tests): casting ballots through the HTTP API, against the raw insert floor.

    .venv/bin/python bench/ballots.py                                  # 10,000 voters, 100 concurrent clients
    .venv/bin/python bench/ballots.py --voters 2000 --concurrency 50 --workers 4

What it does, in one run:

1. Drops and creates a PostgreSQL database (``--database-url``, default
   postgresql://postgres@127.0.0.1:5432/yishi_bench_votes) and migrates it.
2. Builds a community (through the region services) with ``--voters`` representatives: people and their
   representative roles are bulk-inserted (no service registers ten thousand people at once). A secretary
   (registered and given the committee role through the services) creates and opens a representatives' vote
   through ``votes.drafting``: the 10,000-elector snapshot and the blank ballots are laid out by ``open_vote``.
3. Issues a bearer token per voter (``people.tokens.issue_token``), starts gunicorn on a free local port and
   drives ``--concurrency`` client threads (standard-library ``http.client``), each taking the next voter from a
   shared queue and POSTing ``/api/v1/votes/<id>/ballots``. ``--duplicates`` of the voters (5 % by default) are
   sent twice, the two submits next to each other in the queue so that two clients send them at nearly the same
   moment: exactly one must be accepted and the other refused (409 ``already_voted``).
4. Measures the sustained rate: accepted ballots per second between the end of the warm-up (the first
   ``--warmup`` share of responses) and the moment the queue runs dry (after which fewer clients are busy).
5. Checks the database: one participation, one filled ballot (and, for an open vote, one named choice) per
   voter, no duplicates, no blank ballot left, every receipt the API returned present and, for an open vote,
   pointing at the choice that voter sent; the audit chain verifies; closing the vote counts every ballot.
6. Stops gunicorn, then in the same run inserts the same rows (a participation and a ballot per voter) straight
   through psycopg into the same tables: one pair per transaction on one connection, one pair per transaction on
   ``--raw-connections`` connections, and batched with COPY (``--batch`` pairs per transaction).
7. Prints a summary table: the HTTP rate, the raw rates, the ratios.

The server runs with ``RATELIMIT_ENABLE=0`` and ``AXES_ENABLED=0`` (one address casting thousands of ballots
would otherwise be throttled), ``YISHI_PROFILE=production`` with ``SECURE_SSL_REDIRECT=0`` (plain HTTP on
localhost; everything else as production: DEBUG off, an explicit SECRET_KEY and ALLOWED_HOSTS) and
``DATABASE_CONN_MAX_AGE=60`` (persistent connections; ``--conn-max-age 0`` for a connection per request).
The cache is local memory: nothing on the cast path uses it once rate limits are off.
"""

import argparse
import http.client
import json
import os
import queue
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import benchkeys  # bench/benchkeys.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/yishi_bench_votes"
OPTIONS = ("yes", "no", "abstain")
WEIGHTS = (70, 20, 10)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--voters", type=int, default=10_000)
    p.add_argument("--concurrency", type=int, default=100, help="HTTP client threads")
    p.add_argument("--duplicates", type=float, default=0.05, help="share of voters who submit twice")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (README: --workers 2)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker; >1 uses the gthread worker")
    p.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the server")
    p.add_argument("--secret", action="store_true", help="a secret ballot (default: an open, named vote)")
    p.add_argument("--warmup", type=float, default=0.10, help="share of responses counted as warm-up")
    p.add_argument(
        "--raw-connections", type=int, default=16, help="connections for the concurrent raw insert"
    )
    p.add_argument(
        "--batch", type=int, default=1000, help="row pairs per transaction in the batched raw insert"
    )
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--seed", type=int, default=20250505)
    return p.parse_args()


def configure_environment(args) -> dict:
    """The server's environment, also used by this process so that tokens are signed with the same key."""
    env = {
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "YISHI_PROFILE": "production",
        "SECURE_SSL_REDIRECT": "0",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CACHE_URL": "",
        "RATELIMIT_ENABLE": "0",
        "AXES_ENABLED": "0",
        "YISHI_VAR_DIR": str(ROOT / "var" / "bench"),
        "AUDIT_SIGNING_KEY_FILE": benchkeys.record_key(ROOT / "var" / "bench"),
        "YISHI_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "yishi.settings",
    }
    os.environ.update(env)
    (ROOT / "var" / "bench" / "static").mkdir(parents=True, exist_ok=True)
    return env


def fresh_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# ---- building the vote ------------------------------------------------------------------------------------


def build(args):
    """A community, its secretary, ``args.voters`` representatives, an opened vote. Returns (vote, secretary,
    voters, seconds to open)."""
    from django.contrib.auth.hashers import make_password

    from yishi.access.models import RoleAssignment
    from yishi.access.roles import Role
    from yishi.access.services import assign_role
    from yishi.people.models import Person
    from yishi.people.services import register_person
    from yishi.regions.models import Level
    from yishi.regions.services import create_region
    from yishi.votes import drafting

    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    district = create_region(actor=None, parent=city, level=Level.DISTRICT, name="运河区", code="130903")
    street = create_region(
        actor=None, parent=district, level=Level.STREET, name="水月寺街道", code="130903001"
    )
    community = create_region(
        actor=None, parent=street, level=Level.COMMUNITY, name="丽景社区", code="130903001001"
    )
    secretary = register_person(actor=None, name="张金利", phone="13800000001")
    assign_role(actor=None, person=secretary, role=Role.COMMITTEE, region=community)

    # No service registers ten thousand people at once: bulk insert, as an import would.
    unusable = make_password(None)
    voters = Person.objects.bulk_create(
        [Person(phone=f"139{i:08d}", name=f"代表{i}", password=unusable) for i in range(args.voters)],
        batch_size=2000,
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(person=p, role=Role.REPRESENTATIVE, region=community) for p in voters],
        batch_size=2000,
    )

    vote = drafting.create_vote(
        actor=secretary,
        region=community,
        question="是否同意维修小区西侧道路？",
        electorate="representatives",
        preset="eight_step",
        secret=args.secret,
    )
    started = time.perf_counter()
    vote = drafting.open_vote(actor=secretary, vote=vote)
    return vote, secretary, community, voters, time.perf_counter() - started


# ---- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict, port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "yishi.wsgi",
        "--pythonpath",
        str(ROOT / "src"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    log = open(ROOT / "var" / "bench" / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        command,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=str(ROOT),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see var/bench/gunicorn.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s; see var/bench/gunicorn.log")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the arbiter stops its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---- the load ---------------------------------------------------------------------------------------------


def drive(port: int, vote_id: int, jobs: list, tokens: list, concurrency: int):
    """POST every job (voter index, option) from ``concurrency`` threads. Returns (results, t0, t_drained)."""
    todo: queue.Queue = queue.Queue()
    for n, job in enumerate(jobs):
        todo.put((n, *job))
    results: list = []
    lock = threading.Lock()
    drained: list[float] = []
    start = threading.Barrier(concurrency + 1)
    path = f"/api/v1/votes/{vote_id}/ballots"

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start.wait()
        mine = []
        while True:
            try:
                n, voter, option = todo.get_nowait()
            except queue.Empty:
                with lock:
                    if not drained:
                        drained.append(time.perf_counter())
                break
            body = json.dumps({"option": option})
            headers = {"Authorization": f"Bearer {tokens[voter]}", "Content-Type": "application/json"}
            began = time.perf_counter()
            tries = 0
            while True:
                tries += 1
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    status = response.status
                    if response.will_close:
                        conn.close()
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    if tries >= 3:
                        status, payload = -1, repr(exc).encode()
                        break
            ended = time.perf_counter()
            try:
                data = json.loads(payload)
            except ValueError:
                data = {"raw": payload[:200].decode(errors="replace")}
            mine.append((n, voter, option, status, data, began, ended, tries))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return results, t0, drained[0] if drained else time.perf_counter()


def sustained_rate(results, t0: float, t_drained: float, warmup: float):
    """Accepted ballots per second from the end of the warm-up to the moment the queue ran dry."""
    ends = sorted(r[6] for r in results)
    t_warm = ends[min(len(ends) - 1, int(len(ends) * warmup))]
    window_end = max(t_drained, t_warm + 1e-6)
    accepted = [r for r in results if r[3] == 201 and t_warm < r[6] <= window_end]
    return len(accepted) / (window_end - t_warm), t_warm - t0, window_end - t_warm, len(accepted)


# ---- checking what the database holds ---------------------------------------------------------------------


def check(vote, voters, results, secretary) -> dict:
    from django.db import connection
    from django.db.models import Count

    from yishi.audit.models import AuditEntry
    from yishi.audit.services import verify
    from yishi.votes import tallies
    from yishi.votes.models import Ballot, NamedChoice, Participation

    out = {}
    by_voter: dict[int, list] = {}
    for r in results:
        by_voter.setdefault(r[1], []).append(r)
    receipts = {v: [r[4]["receipt"] for r in rs if r[3] == 201] for v, rs in by_voter.items()}
    out["voters with one receipt"] = sum(1 for v in range(len(voters)) if len(receipts.get(v, [])) == 1)
    out["voters with two receipts"] = sum(1 for codes in receipts.values() if len(codes) > 1)
    out["voters with no receipt (lost)"] = sum(1 for v in range(len(voters)) if not receipts.get(v))
    returned = [c for codes in receipts.values() for c in codes]

    participations = Participation.objects.filter(vote=vote)
    out["participations"] = participations.count()
    out["participation electors distinct"] = participations.values("elector").distinct().count()
    out["participation duplicates"] = (
        participations.values("elector").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    filled = Ballot.objects.filter(vote=vote, option__isnull=False)
    out["ballots filled"] = filled.count()
    out["ballots blank left"] = Ballot.objects.filter(vote=vote, option__isnull=True).count()
    stored = dict(filled.values_list("receipt", "option__key"))
    out["receipt duplicates (returned)"] = len(returned) - len(set(returned))
    out["receipts returned missing in db"] = sum(1 for c in returned if c not in stored)
    if not vote.secret:
        named = NamedChoice.objects.filter(vote=vote)
        out["named choices"] = named.count()
        sent = {r[1]: r[2] for r in results if r[3] == 201}
        person_of = {p.pk: i for i, p in enumerate(voters)}
        mismatched = 0
        for person_id, receipt, key in named.values_list(
            "elector__person_id", "ballot__receipt", "option__key"
        ):
            i = person_of[person_id]
            if receipts.get(i) != [receipt] or sent.get(i) != key:
                mismatched += 1
        out["receipt/choice mismatches"] = mismatched
    sent_counts = Counter(r[2] for r in results if r[3] == 201)
    out["counts match what was sent"] = Counter(stored.values()) == sent_counts
    out["audit cast entries"] = AuditEntry.objects.filter(action="votes.cast_ballot").count()
    started = time.perf_counter()
    out["audit chain intact"] = verify() is None
    out["audit verify seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    closed = tallies.close_vote(actor=secretary, vote=vote)
    out["close seconds"] = round(time.perf_counter() - started, 2)
    out["closed: present"] = closed.result["present"]
    out["closed: counts"] = closed.result["counts"]
    out["closed: receipts"] = closed.result["receipts"]
    out["closed: counts match what was sent"] = dict(closed.result["counts"]) == {
        k: sent_counts.get(k, 0) for k in closed.result["counts"]
    }
    connection.close()
    return out


# ---- the raw floor ----------------------------------------------------------------------------------------


def raw_rows(vote_id: int, options: dict, electors: list, secret: bool):
    """The rows the API writes for each voter, as (participation row, ballot row), for a fresh vote id."""
    from datetime import UTC, datetime

    from yishi.votes.seats import new_receipt

    rng = random.Random(7)
    receipts: set[str] = set()
    while len(receipts) < len(electors):
        receipts.add(new_receipt())
    now = datetime.now(UTC)
    pairs = []
    for (elector_id, person_id), receipt in zip(electors, sorted(receipts), strict=True):
        option_id = options[rng.choices(OPTIONS, WEIGHTS)[0]]
        pairs.append(
            (
                (vote_id, elector_id, "online", person_id, now),
                (uuid.uuid4(), vote_id, receipt, option_id, None if secret else now),
            )
        )
    return pairs


def raw_inserts(args, dsn: str, secretary, community, electors: list) -> list:
    """Insert the same row pairs three ways into the same tables (each way under its own draft vote)."""
    import psycopg

    from yishi.votes import drafting
    from yishi.votes.models import Ballot, Participation

    # Table names from the models' metadata, values as parameters.
    p_sql = (
        f"INSERT INTO {Participation._meta.db_table} "  # noqa: S608
        "(vote_id, elector_id, channel, recorded_by_id, at) VALUES (%s, %s, %s, %s, %s)"
    )
    b_sql = (
        f"INSERT INTO {Ballot._meta.db_table} "  # noqa: S608
        "(id, vote_id, receipt, option_id, cast_at) VALUES (%s, %s, %s, %s, %s)"
    )

    def target():
        vote = drafting.create_vote(
            actor=secretary, region=community, question="原始插入基准", secret=args.secret
        )
        return raw_rows(vote.pk, dict(vote.options.values_list("key", "pk")), electors, args.secret)

    measured = []

    # 1. One pair per transaction, one connection.
    pairs = target()
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        for p_row, b_row in pairs:
            with conn.cursor() as cur:
                cur.execute(p_sql, p_row)
                cur.execute(b_sql, b_row)
            conn.commit()
        measured.append(("raw: 1 pair/txn, 1 connection", len(pairs), time.perf_counter() - started))

    # 2. One pair per transaction, many connections at once (as the API's clients arrive).
    pairs = target()
    todo: queue.Queue = queue.Queue()
    for pair in pairs:
        todo.put(pair)
    barrier = threading.Barrier(args.raw_connections + 1)
    errors: list = []

    def inserter():
        with psycopg.connect(dsn) as conn:
            barrier.wait()
            while True:
                try:
                    p_row, b_row = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    with conn.cursor() as cur:
                        cur.execute(p_sql, p_row)
                        cur.execute(b_sql, b_row)
                    conn.commit()
                except Exception as exc:  # reported, not hidden
                    conn.rollback()
                    errors.append(exc)

    threads = [threading.Thread(target=inserter) for _ in range(args.raw_connections)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(f"  raw concurrent insert: {len(errors)} errors, first: {errors[0]!r}")
    measured.append(
        (f"raw: 1 pair/txn, {args.raw_connections} connections", len(pairs) - len(errors), elapsed)
    )

    # 3. Batched: COPY, --batch pairs per transaction.
    pairs = target()
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        for i in range(0, len(pairs), args.batch):
            chunk = pairs[i : i + args.batch]
            with conn.cursor() as cur:
                with cur.copy(
                    f"COPY {Participation._meta.db_table} "
                    "(vote_id, elector_id, channel, recorded_by_id, at) FROM STDIN"
                ) as copy:
                    for p_row, _b in chunk:
                        copy.write_row(p_row)
                with cur.copy(
                    f"COPY {Ballot._meta.db_table} (id, vote_id, receipt, option_id, cast_at) FROM STDIN"
                ) as copy:
                    for _p, b_row in chunk:
                        copy.write_row(b_row)
            conn.commit()
        measured.append(
            (f"raw: COPY, {args.batch} pairs/txn, 1 connection", len(pairs), time.perf_counter() - started)
        )
    return measured


# ---- reporting --------------------------------------------------------------------------------------------


def database_facts(dsn: str) -> dict:
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('votes_participation')), "
            "pg_size_pretty(pg_total_relation_size('votes_ballot')), "
            "current_setting('server_version'), current_setting('synchronous_commit'), "
            "current_setting('fsync'), current_setting('shared_buffers'), current_setting('max_connections')"
        ).fetchone()
    keys = (
        "database size",
        "votes_participation (with indexes)",
        "votes_ballot (with indexes)",
        "PostgreSQL",
        "synchronous_commit",
        "fsync",
        "shared_buffers",
        "max_connections",
    )
    return dict(zip(keys, row, strict=True))


def percentile(values: list, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main():
    args = parse_args()
    env = configure_environment(args)
    print(f"fresh database {args.database_url}")
    fresh_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yishi.people.tokens import issue_token
    from yishi.votes.models import Elector

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    vote, secretary, community, voters, open_seconds = build(args)
    print(
        f"built {len(voters)} representatives and opened vote #{vote.pk} ({'secret' if vote.secret else 'open'}"
        f" ballot) in {time.perf_counter() - started:.1f} s (open_vote alone: {open_seconds:.1f} s)"
    )
    started = time.perf_counter()
    tokens = [issue_token(p) for p in voters]
    print(f"issued {len(tokens)} bearer tokens in {time.perf_counter() - started:.1f} s")
    electors = list(Elector.objects.filter(vote=vote).order_by("pk").values_list("pk", "person_id"))
    connection.close()

    rng = random.Random(args.seed)
    order = list(range(len(voters)))
    rng.shuffle(order)
    doubled = set(rng.sample(order, int(len(voters) * args.duplicates)))
    jobs = []
    for voter in order:
        option = rng.choices(OPTIONS, WEIGHTS)[0]
        jobs.append((voter, option))
        if voter in doubled:
            # The re-send sits right behind the first: two clients take them at nearly the same moment.
            jobs.append((voter, rng.choice(OPTIONS)))

    port = free_port()
    server = start_gunicorn(args, env, port)
    worker = f"{args.workers} × gthread({args.threads})" if args.threads > 1 else f"{args.workers} × sync"
    print(
        f"gunicorn on 127.0.0.1:{port}: {worker}; driving {len(jobs)} submits from {args.concurrency} clients"
    )
    try:
        wall_started = time.perf_counter()
        results, t0, t_drained = drive(port, vote.pk, jobs, tokens, args.concurrency)
        wall = time.perf_counter() - t0
    finally:
        stop_gunicorn(server)
    print(f"load done in {wall:.1f} s (setup of clients {t0 - wall_started:.2f} s); gunicorn stopped")

    statuses = Counter(r[3] for r in results)
    codes = Counter(r[4].get("code") for r in results if r[3] != 201)
    accepted = [r for r in results if r[3] == 201]
    rate, warm_s, window_s, in_window = sustained_rate(results, t0, t_drained, args.warmup)
    latencies = [(r[6] - r[5]) * 1000 for r in accepted]
    retried = sum(1 for r in results if r[7] > 1)
    dup_submits = len(jobs) - len(voters)
    refused_dups = codes.get("already_voted", 0)
    unexpected = {s: n for s, n in statuses.items() if s not in (201, 409)}
    unexpected_codes = {c: n for c, n in codes.items() if c != "already_voted"}

    print("checking the database …")
    checks = check(vote, voters, results, secretary)

    print("raw inserts through psycopg …")
    dsn = args.database_url
    raw = raw_inserts(args, dsn, secretary, community, electors)
    facts = database_facts(dsn)

    lost = checks["voters with no receipt (lost)"]
    duplicated = checks["voters with two receipts"] + checks["participation duplicates"]
    print()
    print("=" * 78)
    print("Ballots through the HTTP API vs. raw inserts (bench/ballots.py)")
    print("=" * 78)
    rows = [
        ("voters (electorate)", f"{len(voters):,}"),
        ("HTTP clients (threads)", args.concurrency),
        ("gunicorn", f"{worker} workers, DATABASE_CONN_MAX_AGE={args.conn_max_age}"),
        ("profile", "YISHI_PROFILE=production, SECURE_SSL_REDIRECT=0 (plain HTTP), DEBUG=0"),
        ("protections off", "RATELIMIT_ENABLE=0, AXES_ENABLED=0"),
        ("ballot", "secret" if args.secret else "open (named choice written too)"),
        ("submits sent", f"{len(jobs):,} ({dup_submits:,} duplicate re-sends)"),
        ("HTTP statuses", dict(sorted(statuses.items()))),
        ("duplicates refused (409 already_voted)", f"{refused_dups:,} of {dup_submits:,}"),
        ("unexpected statuses / codes", f"{unexpected or 'none'} / {unexpected_codes or 'none'}"),
        ("transport retries", retried),
        ("lost (voter without a receipt)", lost),
        ("duplicated (two receipts or participations)", duplicated),
        ("CPU cores (server, clients, PostgreSQL share them)", os.cpu_count()),
    ]
    for label, value in rows:
        print(f"  {label:<52} {value}")
    print("-" * 78)
    print("  database checks")
    for label, value in checks.items():
        print(f"    {label:<50} {value}")
    print("-" * 78)
    for label, value in facts.items():
        print(f"  {label:<52} {value}")
    print("-" * 78)
    http_overall = len(accepted) / wall
    print(f"  {'measure':<46} {'rows':>8} {'seconds':>9} {'ballots/s':>11}")
    print(
        f"  {'HTTP API, sustained (after warm-up, queue full)':<46} {in_window:>8,} {window_s:>9.1f} {rate:>11,.0f}"
    )
    print(
        f"  {'HTTP API, whole run incl. warm-up and tail':<46} {len(accepted):>8,} {wall:>9.1f} "
        f"{http_overall:>11,.0f}"
    )
    raw_rates = []
    for label, n, seconds in raw:
        raw_rates.append((label, n / seconds))
        print(f"  {label:<46} {n:>8,} {seconds:>9.1f} {n / seconds:>11,.0f}")
    print("-" * 78)
    print(f"  warm-up excluded: first {args.warmup:.0%} of responses ({warm_s:.1f} s)")
    print(
        f"  HTTP latency of accepted casts: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
        f"mean {statistics.mean(latencies):.0f} ms"
    )
    for label, raw_rate in raw_rates:
        print(f"  ratio HTTP sustained / {label:<40} {rate / raw_rate:>6.1%}  (1 : {raw_rate / rate:.1f})")
    print("=" * 78)
    ok = (
        lost == 0
        and duplicated == 0
        and refused_dups == dup_submits
        and not unexpected
        and checks["receipts returned missing in db"] == 0
        and checks["audit chain intact"]
    )
    print(
        "RESULT:",
        "zero lost, zero duplicated, every duplicate refused" if ok else "CHECKS FAILED (see above)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
