"""Witnesses: a separate process cosigns only checkpoints consistent with what it cosigned before, and the record
publishes their cosignatures. The record's keeper, even holding the record's key, cannot rewrite it unseen."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from yishi.audit import notes, signing, tree
from yishi.audit.actions import Action
from yishi.audit.models import AuditEntry, Checkpoint, Cosignature, TreeNode
from yishi.audit.services import record
from yishi.audit.signing import write_key_file
from yishi.regions.models import Level
from yishi.regions.services import create_region

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/audit"


def append(target, count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            record(actor=None, action=Action.REGIONS_SET_RULE, target=target, data={"n": n})


@pytest.fixture
def witness_key(tmp_path, settings):
    signer = notes.generate("bureau.example/witness", notes.COSIGNATURE_V1)
    write_key_file(tmp_path / "witness.key", signer)
    settings.AUDIT_WITNESSES = [signer.verifier_key()]
    return signer


def run_witness(url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own command
        [sys.executable, "-m", "yishi", "witness", "--once", "--log", url,
         "--log-key", signing.log_signer().verifier_key(), "--key", str(tmp_path / "witness.key"),
         "--store", str(tmp_path / "witness.json")],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip


def rewrite_entry_2_and_resign() -> None:
    """What the record's keeper could do with the database and the key: edit, rebuild, sign again."""
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditentry SET data = {cast} WHERE seq = 2", ['{"n": 99}'])  # noqa: S608
    Cosignature.objects.all().delete()
    Checkpoint.objects.all().delete()
    TreeNode.objects.all().delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_witness_process_cosigns_growth_and_raises_the_alarm_on_a_rewrite(
    live_server, tmp_path, witness_key
):
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    append(city, 4)
    tree.extend(checkpoint_now=True)

    first = run_witness(live_server.url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "cosigned 5 entries" in first.stdout
    published = notes.parse(tree.published(tree.latest_checkpoint()))
    assert published.signed_by(notes.parse_verifier_key(witness_key.verifier_key())) > time.time() - 300
    assert published.signed_by(signing.log_verifier()) == 0

    again = run_witness(live_server.url, tmp_path)
    assert "nothing new: 5 entries" in again.stdout

    append(city, 3)
    tree.extend(checkpoint_now=True)
    grown = run_witness(live_server.url, tmp_path)
    assert "cosigned 8 entries" in grown.stdout, grown.stderr
    # Anyone can now ask the checkpoint for the witness's word, with the standalone verifier.
    checked = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "verify-log"), live_server.url,
         "--key", signing.log_signer().verifier_key(), "--witness", witness_key.verifier_key()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "cosigned by bureau.example/witness" in checked.stdout

    rewrite_entry_2_and_resign()
    append(city, 1)  # the keeper's next write rebuilds the tree over the edit
    tree.extend(checkpoint_now=True)
    assert verify_is_fooled()
    alarm = run_witness(live_server.url, tmp_path)
    assert alarm.returncode == 2
    assert "ALARM: the record at 9 does not extend the one cosigned at 8" in alarm.stderr
    assert not Cosignature.objects.exists()  # never cosigned
    evidence = list((tmp_path / "evidence").iterdir())
    assert len(evidence) == 1 and "not consistent" in evidence[0].read_text()


def verify_is_fooled() -> bool:
    """The record alone now holds together: only the witness remembers otherwise."""
    from tests.audit.test_record_tree import rehash_the_chain
    from yishi.audit.services import verify

    rehash_the_chain()
    return verify() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_record_cut_back_and_signed_again_is_refused_as_shrunk(live_server, tmp_path, witness_key):
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    append(city, 5)
    tree.extend(checkpoint_now=True)
    assert run_witness(live_server.url, tmp_path).returncode == 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq > 3")
    Cosignature.objects.all().delete()
    Checkpoint.objects.all().delete()
    TreeNode.objects.filter(level=0, index__gte=3).delete()
    tree.sign_checkpoint(3, AuditEntry.objects.get(seq=3).at)
    alarm = run_witness(live_server.url, tmp_path)
    assert alarm.returncode == 2
    assert "the record shrank from 6 to 3 entries" in alarm.stderr


# ------------------------------------------------------------------------- handing in a cosignature, refused
@pytest.fixture
def checkpointed(db, witness_key):
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    append(city, 2)
    return tree.extend(checkpoint_now=True).checkpoint


def line(signer, checkpoint, stamp=None) -> str:
    text = notes.parse(checkpoint.note).text
    return signer.signature_line(text, timestamp=int(time.time()) if stamp is None else stamp).rstrip("\n")


def test_a_known_witness_cosignature_is_kept_once_and_published(client, checkpointed, witness_key):
    body = {"size": 3, "signature": line(witness_key, checkpointed)}
    first = client.post(f"{API}/cosignatures", body, content_type="application/json")
    assert first.status_code == 201, first.json()
    assert first.json()["witness"] == "bureau.example/witness"
    client.post(f"{API}/cosignatures", body, content_type="application/json")
    assert Cosignature.objects.count() == 1
    assert client.get(f"{API}/checkpoint").content.decode().endswith(body["signature"] + "\n")


@pytest.mark.parametrize(
    "case, code",
    [
        ("a stranger", "unknown_witness"),
        ("the log's own kind of key", "unknown_witness"),
        ("another checkpoint", "bad_cosignature"),
        ("from the future", "bad_cosignature"),
        ("two lines", "bad_cosignature"),
        ("not a line", "bad_cosignature"),
        ("no such size", "no_checkpoint"),
    ],
)
def test_a_cosignature_the_record_cannot_keep_is_refused_with_the_reason(
    client, checkpointed, witness_key, case, code
):
    size, signature = 3, line(witness_key, checkpointed)
    if case == "a stranger":
        signature = line(notes.generate("bureau.example/witness", notes.COSIGNATURE_V1), checkpointed)
    elif case == "the log's own kind of key":
        signature = notes.generate("bureau.example/witness").signature_line("x\n").rstrip("\n")
    elif case == "another checkpoint":
        stamp = int(time.time())
        signature = witness_key.signature_line("yishi.localhost/record\n3\nAAAA\n", timestamp=stamp).rstrip(
            "\n"
        )
    elif case == "from the future":
        signature = line(witness_key, checkpointed, stamp=int(time.time()) + 86_400)
    elif case == "two lines":
        signature = signature + "\n" + signature
    elif case == "not a line":
        signature = "hello"
    elif case == "no such size":
        size = 99
    response = client.post(
        f"{API}/cosignatures", {"size": size, "signature": signature}, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (409, code)
    assert not Cosignature.objects.exists()
