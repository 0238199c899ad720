"""Rebuilding the roll-ups: every counter recounted from the raw tables in one transaction, on PostgreSQL in SQL
(``rebuild_pg``), elsewhere through the same contribution functions the refreshes use (``rollups``), one
street's subtree at a time.
"""

import time
from collections import Counter as Tally
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from yishi.regions.models import Level, Region, path_upper_bound

from . import rebuild_pg
from .models import Counter, Participant, Source
from .rollups import (
    MATTER,
    MEETING,
    VOTE,
    Tree,
    contributions,
    month_mask,
    people_changes,
    spread_counters,
    spread_people,
)
from .shapes import short_procedures

# --- rebuilding -------------------------------------------------------------------------------------------


@dataclass
class Rebuilt:
    sources: int
    counters: int
    participants: int
    seconds: float


def _bulk_insert(model, rows, fields) -> int:
    """Insert many rows: COPY on PostgreSQL, batched INSERTs elsewhere."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        columns = ", ".join(fields)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):  # psycopg 3
            for row in rows:
                copy.write_row(row)
        return len(rows)
    objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model.objects.bulk_create(objs, batch_size=2000)
    return len(rows)


def _json(value):
    import json

    return json.dumps(value, separators=(",", ":"))


def rebuild(*, verbose=None, python: bool = False) -> Rebuilt:
    """Recount every roll-up from the raw tables in one transaction: on PostgreSQL in SQL (``rebuild_pg``),
    elsewhere (or with ``python``) through the contribution functions, one street's subtree at a time."""
    started = time.monotonic()
    on_pg = connection.vendor == "postgresql"
    if on_pg and not python:
        return _rebuild_pg(started, verbose)
    tree = Tree().load_all()
    shorts = set(short_procedures())
    streets = list(Region.objects.filter(level=Level.STREET).order_by("path").values_list("pk", "path"))
    upper_counters: dict = {}
    upper_people: dict = {}
    totals = {"sources": 0, "counters": 0, "participants": 0}

    def flush(root_path: str | None, parts_by_kind: dict) -> None:
        counters: dict = {}
        people: dict = {}
        sources = []
        for kind, parts in parts_by_kind.items():
            for pk, part in parts.items():
                spread_counters(part.counters, tree, 1, counters)
                spread_people(part.people, tree, 1, people)
                sources.append((kind, pk, _json(part.as_json()) if on_pg else part.as_json()))
        totals["sources"] += _bulk_insert(Source, sources, ("kind", "object_id", "data"))
        mine_c, mine_p = {}, {}
        for key, n in counters.items():
            if root_path is not None and tree.path[key[0]].startswith(root_path):
                mine_c[key] = mine_c.get(key, 0) + n
            else:
                upper_counters[key] = upper_counters.get(key, 0) + n
        for key, months in people.items():
            if root_path is not None and tree.path[key[0]].startswith(root_path):
                mine_p[key] = months
            else:
                upper_people.setdefault(key, Tally()).update(months)
        _write(mine_c, mine_p)

    def _write(counters: dict, people: dict) -> None:
        rows = []
        for (region, year, person), months in people.items():
            counts = [months.get(i, 0) for i in range(12)]
            if any(counts):
                rows.append((region, year, person, _json(counts) if on_pg else counts, month_mask(counts)))
                people_changes(region, year, [0] * 12, counts, counters)
        totals["participants"] += _bulk_insert(
            Participant, rows, ("region_id", "year", "person_id", "counts", "mask")
        )
        totals["counters"] += _bulk_insert(
            Counter,
            [(r, m, d, n) for (r, m, d), n in counters.items() if n],
            ("region_id", "month", "dim", "n"),
        )

    with transaction.atomic():
        for model in (Counter, Participant, Source):
            model.objects.all().delete()
        for i, (_pk, path) in enumerate(streets):
            inside = Q(region__path__gte=path, region__path__lt=path_upper_bound(path))
            flush(path, {kind: contributions(kind, inside, tree, shorts) for kind in (MATTER, MEETING, VOTE)})
            if verbose and i % 100 == 0:
                verbose(
                    f"  {i}/{len(streets)} streets, {totals['counters']} counters, "
                    f"{time.monotonic() - started:.0f} s"
                )
        # Sources above every street (a district's meeting), or in a tree with no streets.
        outside = Q()
        for _pk, path in streets:
            outside &= ~Q(region__path__gte=path, region__path__lt=path_upper_bound(path))
        if len(streets) > 200:
            outside = Q(region__level__lt=Level.STREET)
        flush(None, {kind: contributions(kind, outside, tree, shorts) for kind in (MATTER, MEETING, VOTE)})
        _write(upper_counters, upper_people)
    if on_pg:
        with connection.cursor() as cursor:
            for model in (Counter, Participant, Source):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return Rebuilt(totals["sources"], totals["counters"], totals["participants"], time.monotonic() - started)


def _rebuild_pg(started: float, verbose) -> Rebuilt:
    with transaction.atomic():
        with connection.cursor() as cursor:
            # TRUNCATE refuses while foreign-key checks of this transaction are still deferred: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in (Counter, Participant, Source):
                cursor.execute(f"TRUNCATE {model._meta.db_table}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        rebuild_pg.rebuild(verbose)
    with connection.cursor() as cursor:
        for model in (Counter, Participant, Source):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return Rebuilt(
        Source.objects.count(),
        Counter.objects.count(),
        Participant.objects.count(),
        time.monotonic() - started,
    )
