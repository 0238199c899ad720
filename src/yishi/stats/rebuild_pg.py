# ruff: noqa: S608 - the SQL is built from constants (table names, time zone, duration edges), never from input
"""The roll-up rebuild in SQL, for PostgreSQL: the same contributions as ``rollups._matter_part`` and its
siblings, computed by the database in a handful of statements instead of a Python loop over every row.

At province size (a million matters, seven million step changes) the Python rebuild spends most of its time
converting rows; here the database does it in C. Every source's contribution is first written to a temporary
table (one row per counter row it adds, before spreading over the ancestors), from which the ``Source`` rows,
the counters (joined with each region's ancestors) and the participants are filled. ``test_rollups`` compares
the result row for row with the incrementally kept tables on PostgreSQL.
"""

from django.conf import settings
from django.db import connection

from yishi.matters.models import CLOSED_STATUSES

from .shapes import DURATION_BUCKETS, short_procedures


def _month(col: str) -> str:
    tz = settings.TIME_ZONE
    return (
        f"(EXTRACT(YEAR FROM {col} AT TIME ZONE '{tz}')::int * 12 "
        f"+ EXTRACT(MONTH FROM {col} AT TIME ZONE '{tz}')::int - 1)"
    )


def _day(col: str) -> str:
    return f"to_char({col} AT TIME ZONE '{settings.TIME_ZONE}', 'YYYY-MM-DD')"


def _bucket(later: str, earlier: str) -> str:
    """``shapes.bucket_of`` in SQL: how many edges lie strictly below the duration in hours."""
    edges = ", ".join(repr(-e) for e in sorted(DURATION_BUCKETS, reverse=True))
    hours = f"(EXTRACT(EPOCH FROM ({later} - {earlier}))::float8 / 3600)"
    return f"({len(DURATION_BUCKETS)} - width_bucket(-{hours}, ARRAY[{edges}]::float8[]))"


def _list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def statements() -> list[str]:
    closed = _list(sorted(str(s) for s in CLOSED_STATUSES))
    shorts = _list(short_procedures()) or "''"
    m_raised, m_closed = _month("m.raised_at"), _month("m.closed_at")
    months = ", ".join(f"COALESCE(SUM(p.n) FILTER (WHERE p.month % 12 = {i}), 0)" for i in range(12))
    return [
        "DROP TABLE IF EXISTS stats_anc, stats_comm, stats_part, stats_ppl, stats_pp",
        """CREATE TEMP TABLE stats_anc AS
           SELECT r.id AS region_id, substr(r.path, (k - 1) * 10 + 1, 10)::int AS anc_id
           FROM regions_region r, generate_series(1, length(r.path) / 10) k""",
        "CREATE INDEX ON stats_anc (region_id)",
        """CREATE TEMP TABLE stats_comm AS
           SELECT a.region_id, a.anc_id AS community_id FROM stats_anc a
           JOIN regions_region c ON c.id = a.anc_id AND c.level = 5""",
        "CREATE INDEX ON stats_comm (region_id)",
        "CREATE TEMP TABLE stats_part (kind char(1), src bigint, region int, month int, dim text, n bigint)",
        "CREATE TEMP TABLE stats_ppl (kind char(1), src bigint, region int, month int, person bigint, n bigint)",
        # Raised and open, in total, by category and by channel.
        f"""INSERT INTO stats_part SELECT 'm', m.id, m.region_id, {m_raised}, v.what || d.dim, 1
            FROM matters_matter m JOIN matters_category c ON c.id = m.category_id
            CROSS JOIN LATERAL (VALUES (''), ('.c:' || c.key), ('.h:' || m.channel)) d(dim)
            CROSS JOIN (VALUES ('raised'), ('open')) v(what)""",
        f"""INSERT INTO stats_part SELECT 'm', m.id, m.region_id, {m_closed}, 'closed:' || m.status, 1
            FROM matters_matter m WHERE m.status IN ({closed}) AND m.closed_at IS NOT NULL""",
        f"""INSERT INTO stats_part SELECT 'm', m.id, m.region_id, {m_closed}, 'open' || d.dim, -1
            FROM matters_matter m JOIN matters_category c ON c.id = m.category_id
            CROSS JOIN LATERAL (VALUES (''), ('.c:' || c.key), ('.h:' || m.channel)) d(dim)
            WHERE m.status IN ({closed}) AND m.closed_at IS NOT NULL""",
        f"""INSERT INTO stats_part SELECT 'm', m.id, m.region_id, {m_closed}, d.dim, 1
            FROM matters_matter m JOIN matters_category c ON c.id = m.category_id
            CROSS JOIN LATERAL (VALUES ('resolved.c:' || c.key), ('resolved.h:' || m.channel),
                                       ('res:' || {_bucket("m.closed_at", "m.raised_at")})) d(dim)
            WHERE m.status = 'resolved' AND m.closed_at IS NOT NULL""",
        # Compliance of the matters that finished their procedure.
        f"""INSERT INTO stats_part
            WITH f AS (
              SELECT m.id, m.region_id, {m_closed} AS month,
                     (m.procedure_key IN ({shorts}))::int AS short_path, (m.status = 'unresolved')::int AS unresolved,
                     COALESCE(r.n, 0) AS returned, COALESCE(e.n, 0) AS escalated, COALESCE(l.n, 0) AS late_notice,
                     COALESCE(v.n, 0) AS electorate_differs
              FROM matters_matter m
              LEFT JOIN (SELECT matter_id, count(*) n FROM procedures_transition WHERE kind = 'return'
                         GROUP BY matter_id) r ON r.matter_id = m.id
              LEFT JOIN (SELECT w.matter_id, count(*) n FROM reminders_escalation x
                         JOIN works_work w ON w.id = x.work_id GROUP BY w.matter_id) e ON e.matter_id = m.id
              LEFT JOIN (SELECT am.matter_id, count(*) n FROM meetings_announcement_matters am
                         JOIN meetings_announcement a ON a.id = am.announcement_id AND a.late
                         JOIN meetings_meeting g ON g.id = a.meeting_id AND g.status <> 'cancelled'
                         GROUP BY am.matter_id) l ON l.matter_id = m.id
              LEFT JOIN (SELECT matter_id, count(*) n FROM votes_voteresult
                         WHERE seated IS NOT NULL AND electorate <> seated GROUP BY matter_id) v ON v.matter_id = m.id
              WHERE m.status IN ('resolved', 'unresolved') AND m.closed_at IS NOT NULL)
            SELECT 'm', f.id, f.region_id, f.month, d.dim, d.n FROM f
            CROSS JOIN LATERAL (VALUES
              ('finished', 1),
              ('followed', CASE WHEN f.short_path + f.unresolved + f.returned + f.escalated + f.late_notice
                                     + f.electorate_differs = 0
                                THEN 1 ELSE 0 END),
              ('dev:short_path', f.short_path), ('dev:unresolved', f.unresolved), ('dev:returned', f.returned),
              ('dev:escalated', f.escalated), ('dev:late_notice', f.late_notice),
              ('dev:electorate_differs', f.electorate_differs)) d(dim, n)
            WHERE d.n > 0""",
        # Accepted, and the time in each step: a completion follows the change that entered its step.
        f"""INSERT INTO stats_part
            WITH t AS (
              SELECT t.matter_id, t.kind, t.from_step, t.at,
                     lag(t.at) OVER w AS prev_at, lag(t.kind) OVER w AS prev_kind, lag(t.to_step) OVER w AS prev_to
              FROM procedures_transition t WINDOW w AS (PARTITION BY t.matter_id ORDER BY t.at, t.id))
            SELECT 'm', t.matter_id, m.region_id, {_month("t.at")},
                   CASE WHEN t.kind = 'start' THEN 'accepted'
                        ELSE 'step:' || t.from_step || ':' || {_bucket("t.at", "t.prev_at")} END, 1
            FROM t JOIN matters_matter m ON m.id = t.matter_id
            WHERE t.kind = 'start' OR (t.kind IN ('advance', 'resolve')
                  AND t.prev_kind IN ('start', 'advance', 'return') AND t.prev_to = t.from_step)""",
        # Tasks by due month; open ones by due day.
        f"""INSERT INTO stats_part SELECT 'm', w.matter_id, m.region_id,
                   EXTRACT(YEAR FROM w.due_on)::int * 12 + EXTRACT(MONTH FROM w.due_on)::int - 1, d.dim, 1
            FROM works_work w JOIN matters_matter m ON m.id = w.matter_id
            CROSS JOIN LATERAL (VALUES ('task.due'),
              (CASE WHEN w.done_at IS NULL THEN 'task.open:' || to_char(w.due_on, 'YYYY-MM-DD')
                    WHEN (w.done_at AT TIME ZONE '{settings.TIME_ZONE}')::date <= w.due_on THEN 'task.ontime'
                    ELSE 'task.late' END)) d(dim)""",
        f"""INSERT INTO stats_part SELECT 'm', s.matter_id, m.region_id, {_month("s.at")}, 'sat:' || s.rating, 1
            FROM works_satisfaction s JOIN matters_matter m ON m.id = s.matter_id""",
        f"""INSERT INTO stats_part SELECT 'm', s.matter_id, c.community_id, {_month("s.held_at")},
                   'consult:' || {_day("s.held_at")}, 1
            FROM meetings_session s JOIN matters_matter m ON m.id = s.matter_id
            JOIN stats_comm c ON c.region_id = m.region_id""",
        # Meetings held: scheduled meetings, and sessions recorded outside any meeting (platform "other").
        f"""INSERT INTO stats_part SELECT 'm', s.matter_id, m.region_id, {_month("s.held_at")}, d.dim, 1
            FROM meetings_session s JOIN matters_matter m ON m.id = s.matter_id
            CROSS JOIN LATERAL (VALUES ('meet'), ('meet.f:' || s.form), ('meet.p:other')) d(dim)
            WHERE s.meeting_id IS NULL""",
        f"""INSERT INTO stats_part SELECT 'g', g.id, g.region_id, {_month("g.starts_at")}, d.dim, 1
            FROM meetings_meeting g
            CROSS JOIN LATERAL (VALUES ('meet'), ('meet.f:' || g.form), ('meet.p:' || g.platform)) d(dim)
            WHERE g.status = 'held'""",
        f"""INSERT INTO stats_part SELECT 'g', g.id, c.community_id, {_month("g.starts_at")},
                   'consult:' || {_day("g.starts_at")}, 1
            FROM meetings_meeting g JOIN stats_comm c ON c.region_id = g.region_id WHERE g.status = 'held'""",
        # People: who raised, supported, signed in, took part in a vote.
        f"""INSERT INTO stats_ppl SELECT 'm', m.id, m.region_id, {m_raised}, m.submitter_id, 1
            FROM matters_matter m WHERE m.submitter_id IS NOT NULL""",
        f"""INSERT INTO stats_ppl SELECT 'm', s.matter_id, m.region_id, {_month("s.at")}, s.person_id, 1
            FROM matters_support s JOIN matters_matter m ON m.id = s.matter_id WHERE s.from_matter_id IS NULL""",
        f"""INSERT INTO stats_ppl SELECT 'g', a.meeting_id, g.region_id, {_month("a.at")}, a.person_id, 1
            FROM meetings_attendance a JOIN meetings_meeting g ON g.id = a.meeting_id WHERE a.person_id IS NOT NULL""",
        f"""INSERT INTO stats_ppl SELECT 'v', p.vote_id, v.region_id, {_month("p.at")}, e.person_id, 1
            FROM votes_participation p JOIN votes_vote v ON v.id = p.vote_id
            JOIN votes_elector e ON e.id = p.elector_id WHERE e.person_id IS NOT NULL""",
        # Each source's contribution, for the changes that come after the rebuild.
        """INSERT INTO stats_source (kind, object_id, data)
           SELECT COALESCE(c.kind, p.kind), COALESCE(c.src, p.src),
                  jsonb_build_object('c', COALESCE(c.rows, '[]'::jsonb), 'p', COALESCE(p.rows, '[]'::jsonb))
           FROM (SELECT kind, src, jsonb_agg(jsonb_build_array(region, month, dim, n)) AS rows
                 FROM stats_part GROUP BY kind, src) c
           FULL JOIN (SELECT kind, src, jsonb_agg(jsonb_build_array(region, month, person, n)) AS rows
                      FROM stats_ppl GROUP BY kind, src) p ON p.kind = c.kind AND p.src = c.src""",
        # Counters for the region and every ancestor; consultation days at the community only.
        """INSERT INTO stats_counter (region_id, month, dim, n)
           SELECT a.anc_id, p.month, p.dim, SUM(p.n) FROM stats_part p JOIN stats_anc a ON a.region_id = p.region
           WHERE p.dim NOT LIKE 'consult:%' GROUP BY 1, 2, 3 HAVING SUM(p.n) <> 0
           UNION ALL
           SELECT p.region, p.month, p.dim, SUM(p.n) FROM stats_part p WHERE p.dim LIKE 'consult:%'
           GROUP BY 1, 2, 3 HAVING SUM(p.n) <> 0""",
        # Participants: per ancestor, year and person, the count in each month.
        f"""CREATE TEMP TABLE stats_pp AS
            SELECT a.anc_id AS region_id, p.month / 12 AS year, p.person AS person_id, ARRAY[{months}]::bigint[] AS c
            FROM stats_ppl p JOIN stats_anc a ON a.region_id = p.region GROUP BY 1, 2, 3""",
        """INSERT INTO stats_participant (region_id, year, person_id, counts, mask)
           SELECT region_id, year, person_id, to_jsonb(c),
                  (SELECT COALESCE(SUM(1 << (k - 1)), 0) FROM generate_series(1, 12) k WHERE c[k] > 0)
           FROM stats_pp WHERE EXISTS (SELECT 1 FROM unnest(c) x WHERE x > 0)""",
        """INSERT INTO stats_counter (region_id, month, dim, n)
           SELECT region_id, year * 12 + k - 1, 'people.m', count(*) FROM stats_pp, generate_series(1, 12) k
           WHERE c[k] > 0 GROUP BY 1, 2
           UNION ALL
           SELECT region_id, year * 12 + 3 * q, 'people.q', count(*) FROM stats_pp, generate_series(0, 3) q
           WHERE c[3 * q + 1] + c[3 * q + 2] + c[3 * q + 3] > 0 GROUP BY 1, 2
           UNION ALL
           SELECT region_id, year * 12, 'people.y', count(*) FROM stats_pp
           WHERE EXISTS (SELECT 1 FROM unnest(c) x WHERE x > 0) GROUP BY 1, 2""",
        "DROP TABLE stats_anc, stats_comm, stats_part, stats_ppl, stats_pp",
    ]


def rebuild(verbose=None) -> None:
    """Fill the (emptied) roll-up tables. Runs in the caller's transaction."""
    import time

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for sql in statements():
            started = time.monotonic()
            cursor.execute(sql)
            if verbose:
                verbose(f"  {time.monotonic() - started:6.1f} s  {' '.join(sql.split())[:90]}")
