"""Restore drills: build a community's data through the services, back it up, destroy it, restore, check.

Backups read committed data (pg_dump runs in its own connection; SQLite's backup API refuses an open
transaction), so these tests commit: ``transaction=True``.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from tests import builders
from yishi.audit.models import AuditEntry
from yishi.audit.services import verify
from yishi.matters.models import Matter, Photo
from yishi.matters.services import raise_matter, support
from yishi.ops import backup as ops
from yishi.people.models import Person
from yishi.votes import casting, drafting
from yishi.votes.models import Ballot, Participation

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def photo(name: str, colour) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def member_names(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


def community_data():
    """Two matters with photos and a supporter, an open vote with three ballots: every write audited."""
    t = builders.tree()
    secretary = builders.person("张金利")
    builders.role(secretary, "committee", t.community)
    reps = [builders.person(f"代表{i}") for i in range(4)]
    for rep in reps:
        builders.role(rep, "representative", t.community)
    resident, neighbour = builders.person("刘桂兰"), builders.person("王建国")
    category = builders.category("environment")
    first = raise_matter(
        actor=resident,
        region=t.compound,
        title="楼道堆物堵塞消防通道",
        description="3号楼一单元楼道",
        category=category,
        photos=[photo("a.png", "red"), photo("b.png", "blue")],
    )
    raise_matter(
        actor=neighbour,
        region=t.compound,
        title="路灯不亮",
        description="西门路灯坏了两周",
        category=category,
        photos=[photo("c.png", "green")],
    )
    support(actor=neighbour, matter=first)
    vote = drafting.create_vote(actor=secretary, region=t.community, question="是否同意维修道路？")
    vote = drafting.open_vote(actor=secretary, vote=vote)
    receipts = [
        casting.cast_ballot(actor=rep, vote=vote, option=option)
        for rep, option in zip(reps, ("yes", "yes", "no"), strict=False)
    ]
    return receipts


def snapshot() -> dict:
    """What the drill must get back: key counts, the receipts, the chain head, every media file's bytes."""
    media = Path(settings.MEDIA_ROOT)
    return {
        "people": Person.objects.count(),
        "matters": Matter.objects.count(),
        "photos": Photo.objects.count(),
        "participations": Participation.objects.count(),
        "receipts": sorted(Ballot.objects.filter(option__isnull=False).values_list("receipt", "option__key")),
        "audit": list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")),
        "media": {
            p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in media.rglob("*")
            if p.is_file()
        },
    }


def destroy_everything() -> None:
    """Drop every table and delete every uploaded file: the disaster the backup is for."""
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            cursor.execute(
                f"DROP TABLE {connection.ops.quote_name(table)}"
                + (" CASCADE" if connection.vendor == "postgresql" else "")
            )
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()


def test_restore_drill_destroys_everything_and_gets_it_back(tmp_path, capsys):
    receipts = community_data()
    before = snapshot()
    assert before["photos"] == 3 and len(before["media"]) == 3 and len(before["receipts"]) == 3
    assert sorted(r for r, _ in before["receipts"]) == sorted(receipts)
    archive = tmp_path / "backups" / "yishi.tar.gz"

    call_command("backup", str(archive))
    manifest = read_manifest(archive)
    assert manifest["vendor"] == connection.vendor
    assert manifest["row_counts"]["matters_matter"] == 2
    assert manifest["audit"] == {"length": len(before["audit"]), "head": before["audit"][-1][1]}
    assert "votes.0001_initial" in manifest["migrations"]
    assert manifest["media_files"] == 3

    destroy_everything()
    call_command("restore", str(archive))

    out = capsys.readouterr().out
    assert "match the manifest" in out and "3 media files match" in out
    assert f"audit chain intact: {len(before['audit'])} entries" in out
    assert snapshot() == before
    assert verify() is None


def rewrite(archive: Path, into: Path, *, manifest=None, replace: dict | None = None, drop: str = "") -> Path:
    """A copy of ``archive`` with its manifest edited, a member's bytes replaced or a member left out."""
    with tarfile.open(archive) as source, tarfile.open(into, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            if replace and member.name in replace:
                data = replace[member.name]
            if member.name == drop:
                continue
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return into


@pytest.fixture
def backed_up(tmp_path):
    """A backup of the community's data, then the database emptied."""
    community_data()
    archive = tmp_path / "yishi.tar.gz"
    call_command("backup", str(archive))
    before = snapshot()
    # An empty, migrated database (the usual restore target) and no uploads.
    call_command("flush", interactive=False, verbosity=0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    return archive, before


def refused(archive, *args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(archive), *args)
    return str(error.value)


def nothing_restored():
    assert Person.objects.count() == 0 and AuditEntry.objects.count() == 0
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


def test_a_damaged_archive_is_refused_and_nothing_is_restored(backed_up, tmp_path):
    archive, _ = backed_up
    data = archive.read_bytes()
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(data[: len(data) // 2] + bytes(64))
    assert "the archive is damaged or not a tar.gz backup" in refused(damaged)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not a backup at all")
    assert "damaged or not a tar.gz backup" in refused(garbage)
    assert "no such file" in refused(tmp_path / "missing.tar.gz")
    nothing_restored()


def test_a_member_whose_checksum_does_not_match_is_refused(backed_up, tmp_path):
    archive, _ = backed_up
    photo_member = next(n for n in member_names(archive) if n.startswith("media/"))
    altered = rewrite(archive, tmp_path / "altered.tar.gz", replace={photo_member: b"another picture"})
    message = refused(altered)
    assert f"checksum mismatch for {photo_member}" in message and "nothing was restored" in message
    nothing_restored()


def test_an_archive_missing_a_member_or_holding_an_unlisted_one_is_refused(backed_up, tmp_path):
    archive, _ = backed_up
    dump = next(n for n in member_names(archive) if n.startswith("database."))
    assert f"{dump} is listed in the manifest but missing" in refused(
        rewrite(archive, tmp_path / "short.tar.gz", drop=dump)
    )
    unlisted = rewrite(
        archive,
        tmp_path / "extra.tar.gz",
        manifest=lambda m: {**m, "members": [x for x in m["members"] if x["name"] != dump]},
    )
    assert f"holds {dump}, which the manifest does not list" in refused(unlisted)
    nothing_restored()


def test_a_backup_of_another_database_kind_or_a_newer_version_is_refused(backed_up, tmp_path):
    archive, _ = backed_up
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    assert f"this is a {other} backup" in refused(
        rewrite(archive, tmp_path / "other.tar.gz", manifest=lambda m: {**m, "vendor": other})
    )
    newer = rewrite(
        archive,
        tmp_path / "newer.tar.gz",
        manifest=lambda m: {**m, "migrations": [*m["migrations"], "votes.9999_future"]},
    )
    assert "newer version of Yishi (it has migration votes.9999_future" in refused(newer)
    nothing_restored()


def test_a_database_holding_data_is_not_overwritten_without_force(backed_up, capsys):
    archive, before = backed_up
    builders.person("备份后登记的居民")
    message = refused(archive)
    assert "refusing to overwrite: the database holds data" in message and "--force" in message
    assert list(Person.objects.values_list("name", flat=True)) == ["备份后登记的居民"]

    call_command("restore", str(archive), "--force")
    assert "audit chain intact" in capsys.readouterr().out
    assert snapshot() == before
    assert not Person.objects.filter(name="备份后登记的居民").exists()


def test_media_files_left_in_place_are_not_overwritten_without_force(backed_up):
    archive, _ = backed_up
    stray = Path(settings.MEDIA_ROOT) / "matters" / "1" / "left.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"x")
    assert "MEDIA_ROOT holds 1 files" in refused(archive)


# ---- PostgreSQL: into a scratch database, by the command as an operator runs it -------------------------------


@pytest.fixture
def scratch_database(on_postgres):
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    base = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "password": db.get("PASSWORD") or None,
    }
    base = {k: v for k, v in base.items() if v}
    with psycopg.connect(**base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**base, "dbname": name}
    with psycopg.connect(**base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(params: dict) -> str:
    auth = params.get("user", "") + (f":{params['password']}" if params.get("password") else "")
    return (
        f"postgresql://{auth}@{params.get('host', 'localhost')}:{params.get('port', 5432)}/{params['dbname']}"
    )


def test_postgresql_restore_into_a_scratch_database_by_the_command(scratch_database, tmp_path):
    import psycopg

    community_data()
    before = snapshot()
    archive = tmp_path / "yishi.tar.gz"
    call_command("backup", str(archive))
    media = tmp_path / "restored-media"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(scratch_database),
        "MEDIA_ROOT": str(media),
        "YISHI_VAR_DIR": str(tmp_path / "var"),
        # The record's signing key is no part of a backup: the restoring server is configured with it.
        "AUDIT_SIGNING_KEY_FILE": settings.AUDIT_SIGNING_KEY_FILE,
        "DJANGO_SETTINGS_MODULE": "yishi.settings",
    }

    result = subprocess.run(  # noqa: S603 - the project's own command
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"audit chain intact: {len(before['audit'])} entries" in result.stdout

    manifest = read_manifest(archive)
    with psycopg.connect(**scratch_database) as conn:
        for table, count in manifest["row_counts"].items():
            assert conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == count, table  # noqa: S608
        restored_receipts = sorted(
            conn.execute(
                "SELECT b.receipt, o.key FROM votes_ballot b JOIN votes_option o ON o.id = b.option_id"
            ).fetchall()
        )
        head = conn.execute("SELECT last_seq, last_hash FROM audit_audithead").fetchone()
    assert restored_receipts == before["receipts"]
    assert head == before["audit"][-1]
    assert {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in media.rglob("*")
        if p.is_file()
    } == before["media"]

    again = subprocess.run(  # noqa: S603 - a second restore finds the scratch database full
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env={**env, "MEDIA_ROOT": str(tmp_path / "empty-media")},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert again.returncode == 1 and "refusing to overwrite: the database holds data" in again.stderr


def test_without_pg_dump_the_backup_says_what_to_install(on_postgres, tmp_path, monkeypatch):
    monkeypatch.setattr(ops.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match=r"pg_dump was not found on this machine.*postgresql-client"):
        call_command("backup", str(tmp_path / "x.tar.gz"))
    assert not (tmp_path / "x.tar.gz").exists()


def test_a_pg_dump_older_than_the_server_is_refused(on_postgres, tmp_path, monkeypatch):
    monkeypatch.setattr(ops, "_tool_major", lambda path: 9)
    with pytest.raises(CommandError, match="pg_dump is version 9 but the server is PostgreSQL"):
        call_command("backup", str(tmp_path / "x.tar.gz"))
