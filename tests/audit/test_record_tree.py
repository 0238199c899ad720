"""The record's tree over the entries, its signed checkpoints and proofs, and the attacker who can write SQL.

The attacker here holds the database, not the signing key: whatever they rewrite, rehash and re-chain, the
checkpoints signed before no longer match, and ``verify`` says where.
"""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from yishi.audit import merkle, notes, signing, tree
from yishi.audit.actions import Action
from yishi.audit.chain import canonical_json, entry_bytes, entry_hash
from yishi.audit.models import GENESIS_HASH, AuditEntry, AuditHead, Checkpoint, TreeNode
from yishi.audit.services import record, verify, verify_chain
from yishi.regions.models import Level
from yishi.regions.services import create_region

STEP = Action.REGIONS_SET_RULE


@pytest.fixture
def region(db):
    return create_region(
        actor=None, parent=None, level=Level.CITY, name="沧州市", code="130900000000"
    )  # entry #1


def append(target, count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            record(actor=None, action=STEP, target=target, data={"n": n, "名称": "积水"})


def leaves_from_the_public_entries() -> list[bytes]:
    """What an outsider computes from the entries the API publishes, with the hashing of docs/record.md."""
    return [
        merkle.leaf_hash(
            entry_bytes(
                at=e.at,
                actor_ref=e.actor_ref,
                action=e.action,
                target_type=e.target_type,
                target_id=e.target_id,
                data=e.data,
                personal_digest=e.personal_digest,
            )
        )
        for e in AuditEntry.objects.order_by("seq")
    ]


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_tree_holds_every_entry_in_order_and_its_root_is_what_anyone_recomputes(region):
    append(region, 10)
    done = tree.extend(checkpoint_now=True)
    assert (done.appended, done.size) == (11, 11)
    leaves = leaves_from_the_public_entries()
    assert tree.root(11) == merkle.root(merkle.leaves_subtree(leaves), 11)
    assert done.checkpoint is not None and done.checkpoint.size == 11
    assert tree.extend() == tree.Extended(0, 11, None)  # nothing new: nothing appended, nothing signed
    assert verify() is None


def test_the_leaf_is_canonical_json_of_the_public_fields():
    at = datetime.datetime(2026, 12, 7, 16, 0, tzinfo=datetime.UTC)
    body = entry_bytes(
        at=at, actor_ref="ab", action="matters.raise", target_type="matters.matter", target_id="7",
        data={"b": 1, "a": "积水"}, personal_digest="",
    )  # fmt: skip
    assert json.loads(body) == {
        "format": "yishi-record-entry/1",
        "at": "2026-12-07T16:00:00.000000+00:00",
        "actor": "ab",
        "action": "matters.raise",
        "target": ["matters.matter", "7"],
        "data": {"a": "积水", "b": 1},
        "personal": "",
    }
    assert body == canonical_json(json.loads(body)).encode()
    assert "积水".encode() in body  # UTF-8, not \\u escapes


def test_every_entry_has_an_inclusion_proof_against_the_signed_checkpoint(region):
    append(region, 5)
    first = tree.extend(checkpoint_now=True).checkpoint
    append(region, 7)
    second = tree.extend(checkpoint_now=True).checkpoint
    verifier = signing.log_verifier()
    for cp in (first, second):
        note = notes.parse(cp.note)
        assert note.signed_by(verifier) == 0
        body = notes.parse_checkpoint(note.text)
        assert (body.origin, body.size, body.root.hex()) == (verifier.name, cp.size, cp.root)
    leaves = leaves_from_the_public_entries()
    for index, leaf in enumerate(leaves):
        assert tree.leaf_index(leaf) == index
        proof = tree.inclusion_proof(index, 13)
        assert merkle.verify_inclusion(leaf, index, 13, proof, bytes.fromhex(second.root))
    proof = tree.consistency_proof(6, 13)
    assert merkle.verify_consistency(6, 13, bytes.fromhex(first.root), bytes.fromhex(second.root), proof)


def test_checkpoints_come_at_most_once_a_second_while_entries_arrive(region, settings):
    settings.AUDIT_CHECKPOINT_SECONDS = 3600
    append(region, 2)
    assert tree.extend().checkpoint is not None  # the first
    append(region, 2)
    assert tree.extend().checkpoint is None  # too soon
    assert tree.extend(checkpoint_now=True).checkpoint.size == 5


def test_a_sequence_gap_stops_the_tree_before_it(region):
    append(region, 4)
    sql("DELETE FROM audit_auditentry WHERE seq = 3")
    assert tree.extend().size == 2
    assert "entry #3" in str(verify())


def test_the_command_sequences_and_reports(region, capsys):
    append(region, 2)
    call_command("sequence_record", "--once")
    assert "record tree: 3 entries (3 added); latest checkpoint at 3" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------ the attacker
def rehash_the_chain() -> None:
    """What a database writer does to make the old chain agree with an edit: every hash from the start again."""
    prev = GENESIS_HASH
    for e in AuditEntry.objects.order_by("seq"):
        fields = {
            "seq": e.seq, "at": e.at, "actor_ref": e.actor_ref, "action": e.action, "target_type": e.target_type,
            "target_id": e.target_id, "data": e.data, "personal_digest": e.personal_digest, "prev_hash": prev,
        }  # fmt: skip
        prev = entry_hash(**fields)
        AuditEntry.objects.filter(pk=e.pk).update(prev_hash=fields["prev_hash"], hash=prev)
    AuditHead.objects.filter(pk=1).update(last_hash=prev)


def rebuild_the_tree() -> None:
    """...and the tree too, from the edited entries, so that every node agrees with its halves."""
    TreeNode.objects.all().delete()
    nodes = merkle.append({}, 0, leaves_from_the_public_entries())
    TreeNode.objects.bulk_create(TreeNode(level=lv, index=ix, hash=h.hex()) for lv, ix, h in nodes)


@pytest.fixture
def sealed(region):
    append(region, 8)
    tree.extend(checkpoint_now=True)
    assert verify() is None
    return region


def edit_entry_4() -> None:
    data = json.dumps({"n": 40, "名称": "积水"})
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql(f"UPDATE audit_auditentry SET data = {cast} WHERE seq = 4", [data])  # noqa: S608


def test_an_edit_rehashed_through_the_whole_chain_is_caught_by_the_tree(sealed):
    edit_entry_4()
    rehash_the_chain()
    assert verify_chain() is None  # the old chain alone is fooled
    assert str(verify()) == "entry #4 is not the entry its leaf was made from (edited)"


def test_an_edit_with_the_tree_rebuilt_is_caught_by_the_signed_checkpoint(sealed):
    edit_entry_4()
    rehash_the_chain()
    rebuild_the_tree()
    assert str(verify()) == "the tree at size 9 no longer has the root checkpoint 9 signed"


def test_a_checkpoint_rewritten_to_the_new_root_is_caught_by_its_signature(sealed):
    edit_entry_4()
    rehash_the_chain()
    rebuild_the_tree()
    new_root = tree.root(9)
    forged = notes.sign(notes.Checkpoint(signing.log_signer().name, 9, new_root).text(), notes.generate("x"))
    Checkpoint.objects.filter(size=9).update(root=new_root.hex(), note=str(forged))
    assert str(verify()) == "checkpoint 9 is not signed by the record's key"


def test_reordered_entries_are_caught(sealed):
    sql("UPDATE audit_auditentry SET seq = seq + 100 WHERE seq IN (2, 3)")
    sql("UPDATE audit_auditentry SET seq = 3 WHERE seq = 102")
    sql("UPDATE audit_auditentry SET seq = 2 WHERE seq = 103")
    rehash_the_chain()
    assert str(verify()) == "entry #2 is not the entry its leaf was made from (edited)"


def test_an_interior_node_edited_is_caught(sealed):
    TreeNode.objects.filter(level=2, index=1).update(hash="ab" * 32)
    assert str(verify()) == "the tree's node 2/1 is not the hash of its two halves"


def test_a_deleted_leaf_is_caught(sealed):
    TreeNode.objects.filter(level=0, index=4).delete()
    assert str(verify()) == "the tree has no leaf for entry #5"
    # The last one gone looks like a tree not yet caught up, but the checkpoint signed it.
    TreeNode.objects.filter(level=0, index__gte=4).delete()
    assert str(verify()) == "the tree at size 9 no longer has the root checkpoint 9 signed"


def test_a_tail_truncated_with_its_tree_and_head_is_caught_by_the_checkpoint(sealed):
    sql("DELETE FROM audit_auditentry WHERE seq > 7")
    AuditHead.objects.filter(pk=1).update(last_seq=7, last_hash=AuditEntry.objects.get(seq=7).hash)
    TreeNode.objects.filter(level=0, index__gte=7).delete()
    assert verify_chain() is None
    assert str(verify()) == "the tree at size 9 no longer has the root checkpoint 9 signed"


# ------------------------------------------------------------------------------------------------ the public API
API = "/api/v1/audit"


def test_anyone_reads_the_checkpoint_and_the_key_and_checks_one_with_the_other(region, client):
    assert client.get(f"{API}/checkpoint").json()["code"] == "no_checkpoint"
    append(region, 4)
    tree.extend(checkpoint_now=True)
    note = client.get(f"{API}/checkpoint")
    assert note["Content-Type"].startswith("text/plain")
    vkey = client.get(f"{API}/key").content.decode().strip()
    parsed = notes.parse(note.content.decode())
    assert parsed.signed_by(notes.parse_verifier_key(vkey)) == 0
    assert notes.parse_checkpoint(parsed.text).size == 5


def test_the_api_proves_an_entry_by_place_or_leaf_hash_and_the_growth_between_sizes(region, client):
    append(region, 4)
    first = tree.extend(checkpoint_now=True).checkpoint
    append(region, 6)
    second = tree.extend(checkpoint_now=True).checkpoint
    leaves = leaves_from_the_public_entries()
    root = bytes.fromhex(second.root)
    for index in (0, 4, 10):
        by_place = client.get(f"{API}/proof/inclusion", {"index": index}).json()
        by_leaf = client.get(f"{API}/proof/inclusion", {"leaf_hash": leaves[index].hex()}).json()
        assert by_place == by_leaf == {"size": 11, "index": index, "proof": by_place["proof"]}
        proof = [bytes.fromhex(h) for h in by_place["proof"]]
        assert merkle.verify_inclusion(leaves[index], index, 11, proof, root)
    old = client.get(f"{API}/proof/inclusion", {"index": 2, "size": 5}).json()
    assert merkle.verify_inclusion(
        leaves[2], 2, 5, [bytes.fromhex(h) for h in old["proof"]], bytes.fromhex(first.root)
    )
    growth = client.get(f"{API}/proof/consistency", {"old": 5}).json()
    proof = [bytes.fromhex(h) for h in growth["proof"]]
    assert merkle.verify_consistency(5, 11, bytes.fromhex(first.root), root, proof)


@pytest.mark.parametrize(
    "path, params, status, code",
    [
        ("proof/inclusion", {"index": 11}, 409, "not_in_tree"),
        ("proof/inclusion", {"index": 0, "size": 12}, 409, "beyond_tree"),
        ("proof/inclusion", {"leaf_hash": "00" * 32}, 409, "not_in_tree"),
        ("proof/inclusion", {}, 409, "no_entry_given"),
        ("proof/inclusion", {"leaf_hash": "XYZ"}, 422, "invalid"),
        ("proof/inclusion", {"index": -1}, 422, "invalid"),
        ("proof/consistency", {"old": 12}, 409, "beyond_tree"),
        ("proof/consistency", {"old": 3, "size": 2}, 409, "beyond_tree"),
        ("proof/consistency", {}, 422, "invalid"),
    ],
)
def test_a_proof_that_cannot_be_given_says_why(region, client, path, params, status, code):
    append(region, 10)
    tree.extend(checkpoint_now=True)
    response = client.get(f"{API}/{path}", params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert response.json()["detail"]
