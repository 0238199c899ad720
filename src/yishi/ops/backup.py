"""Backups: one tar.gz holding a database dump, the uploaded files and a manifest; restore with checks.

The archive's layout:

    manifest.json            what the archive holds and how to check it (first member)
    database.sqlite3         SQLite: a page-by-page copy taken with SQLite's online backup API
    database.pgdump          PostgreSQL: ``pg_dump --format=custom`` of one snapshot
    media/<path>             every file under MEDIA_ROOT

The manifest records when it was taken, the database vendor, the applied migrations, the row count of every
table and the audit chain's head (length and hash), all read from the same consistent state the dump holds,
and the size and SHA-256 of every other member. Restore checks every member against it before touching
anything, and after restoring compares the counts and the chain head and walks the whole chain again.

Messages are for the operator at a terminal, in English, like the other management commands.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from yishi.audit.models import AuditEntry, AuditHead
from yishi.audit.services import verify
from yishi.people.models import Person
from yishi.regions.models import Region

FORMAT = "yishi-backup/1"
MANIFEST = "manifest.json"
SQLITE_DUMP = "database.sqlite3"
PG_DUMP = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Inventory:
    """What a database holds, read from one consistent state."""

    migrations: list[str]
    row_counts: dict[str, int]
    audit_length: int
    audit_head: str


@dataclass
class Report:
    path: Path
    manifest: dict
    notes: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.manifest["row_counts"].values())


# ---- helpers ------------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_names() -> tuple[str, str]:
    return AuditEntry._meta.db_table, AuditHead._meta.db_table


def _inventory(cursor, tables: list[str]) -> Inventory:
    """Counts, migrations and the chain head through any DB-API cursor (sqlite3 or psycopg)."""
    _, head_table = _table_names()
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    length, head = 0, ""
    if head_table in tables:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_quote(head_table)} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
        if row is not None:
            length, head = row
    return Inventory(migrations, counts, length, head)


def _database(using: str) -> dict:
    return settings.DATABASES[using]


def _vendor(using: str) -> str:
    return connections[using].vendor


# ---- PostgreSQL ---------------------------------------------------------------------------------------------


def _pg_env(db: dict) -> dict:
    """libpq's variables for pg_dump, pg_restore and psql: no password on a command line."""
    env = {**os.environ}
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = db.get(key)
        if value:
            env[var] = str(value)
        else:
            env.pop(var, None)
    return env


def _pg_connect(db: dict):
    import psycopg

    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v})


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on this machine. PostgreSQL backups need the PostgreSQL client programs "
            f"(pg_dump, pg_restore, psql) of the server's major version or newer: on Debian, "
            f"`apt-get install postgresql-client`."
        )
    return path


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        raise BackupError(f"Cannot read the version of {path} from {out!r}.")
    return int(match.group(1))


def _check_client_version(path: str, server_version_num: int) -> None:
    server_major = server_version_num // 10000
    client_major = _tool_major(path)
    if client_major < server_major:
        raise BackupError(
            f"{Path(path).name} is version {client_major} but the server is PostgreSQL {server_major}: "
            f"an older client cannot dump or restore a newer server. Install postgresql-client-{server_major}."
        )


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def _dump_postgresql(db: dict, target: Path) -> tuple[Inventory, dict]:
    """pg_dump of one exported snapshot; the inventory is read in that same snapshot."""
    pg_dump = _pg_tool("pg_dump")
    with _pg_connect(db) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            server = int(cursor.fetchone()[0])
            _check_client_version(pg_dump, server)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            result = subprocess.run(  # noqa: S603 - our own arguments
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env=_pg_env(db),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            inventory = _inventory(cursor, _pg_tables(cursor))
        conn.rollback()
    return inventory, {"server_version_num": server, "pg_dump_major": _tool_major(pg_dump)}


def _is_empty_postgresql(db: dict) -> bool:
    with _pg_connect(db) as conn, conn.cursor() as cursor:
        return _holds_nothing(cursor, set(_pg_tables(cursor)))


def _restore_postgresql(db: dict, dump: Path) -> None:
    """Drop what the target holds and load the dump, all in one transaction: a failure leaves it as it was."""
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    with _pg_connect(db) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0])
        tables = _pg_tables(cursor)
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        sequences = [row[0] for row in cursor.fetchall()]
    _check_client_version(pg_restore, server)
    drops = "".join(f"DROP TABLE IF EXISTS {_quote(t)} CASCADE;\n" for t in tables)
    drops += "".join(f"DROP SEQUENCE IF EXISTS {_quote(s)} CASCADE;\n" for s in sequences)
    env = _pg_env(db)
    script = subprocess.Popen(  # noqa: S603
        [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    loader = subprocess.Popen(  # noqa: S603
        [psql, "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1", "--file=-"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert script.stdout is not None and loader.stdin is not None  # noqa: S101 - PIPE was asked for
    try:
        loader.stdin.write(drops.encode())
        while chunk := script.stdout.read(CHUNK):
            loader.stdin.write(chunk)
    except BrokenPipeError:
        pass  # psql stopped on an error: its message below says which
    finally:
        loader.stdin.close()
    script_err = script.stderr.read().decode() if script.stderr else ""
    script.wait()
    loader_err = loader.stderr.read().decode() if loader.stderr else ""
    loader.wait()
    if script.returncode != 0:
        raise BackupError(f"pg_restore could not read the dump (nothing was changed): {script_err.strip()}")
    if loader.returncode != 0:
        raise BackupError(
            f"loading the dump failed and was rolled back (nothing was changed): {loader_err.strip()}"
        )


# ---- SQLite -------------------------------------------------------------------------------------------------


def _raw_sqlite(using: str) -> sqlite3.Connection:
    """Django's own connection: an in-memory database (the tests') exists only inside it."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("backup and restore cannot run inside a transaction")
    return connection.connection


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in rows]


def _dump_sqlite(using: str, target: Path) -> Inventory:
    """The online backup API copies a live database page by page into a consistent snapshot."""
    source = _raw_sqlite(using)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # The copy may carry the source's WAL mode; a single self-contained file is what goes in the archive.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _inventory(copy.cursor(), _sqlite_tables(copy))
    finally:
        copy.close()


def _is_empty_sqlite(using: str) -> bool:
    conn = _raw_sqlite(using)
    return _holds_nothing(conn.cursor(), set(_sqlite_tables(conn)))


def _restore_sqlite(using: str, dump: Path) -> None:
    target = _raw_sqlite(using)
    source = sqlite3.connect(dump)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"copying the database into place failed: {exc}") from exc
    finally:
        source.close()


# ---- what "empty" means -------------------------------------------------------------------------------------


def _holds_nothing(cursor, tables: set[str]) -> bool:
    """No people, regions or audit entries. ``migrate`` alone fills a few tables (content types, permissions,
    the default categories), so row counts in general cannot tell a fresh database from a used one; every
    real use creates people and regions, and every change an audit entry."""
    entry_table, _ = _table_names()
    for table in (Person._meta.db_table, Region._meta.db_table, entry_table):
        if table in tables:
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                return False
    return True


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


# ---- backup -------------------------------------------------------------------------------------------------


def backup(path: str | os.PathLike) -> Report:
    """Write the archive to ``path`` (replaced atomically: a failed backup never leaves half a file)."""
    using = "default"
    path = Path(path)
    vendor = _vendor(using)
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yishi-backup-") as work:
        work_dir = Path(work)
        extra: dict = {}
        if vendor == "sqlite":
            dump_name = SQLITE_DUMP
            inventory = _dump_sqlite(using, work_dir / dump_name)
            extra["sqlite_version"] = sqlite3.sqlite_version
        else:
            dump_name = PG_DUMP
            inventory, extra = _dump_postgresql(_database(using), work_dir / dump_name)
        dump = work_dir / dump_name
        members = [{"name": dump_name, "size": dump.stat().st_size, "sha256": _sha256_file(dump)}]
        media_root = Path(settings.MEDIA_ROOT)
        media = _media_files()
        for file in media:
            relative = file.relative_to(media_root).as_posix()
            members.append(
                {"name": MEDIA_PREFIX + relative, "size": file.stat().st_size, "sha256": _sha256_file(file)}
            )
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "vendor": vendor,
            **extra,
            "migrations": inventory.migrations,
            "row_counts": inventory.row_counts,
            "audit": {"length": inventory.audit_length, "head": inventory.audit_head},
            "media_files": len(media),
            "members": members,
        }
        manifest_path = work_dir / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            archive.add(dump, arcname=dump_name)
            for file in media:
                archive.add(file, arcname=MEDIA_PREFIX + file.relative_to(media_root).as_posix())
        partial.replace(path)
    return Report(path, manifest)


# ---- restore ------------------------------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def _unpack(path: Path, into: Path) -> dict:
    """Extract and check every member against the manifest; refuse the archive on any difference."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest = None
            seen: dict[str, str] = {}
            for member in archive:
                if not member.isfile() or not _safe_member_name(member.name):
                    raise BackupError(f"the archive is not a Yishi backup: unexpected member {member.name!r}")
                source = archive.extractfile(member)
                assert source is not None  # noqa: S101 - a regular file
                if member.name == MANIFEST:
                    try:
                        manifest = json.loads(source.read().decode())
                    except ValueError as exc:
                        raise BackupError(
                            "the archive's manifest is not valid JSON: the archive is damaged"
                        ) from exc
                    continue
                destination = into / member.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(destination, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[member.name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"the archive is damaged or not a tar.gz backup ({exc}); nothing was restored"
        ) from exc
    if manifest is None:
        raise BackupError("the archive has no manifest.json: it is not a Yishi backup; nothing was restored")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (this version reads {FORMAT})")
    expected = {m["name"]: m["sha256"] for m in manifest.get("members", [])}
    missing = sorted(set(expected) - set(seen))
    if missing:
        raise BackupError(
            f"the archive is incomplete: {missing[0]} is listed in the manifest but missing "
            f"({len(missing)} missing); nothing was restored"
        )
    unlisted = sorted(set(seen) - set(expected))
    if unlisted:
        raise BackupError(
            f"the archive holds {unlisted[0]}, which the manifest does not list; nothing was restored"
        )
    for name, digest in sorted(seen.items()):
        if expected[name] != digest:
            raise BackupError(
                f"checksum mismatch for {name}: the archive is corrupt or was altered; nothing was restored"
            )
    return manifest


def _unknown_migrations(manifest: dict) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    # Django's own apps and third-party apps are on disk too; a name the code lacks means a newer backup.
    return [m for m in manifest["migrations"] if m not in known]


def _live_inventory(using: str) -> Inventory:
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        return _inventory(raw.cursor(), _sqlite_tables(raw))
    with _pg_connect(_database(using)) as conn, conn.cursor() as cursor:
        return _inventory(cursor, _pg_tables(cursor))


def restore(path: str | os.PathLike, *, force: bool = False) -> Report:
    """Restore the archive at ``path`` into the database and MEDIA_ROOT, then verify what was restored."""
    using = "default"
    path = Path(path)
    vendor = _vendor(using)
    with tempfile.TemporaryDirectory(prefix="yishi-restore-") as work:
        work_dir = Path(work)
        manifest = _unpack(path, work_dir)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"this is a {manifest['vendor']} backup and the database is {vendor}: restore it "
                f"into a {manifest['vendor']} database; nothing was restored"
            )
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                f"the backup was taken by a newer version of Yishi (it has migration {unknown[0]}, "
                f"which this code does not know): upgrade the code first; nothing was restored"
            )
        empty = _is_empty_sqlite(using) if vendor == "sqlite" else _is_empty_postgresql(_database(using))
        media_root = Path(settings.MEDIA_ROOT)
        present_media = _media_files()
        if not force and (not empty or present_media):
            what = "the database holds data" if not empty else f"MEDIA_ROOT holds {len(present_media)} files"
            raise BackupError(
                f"refusing to overwrite: {what}. Restore into an empty database, or pass --force to "
                f"replace it with the backup; nothing was restored"
            )
        dump = work_dir / (SQLITE_DUMP if vendor == "sqlite" else PG_DUMP)
        if vendor == "sqlite":
            _restore_sqlite(using, dump)
        else:
            connections[using].close()
            _restore_postgresql(_database(using), dump)
        # Media after the database: a file without its row is harmless, a row without its file is not.
        media_members = [m for m in manifest["members"] if m["name"].startswith(MEDIA_PREFIX)]
        for member in media_members:
            destination = media_root / member["name"][len(MEDIA_PREFIX) :]
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work_dir / member["name"], destination)

    problems = []
    live = _live_inventory(using)
    for table, count in manifest["row_counts"].items():
        if live.row_counts.get(table) != count:
            problems.append(f"table {table}: {live.row_counts.get(table)} rows, the backup has {count}")
    if live.migrations != manifest["migrations"]:
        problems.append("the applied migrations differ from the backup's")
    for member in media_members:
        file = media_root / member["name"][len(MEDIA_PREFIX) :]
        if not file.is_file() or _sha256_file(file) != member["sha256"]:
            problems.append(f"{member['name']} is not as backed up")
    audit = manifest["audit"]
    if (live.audit_length, live.audit_head) != (audit["length"], audit["head"]):
        problems.append(
            f"the audit chain head is #{live.audit_length} {live.audit_head[:12]}, "
            f"the backup's is #{audit['length']} {audit['head'][:12]}"
        )
    broken = verify()
    if broken is not None:
        problems.append(f"the audit record does not hold: {broken}")
    if problems:
        raise BackupError("the restore did not verify: " + "; ".join(problems))
    report = Report(path, manifest)
    if _unapplied(using):
        report.notes.append(
            "this code has migrations the backup predates: run `yishi migrate` before starting"
        )
    return report


def _unapplied(using: str) -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
