"""Crash benchmark (run by hand, never in tests): SIGKILL the production server mid-load and check nothing
acknowledged was lost, no vote counted twice, and the audit chain still verifies.

    .venv/bin/python bench/crash.py                      # 2,000 electors, 32 client threads
    .venv/bin/python bench/crash.py --electors 500 --clients 16 --kill-at 0.3

1. Drops and creates the scratch database ``yishi_bench_crash`` and runs ``bench/serve setup`` on it
   (production profile: migrations, collectstatic).
2. Builds, through the services: a community, its secretary, ``--electors`` representatives (people and roles
   bulk-inserted, as an import would), ``--matters`` matters raised by residents, and an open named vote whose
   electorate is the representatives. Issues a bearer token per person.
3. Starts gunicorn with ``bench/serve web`` (2 workers) and sends, from ``--clients`` threads over HTTP with
   bearer tokens: one ballot per elector, supports and comments on the matters, and for each matter a
   screening (accept), a consultation session and an advance out of that step. Every answer is logged client-side.
4. When ``--kill-at`` of the writes have been answered, SIGKILLs the gunicorn master and its workers at once,
   waits ``--down`` seconds and starts gunicorn again. Clients whose connection broke retry (as a phone app
   would) until the server answers; a retried ballot or support that had in fact committed gets a 409.
5. Then checks the database against the client's log: every write answered 2xx is present as sent (receipt
   and choice, support, comment text, matter step); one participation per elector; filled ballots =
   participations = audit cast entries; closing the vote counts exactly the ballots; each matter's supporter
   count equals its supports; the audit chain verifies from the first entry.

Rate limits and lock-out are off on the server (one address sends everything).
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
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import benchkeys  # bench/benchkeys.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATABASE = "yishi_bench_crash"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--electors", type=int, default=2000)
    p.add_argument("--matters", type=int, default=100)
    p.add_argument("--supports", type=int, default=500)
    p.add_argument("--comments", type=int, default=500)
    p.add_argument("--clients", type=int, default=32, help="HTTP client threads")
    p.add_argument("--kill-at", type=float, default=0.4, help="share of writes answered before the SIGKILL")
    p.add_argument("--down", type=float, default=2.0, help="seconds the server stays dead")
    p.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    p.add_argument("--seed", type=int, default=8)
    return p.parse_args()


def environment(args, port: int) -> dict:
    env = {
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "SECRET_KEY": secrets.token_urlsafe(50),  # shared with this process: it signs the bearer tokens
        "YISHI_VAR_DIR": str(ROOT / "var" / "bench" / "crash"),
        "AUDIT_SIGNING_KEY_FILE": benchkeys.record_key(ROOT / "var" / "bench" / "crash"),
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "RATELIMIT_ENABLE": "0",
        "AXES_ENABLED": "0",
        "PORT": str(port),
        "YISHI_PROFILE": "production",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "yishi.settings",
        "YISHI_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def fresh_database(server: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- data -----------------------------------------------------------------------------------------------------


def build(args):
    from django.contrib.auth.hashers import make_password

    from yishi.access.models import RoleAssignment
    from yishi.access.roles import Role
    from yishi.access.services import assign_role
    from yishi.matters.models import Category
    from yishi.matters.services import raise_matter
    from yishi.people.models import Person
    from yishi.people.services import register_person
    from yishi.people.tokens import issue_token
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
    compound = create_region(actor=None, parent=community, level=Level.COMPOUND, name="万泰丽景小区")
    secretary = register_person(actor=None, name="张金利", phone="13800000001")
    assign_role(actor=None, person=secretary, role=Role.COMMITTEE, region=community)
    unusable = make_password(None)
    electors = Person.objects.bulk_create(
        [Person(phone=f"139{i:08d}", name=f"代表{i}", password=unusable) for i in range(args.electors)],
        batch_size=2000,
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(person=p, role=Role.REPRESENTATIVE, region=community) for p in electors],
        batch_size=2000,
    )
    category = Category.objects.get(key="environment")
    rng = random.Random(args.seed)
    matters = [
        raise_matter(
            actor=rng.choice(electors),
            region=compound,
            title=f"第{i}号议题：楼道照明",
            description="楼道灯坏了",
            category=category,
        )
        for i in range(args.matters)
    ]
    vote = drafting.create_vote(actor=secretary, region=community, question="是否同意维修小区西侧道路？")
    vote = drafting.open_vote(actor=secretary, vote=vote)
    tokens = {p.pk: issue_token(p) for p in [secretary, *electors]}
    return vote, secretary, electors, matters, tokens


def jobs_for(args, vote, secretary, electors, matters):
    """Every write the clients will send, shuffled: (kind, token person, path, body, key)."""
    rng = random.Random(args.seed + 1)
    jobs = []
    for person in electors:
        option = rng.choices(("yes", "no", "abstain"), (70, 20, 10))[0]
        jobs.append(("ballot", person.pk, f"/api/v1/votes/{vote.pk}/ballots", {"option": option}, person.pk))
    pairs = set()
    while len(pairs) < args.supports:
        matter, person = rng.choice(matters), rng.choice(electors)
        if person.pk != matter.submitter_id:
            pairs.add((matter.pk, person.pk))
    for matter_id, person_id in sorted(pairs):
        jobs.append(
            ("support", person_id, f"/api/v1/matters/{matter_id}/support", {}, (matter_id, person_id))
        )
    for i in range(args.comments):
        matter, person = rng.choice(matters), rng.choice(electors)
        body = f"评论 {i}：同意，尽快修好。"
        jobs.append(
            ("comment", person.pk, f"/api/v1/comments/matters/{matter.pk}", {"body": body}, (matter.pk, body))
        )
    for matter in matters:
        jobs.append(("screen_advance", secretary.pk, f"/api/v1/matters/{matter.pk}", None, matter.pk))
    rng.shuffle(jobs)
    return jobs


# ---- the server -----------------------------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict, port: int, log: Path = ROOT / "var" / "bench" / "crash" / "gunicorn.log"):
        self.env, self.port, self.process = env, port, None
        self.log = open(log, "a")  # noqa: SIM115 - open while the server runs

    def start(self) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [str(ROOT / "bench" / "serve"), "web"],
            env={**os.environ, **self.env},
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # A loaded two-core machine can take a minute to import Django into the master and two workers.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            try:
                # Long: after a restart the retrying clients fill the queue ahead of this request.
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within 240 s; see {self.log.name}")

    def pids(self) -> list[int]:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [master, *map(int, children)]

    def kill(self) -> list[int]:
        """SIGKILL the master and every worker at the same moment: no graceful anything."""
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()
        for pid in pids[1:]:
            while Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text():
                time.sleep(0.05)
        return pids

    def stop(self) -> None:
        """Stop it (SIGTERM: the master stops its workers); safe to call twice."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


SESSION = {
    "title": "楼道照明恳谈会",
    "form": "consultation",
    "held_at": "2026-11-20T19:00:00+08:00",
    "place": "社区会议室",
    "attendance": 12,
    "ideas": [{"text": "换声控灯", "voiced_by": "居民"}],
}


# ---- the clients ----------------------------------------------------------------------------------------------


class Log:
    def __init__(self, total: int):
        self.lock = threading.Lock()
        self.entries: list[dict] = []
        self.answered = 0
        self.total = total
        self.connection_errors = 0


def send(port: int, token: str, method: str, path: str, body, log: Log, deadline: float):
    """One write, retried over broken connections until the server answers. Returns (status, json, tries)."""
    tries = 0
    while True:
        tries += 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                method,
                path,
                body=json.dumps(body or {}),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Accept-Language": "en",
                },
            )
            response = conn.getresponse()
            payload = response.read()
            try:
                data = json.loads(payload)
            except ValueError:
                data = {"raw": payload[:200].decode(errors="replace")}
            return response.status, data, tries
        except (OSError, http.client.HTTPException):
            with log.lock:
                log.connection_errors += 1
            if time.monotonic() > deadline:
                return -1, {}, tries
            time.sleep(0.25)
        finally:
            conn.close()


def drive(port: int, jobs: list, tokens: dict, clients: int, log: Log, deadline: float):
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)

    def record(entry):
        with log.lock:
            log.entries.append(entry)
            log.answered += 1

    def client():
        while True:
            try:
                kind, who, path, body, key = todo.get_nowait()
            except queue.Empty:
                return
            token = tokens[who]
            if kind != "screen_advance":
                status, data, tries = send(port, token, "POST", path, body, log, deadline)
                record(
                    {"kind": kind, "key": key, "body": body, "status": status, "data": data, "tries": tries}
                )
                continue
            # A matter moves in order: accepted (which enters the first step), a consultation recorded, then
            # advanced out of that step. A step goes on when the previous write was acknowledged, or was
            # refused on a retry (the first try had committed; only its answer was lost).
            for name, suffix, payload, ok in (
                ("screen", "/screen", {"decision": "accept"}, 200),
                ("session", "/sessions", SESSION, 201),
                ("advance", "/advance", {"expected_step": "ideas"}, 200),
            ):
                status, data, tries = send(port, token, "POST", path + suffix, payload, log, deadline)
                record({"kind": name, "key": key, "status": status, "data": data, "tries": tries})
                if status != ok and not (status == 409 and tries > 1):
                    break

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    return threads


# ---- the checks -----------------------------------------------------------------------------------------------


def check(log: Log, vote, secretary, electors) -> dict:
    from django.db.models import Count

    from yishi.audit.models import AuditEntry
    from yishi.audit.services import verify
    from yishi.comments.models import Comment
    from yishi.matters.models import Matter, Support
    from yishi.votes import tallies
    from yishi.votes.models import Ballot, NamedChoice, Participation

    out: dict = {}
    acked = defaultdict(list)
    for e in log.entries:
        if 200 <= e["status"] < 300:
            acked[e["kind"]].append(e)
    out["acknowledged writes"] = {k: len(v) for k, v in sorted(acked.items())}
    out["answers by status"] = dict(sorted(Counter(e["status"] for e in log.entries).items()))
    out["writes retried after a broken connection"] = sum(1 for e in log.entries if e["tries"] > 1)
    out["retries answered 409 (the first try had committed, its answer lost)"] = sum(
        1 for e in log.entries if e["tries"] > 1 and e["status"] == 409
    )
    out["server errors (5xx)"] = sum(1 for e in log.entries if e["status"] >= 500)
    out["never answered"] = sum(1 for e in log.entries if e["status"] == -1)

    # Ballots: every receipt acknowledged is stored with the choice sent, under that elector's name.
    stored = dict(
        Ballot.objects.filter(vote=vote, option__isnull=False).values_list("receipt", "option__key")
    )
    named = {
        pid: (receipt, key)
        for pid, receipt, key in NamedChoice.objects.filter(vote=vote).values_list(
            "elector__person_id", "ballot__receipt", "option__key"
        )
    }
    lost = [
        e
        for e in acked["ballot"]
        if stored.get(e["data"]["receipt"]) != e["body"]["option"]
        or named.get(e["key"]) != (e["data"]["receipt"], e["body"]["option"])
    ]
    out["acknowledged ballots missing or altered"] = len(lost)
    participations = Participation.objects.filter(vote=vote)
    out["participations"] = participations.count()
    out["electors with more than one participation"] = (
        participations.values("elector").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    out["filled ballots"] = len(stored)
    out["audit cast entries"] = AuditEntry.objects.filter(action="votes.cast_ballot").count()
    out["ballots committed without an acknowledgement (in flight at the kill)"] = len(stored) - len(
        acked["ballot"]
    )

    supports = set(Support.objects.values_list("matter_id", "person_id"))
    out["acknowledged supports missing"] = sum(1 for e in acked["support"] if tuple(e["key"]) not in supports)
    drift = Matter.objects.annotate(n=Count("supports")).values_list("supporter_count", "n")
    out["matters whose supporter count disagrees with its supports"] = sum(1 for a, b in drift if a != b)
    comments = dict(Comment.objects.values_list("pk", "body"))
    out["acknowledged comments missing or altered"] = sum(
        1 for e in acked["comment"] if comments.get(e["data"].get("id")) != e["body"]["body"]
    )
    steps = dict(Matter.objects.values_list("pk", "step_key"))
    statuses = dict(Matter.objects.values_list("pk", "status"))
    out["acknowledged screenings not in place"] = sum(
        1 for e in acked["screen"] if statuses[e["key"]] == "new"
    )
    from yishi.meetings.models import Session

    sessions = set(Session.objects.values_list("pk", flat=True))
    out["acknowledged sessions missing"] = sum(1 for e in acked["session"] if e["data"]["id"] not in sessions)
    out["acknowledged advances not in place"] = sum(
        1 for e in acked["advance"] if steps[e["key"]] in ("", "raise", "ideas")
    )

    started = time.perf_counter()
    broken = verify()
    out["audit chain"] = "intact" if broken is None else f"BROKEN at {broken}"
    out["audit entries"] = AuditEntry.objects.count()
    out["audit verify seconds"] = round(time.perf_counter() - started, 2)
    closed = tallies.close_vote(actor=secretary, vote=vote)
    out["closed vote: present"] = closed.result["present"]
    out["closed vote: counts"] = closed.result["counts"]
    out["tally equals the ballots"] = closed.result["present"] == len(stored) == participations.count() and {
        k: v for k, v in closed.result["counts"].items() if v
    } == dict(Counter(stored.values()))
    return out


def main():
    args = parse_args()
    port = free_port()
    env = environment(args, port)
    (ROOT / "var" / "bench" / "crash").mkdir(parents=True, exist_ok=True)
    print(f"scratch database {DATABASE}: bench/serve setup …", flush=True)
    fresh_database(args.server)
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

    started = time.perf_counter()
    vote, secretary, electors, matters, tokens = build(args)
    jobs = jobs_for(args, vote, secretary, electors, matters)
    connection.close()
    expected_answers = len(jobs) + 2 * args.matters  # screen, session and advance answer separately
    print(
        f"built {args.electors} electors, {args.matters} matters and an open vote in "
        f"{time.perf_counter() - started:.1f} s; {len(jobs)} jobs ({expected_answers} writes)",
        flush=True,
    )

    server = Server(env, port)
    try:
        return run(
            args,
            server,
            log=Log(expected_answers),
            jobs=jobs,
            tokens=tokens,
            vote=vote,
            secretary=secretary,
            electors=electors,
        )
    finally:
        server.stop()


def run(args, server, *, log, jobs, tokens, vote, secretary, electors) -> int:
    port = server.port
    expected_answers = log.total
    print(f"gunicorn up in {server.start():.1f} s", flush=True)
    began = time.perf_counter()
    threads = drive(port, jobs, tokens, args.clients, log, deadline=time.monotonic() + 3600)
    kill_after = int(expected_answers * args.kill_at)
    while log.answered < kill_after and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    answered_at_kill = log.answered
    killed_at = time.perf_counter() - began
    pids = server.kill()
    print(
        f"SIGKILL to gunicorn master and {len(pids) - 1} workers at {killed_at:.1f} s, after "
        f"{answered_at_kill} answers",
        flush=True,
    )
    time.sleep(args.down)
    restart = server.start()
    print(f"restarted; answering again {args.down + restart:.1f} s after the kill", flush=True)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    server.stop()

    results = check(log, vote, secretary, electors)
    print(
        f"\n{len(log.entries)} answers in {elapsed:.1f} s ({len(log.entries) / elapsed:.0f}/s) from "
        f"{args.clients} clients; {log.connection_errors} broken connections"
    )
    width = max(map(len, results))
    for key, value in results.items():
        print(f"  {key:<{width}}  {value}")
    must_be_zero = [k for k in results if k.startswith("acknowledged ") and k != "acknowledged writes"]
    must_be_zero += [
        "electors with more than one participation",
        "server errors (5xx)",
        "never answered",
        "matters whose supporter count disagrees with its supports",
    ]
    failed = (
        any(results[k] for k in must_be_zero)
        or results["audit chain"] != "intact"
        or not results["tally equals the ballots"]
        or not results["filled ballots"] == results["participations"] == results["audit cast entries"]
    )
    print(
        "\nRESULT:", "FAILED" if failed else "every acknowledged write present, no double vote, chain intact"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
