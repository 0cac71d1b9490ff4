"""The archive's radius search vs faiss (issue #12): 1,000 radius-31 lookups on N random PDQ
hashes, one thread each, same answers required; time per lookup and memory per hash.

Ours is `mediavet.archive.hamming.BinaryIndex` (multi-index hashing over sixteen 16-bit
pieces); the peer is faiss-cpu's `IndexBinaryMultiHash` with the same pieces (nhash=16,
b=16, nflip=1: the pigeonhole bound for radius 31). faiss is not a mediavet dependency:

    .venv/bin/pip install faiss-cpu
    python bench/index_vs_faiss.py [--entries 1000000 10000000] [--queries 1000]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mediavet.archive.hamming import BinaryIndex  # noqa: E402

RADIUS = 31


def rss() -> int:
    gc.collect()
    return psutil.Process(os.getpid()).memory_info().rss


def queries_near(hashes: np.ndarray, count: int, rng) -> np.ndarray:
    """Stored hashes with 0-31 bits flipped: every lookup has at least its own answer."""
    picked = hashes[rng.choice(len(hashes), count, replace=False)]
    bits = np.unpackbits(picked, axis=1)
    for row in bits:
        row[rng.choice(256, int(rng.integers(0, RADIUS + 1)), replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def ours(hashes: np.ndarray, queries: np.ndarray):
    before = rss()
    index = BinaryIndex(hashes.copy())
    index._piece_tables()  # built on the first lookup otherwise; counted here
    grown = rss() - before
    started = time.perf_counter()
    answers = [set(index.search(q, RADIUS)[0].tolist()) for q in queries]
    return (time.perf_counter() - started) / len(queries), grown, answers


def faiss_multihash(hashes: np.ndarray, queries: np.ndarray):
    import faiss

    faiss.omp_set_num_threads(1)
    before = rss()
    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = 1
    index.add(hashes)
    grown = rss() - before
    started = time.perf_counter()
    answers = []
    for q in queries:  # one lookup at a time, as a newsroom asks
        lims, _, labels = index.range_search(q[None, :], RADIUS + 1)  # faiss keeps distances < radius
        answers.append(set(labels[lims[0]:lims[1]].tolist()))
    return (time.perf_counter() - started) / len(queries), grown, answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=1_000)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(f"{'hashes':>11}  {'ours ms':>8}  {'faiss ms':>8}  {'ratio':>6}  {'ours B/hash':>11}  {'faiss B/hash':>12}  same")
    for entries in args.entries:
        rng = np.random.default_rng(entries)
        hashes = rng.integers(0, 256, (entries, 32), dtype=np.uint8)
        queries = queries_near(hashes, args.queries, rng)
        our_s, our_bytes, our_answers = ours(hashes, queries)
        gc.collect()
        their_s, their_bytes, their_answers = faiss_multihash(hashes, queries)
        same = our_answers == their_answers
        print(f"{entries:>11,}  {our_s * 1e3:8.2f}  {their_s * 1e3:8.2f}  {our_s / their_s:6.2f}  "
              f"{our_bytes / entries:11.0f}  {their_bytes / entries:12.0f}  {'yes' if same else 'NO'}", flush=True)
        if not same:
            return 1
        del hashes, queries, our_answers, their_answers
    return 0


if __name__ == "__main__":
    sys.exit(main())
