"""The record's tree hashes as RFC 9162 §2.1 says, byte for byte, or no one else can check it."""

import hashlib

import pytest

from yishi.audit import merkle

# The Certificate Transparency reference leaves and the roots of their first n, as published with RFC 6962.
ENTRIES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [merkle.leaf_hash(e) for e in ENTRIES]
TREE = merkle.leaves_subtree(LEAVES)


def h(*hexes):
    return [bytes.fromhex(x) for x in hexes]


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_the_empty_tree_and_every_prefix_of_the_reference_leaves_have_the_published_roots():
    for size, expected in enumerate(ROOTS):
        assert merkle.root(TREE, size).hex() == expected, size


def test_a_tree_of_three_worked_by_hand():
    # Leaves are hashed with 0x00 in front and nodes with 0x01, and three leaves split as 2 + 1, not 1 + 2.
    a, b, c = (sha(b"\x00" + e) for e in ENTRIES[:3])
    assert merkle.root(TREE, 3) == sha(b"\x01" + sha(b"\x01" + a + b) + c)
    assert merkle.inclusion_proof(TREE, 2, 3) == [sha(b"\x01" + a + b)]
    assert merkle.inclusion_proof(TREE, 0, 3) == [b, c]
    assert merkle.consistency_proof(TREE, 2, 3) == [c]
    assert merkle.consistency_proof(TREE, 1, 3) == [b, c]


@pytest.mark.parametrize(
    "index, size, proof",
    [
        (0, 8, h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
        (5, 8, h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
        (2, 3, h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
        (1, 5, h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    ],
)  # fmt: skip
def test_inclusion_proofs_match_the_reference(index, size, proof):
    assert merkle.inclusion_proof(TREE, index, size) == proof
    assert merkle.verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(
    "old, new, proof",
    [
        (1, 8, h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
        (6, 8, h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
        (2, 5, h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    ],
)  # fmt: skip
def test_consistency_proofs_match_the_reference(old, new, proof):
    assert merkle.consistency_proof(TREE, old, new) == proof
    assert merkle.verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


# The RFC's definitions, written as literally as they read, to compare every small shape with.
def mth(d):
    if not d:
        return sha(b"")
    if len(d) == 1:
        return d[0]
    k = merkle._split(len(d))
    return sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    if len(d) == 1:
        return []
    k = merkle._split(len(d))
    return [*path(m, d[:k]), mth(d[k:])] if m < k else [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m, d, whole):
    if m == len(d):
        return [] if whole else [mth(d)]
    k = merkle._split(len(d))
    if m <= k:
        return [*subproof(m, d[:k], whole), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


MANY = [merkle.leaf_hash(bytes([i, 7 * i % 256])) for i in range(33)]
MANY_TREE = merkle.leaves_subtree(MANY)


def test_every_proof_in_trees_up_to_33_leaves_is_the_rfcs_and_verifies():
    for n in range(1, len(MANY) + 1):
        root = mth(MANY[:n])
        assert merkle.root(MANY_TREE, n) == root
        for i in range(n):
            proof = merkle.inclusion_proof(MANY_TREE, i, n)
            assert proof == path(i, MANY[:n]), (i, n)
            assert merkle.verify_inclusion(MANY[i], i, n, proof, root)
        for m in range(1, n):
            proof = merkle.consistency_proof(MANY_TREE, m, n)
            assert proof == subproof(m, MANY[:n], True), (m, n)
            assert merkle.verify_consistency(m, n, mth(MANY[:m]), root, proof), (m, n)


def test_a_proof_for_another_leaf_place_or_size_does_not_verify():
    n, root = 13, mth(MANY[:13])
    for i in range(n):
        proof = merkle.inclusion_proof(MANY_TREE, i, n)
        assert not merkle.verify_inclusion(MANY[i], i, n, proof, mth(MANY[:12]))
        assert not merkle.verify_inclusion(MANY[(i + 1) % n], i, n, proof, root)
        assert not merkle.verify_inclusion(MANY[i], (i + 1) % n, n, proof, root)
        # (A size of the same depth is not caught here: the signed checkpoint binds the size to the root.)
        assert not merkle.verify_inclusion(MANY[i], i, 2 * n + 1, proof, root)
        assert not merkle.verify_inclusion(MANY[i], i, n, [*proof, MANY[0]], root)
        if proof:
            assert not merkle.verify_inclusion(MANY[i], i, n, proof[:-1], root)
    assert not merkle.verify_inclusion(MANY[0], 13, 13, [], root)


def test_a_rewritten_history_is_not_consistent_with_what_was_seen():
    old_root = mth(MANY[:5])
    rewritten = [*MANY[:3], merkle.leaf_hash(b"edited"), *MANY[4:20]]
    proof = merkle.consistency_proof(merkle.leaves_subtree(rewritten), 5, 20)
    assert not merkle.verify_consistency(5, 20, old_root, mth(rewritten), proof)
    # Nor is a tree cut back, nor a proof stripped, nor the sizes swapped.
    honest = merkle.consistency_proof(MANY_TREE, 5, 20)
    assert not merkle.verify_consistency(5, 20, old_root, mth(MANY[:20]), honest[:-1])
    assert not merkle.verify_consistency(20, 5, mth(MANY[:20]), old_root, honest)
    assert not merkle.verify_consistency(5, 20, old_root, mth(MANY[:20]), [])
    assert not merkle.verify_consistency(5, 5, old_root, mth(MANY[:6]), [])


def test_proofs_outside_the_tree_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(MANY_TREE, 5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_proof(MANY_TREE, 6, 5)
