"""The Merkle tree of the record, hashed exactly as RFC 9162 §2.1 (Certificate Transparency 2.0).

Pure functions over hashes, no database: anyone can re-implement them from the RFC and get the same bytes.
A tree is read through ``subtree(start, end)``, a function that returns the hash of the leaves
``[start, end)`` when that range is a complete aligned subtree (its size a power of two, ``start`` a
multiple of it); the store keeps those (``audit.tree``), the tests give a list of leaves.
"""

import hashlib
from collections.abc import Callable, Sequence

Subtree = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(subtree: Subtree, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range that starts on a boundary of its own left part, as the RFC's recursion
    meets them: the left part is always complete, the right edge is split again."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return subtree(start, end)
    k = _split(n)
    return node_hash(subtree(start, start + k), range_hash(subtree, start + k, end))


def root(subtree: Subtree, size: int) -> bytes:
    return range_hash(subtree, 0, size)


def inclusion_proof(subtree: Subtree, index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(subtree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(subtree, start, start + k))
            start = start + k
    path.reverse()
    return path


def consistency_proof(subtree: Subtree, old_size: int, size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: what shows the tree of ``old_size`` leaves is a prefix of this one."""
    if not 0 <= old_size <= size:
        raise ValueError(f"a tree of {old_size} cannot be a prefix of one of {size}")
    if old_size in (0, size):
        return []
    proof: list[bytes] = []
    start, end, whole = 0, size, True
    m = old_size
    # SUBPROOF(m, D[start:end], whole), unrolled: m counts leaves from ``start``.
    while True:
        n = end - start
        if m == n:
            if not whole:
                proof.append(range_hash(subtree, start, end))
            break
        k = _split(n)
        if m <= k:
            proof.append(range_hash(subtree, start + k, end))
            end = start + k
        else:
            proof.append(range_hash(subtree, start, start + k))
            start, m, whole = start + k, m - k, False
    proof.reverse()
    return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if not 0 <= old_size <= size:
        return False
    if old_size == size:
        return not proof and old_root == new_root
    if old_size == 0:
        # Every tree extends the empty one; nothing to prove.
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def leaves_subtree(leaves: Sequence[bytes]) -> Subtree:
    """A ``subtree`` function over leaf hashes in memory, computing each complete subtree on demand."""

    def subtree(start: int, end: int) -> bytes:
        if end - start == 1:
            return leaves[start]
        mid = (start + end) // 2
        return node_hash(subtree(start, mid), subtree(mid, end))

    return subtree


Node = tuple[int, int, bytes]  # (level, index, hash): leaves [index·2^level, (index+1)·2^level)


def right_edge(size: int) -> list[tuple[int, int]]:
    """The (level, index) of the last complete subtree at each level of a tree of ``size`` leaves: all that
    appending more leaves needs to know of the tree so far."""
    return [(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level]


def append(edge: dict[int, bytes], size: int, leaves: Sequence[bytes]) -> list[Node]:
    """Append ``leaves`` to a tree of ``size`` leaves whose ``right_edge`` hashes are ``edge`` (level → hash,
    updated in place); returns every complete subtree the new leaves finish, level 0 included."""
    nodes: list[Node] = []
    for leaf in leaves:
        level, index, current = 0, size, leaf
        nodes.append((0, index, current))
        while index & 1:
            current = node_hash(edge[level], current)
            level, index = level + 1, index >> 1
            nodes.append((level, index, current))
        edge[level] = current
        size += 1
    return nodes
