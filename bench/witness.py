"""Benchmark (run by hand): what a witness spends checking a new checkpoint of a large record.

    .venv/bin/python bench/witness.py                 # a record of 1,000,000 entries
    .venv/bin/python bench/witness.py --entries 5000000

Builds the tree of ``--entries`` leaves in memory (the same append the sequencer uses), then, for records that
grew by 1, 1,000 and 100,000 entries since the witness's last checkpoint, times the consistency proof (as the
record computes it from complete subtrees) and its verification (what the witness does before cosigning), and
the inclusion proof of one entry. Prints milliseconds and proof sizes. No database, no network: the network
round trip of a real witness (one GET of the checkpoint, one of the proof) comes on top.
"""

import argparse
import hashlib
import statistics
import time

from yishi.audit import merkle


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=200)
    args = p.parse_args()

    started = time.perf_counter()
    nodes: dict[tuple[int, int], bytes] = {}
    edge: dict[int, bytes] = {}
    batch = 100_000
    for first in range(0, args.entries, batch):
        leaves = [
            merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest())
            for i in range(first, min(first + batch, args.entries))
        ]
        for level, index, h in merkle.append(edge, first, leaves):
            nodes[(level, index)] = h
    built = time.perf_counter() - started

    def subtree(start: int, end: int) -> bytes:
        level = (end - start).bit_length() - 1
        return nodes[(level, start >> level)]

    n = args.entries
    root = merkle.root(subtree, n)
    print(f"record of {n:,} entries: tree built in {built:.1f} s ({len(nodes):,} stored subtrees)")
    print(f"{'grew by':>10} {'proof hashes':>13} {'make proof ms':>14} {'verify ms':>10}")
    for grew in (1, 1_000, 100_000):
        old = n - grew
        old_root = merkle.root(subtree, old)
        make, check = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            proof = merkle.consistency_proof(subtree, old, n)
            make.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert merkle.verify_consistency(old, n, old_root, root, proof)
            check.append(time.perf_counter() - t)
        print(
            f"{grew:>10,} {len(proof):>13} {statistics.median(make) * 1000:>14.3f} {statistics.median(check) * 1000:>10.3f}"
        )
    index = n // 3
    t = time.perf_counter()
    proof = merkle.inclusion_proof(subtree, index, n)
    ok = merkle.verify_inclusion(subtree(index, index + 1), index, n, proof, root)
    print(
        f"inclusion of entry {index + 1:,}: {len(proof)} hashes, made and verified in {(time.perf_counter() - t) * 1000:.3f} ms ({ok})"
    )


if __name__ == "__main__":
    main()
