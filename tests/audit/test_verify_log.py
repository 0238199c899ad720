"""scripts/verify-log, run as anyone would run it: a separate process, over HTTP, against a live server.

It shares no code with Yishi: its hashing is checked here against the RFC's vectors, then against the record.
"""

import importlib.machinery
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from tests.audit.test_merkle import LEAVES, ROOTS
from yishi.audit import merkle, signing, tree
from yishi.audit.actions import Action
from yishi.audit.models import Checkpoint, TreeNode
from yishi.audit.services import record
from yishi.regions.models import Level
from yishi.regions.services import create_region

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify-log"


def load_script():
    loader = importlib.machinery.SourceFileLoader("verify_log", str(SCRIPT))
    spec = importlib.util.spec_from_loader("verify_log", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_its_own_hashing_agrees_with_the_rfc_vectors():
    v = load_script()
    for size in range(len(LEAVES) + 1):
        assert v.root_of(LEAVES[:size]).hex() == ROOTS[size]
    many = [merkle.leaf_hash(bytes([i])) for i in range(21)]
    subtree = merkle.leaves_subtree(many)
    for n in range(1, 22):
        root = merkle.root(subtree, n)
        assert v.root_of(many[:n]) == root
        for i in range(n):
            assert v.verify_inclusion(many[i], i, n, merkle.inclusion_proof(subtree, i, n), root)
        for m in range(1, n):
            proof = merkle.consistency_proof(subtree, m, n)
            assert v.verify_consistency(m, n, merkle.root(subtree, m), root, proof)
            assert not v.verify_consistency(m, n, merkle.root(subtree, m), many[0], proof)


def append(target, count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            record(actor=None, action=Action.REGIONS_SET_RULE, target=target, data={"n": n, "名称": "积水"})


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT), url, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_verifier_checks_the_record_from_outside_and_catches_a_rewrite(live_server, tmp_path):
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    append(city, 6)
    tree.extend(checkpoint_now=True)
    key = signing.log_signer().verifier_key()
    state = str(tmp_path / "seen.json")

    first = run(live_server.url, "--key", key, "--state", state, "--entry", "1", "--entry", "7", "--all")
    assert first.returncode == 0, first.stderr
    assert "checkpoint signed by yishi.localhost/record: 7 entries" in first.stdout
    assert "entry #7 (regions.set_rule) is in the record" in first.stdout
    assert "all 7 entries recomputed: the root matches" in first.stdout

    append(city, 5)
    tree.extend(checkpoint_now=True)
    grown = run(live_server.url, "--key", key, "--state", state, "--entry", "12")
    assert grown.returncode == 0, grown.stderr
    assert "consistent with the checkpoint saved before (7 entries)" in grown.stdout
    assert json.loads(Path(state).read_text())["size"] == 12

    # Someone who holds the server, its database and its key rewrites entry 3 and signs the rebuilt record.
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditentry SET data = {cast} WHERE seq = 3", [json.dumps({"n": 99})])  # noqa: S608
    TreeNode.objects.all().delete()
    Checkpoint.objects.all().delete()
    append(city, 1)  # the next write rebuilds the tree over the edit, and the key signs it
    tree.extend(checkpoint_now=True)
    assert Checkpoint.objects.get().size == 13
    rewritten = run(live_server.url, "--key", key, "--state", state)
    assert rewritten.returncode == 1
    assert "does not extend the one seen at 12: it was rewritten" in rewritten.stderr
    # Without the key it was given by hand, it says whose key it trusted.
    fresh = run(live_server.url, "--entry", "3")
    assert "WARNING: the record's key was taken from the server itself" in fresh.stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_checkpoint_signed_by_another_key_is_refused(live_server):
    city = create_region(actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000")
    append(city, 2)
    tree.extend(checkpoint_now=True)
    from yishi.audit import notes

    stranger = notes.generate("yishi.localhost/record").verifier_key()
    result = run(live_server.url, "--key", stranger)
    assert result.returncode == 1
    assert "FAILED: the checkpoint is not signed by the record's key" in result.stderr
