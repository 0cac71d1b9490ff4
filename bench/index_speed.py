"""Archive index at scale (issue #3): import 1,000,000 PDQ hashes from a TSV, answer 1,000
`--hashes` lookups (each within 20 bits of an indexed hash) in one process, and measure the
memory that process needs. Targets: import < 60 s; lookups < 10 s including start-up and
index load, every top match right; peak memory < 200 MB.

The peer is the plain approach: a Python loop over imagehash.ImageHash objects
(`a - b` per pair), timed on a sample and extrapolated to the same 1,000 x 1,000,000.

    python bench/index_speed.py [--entries 1000000] [--queries 1000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def peak_mb(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run `args` under a wrapper that reports the child's own peak RSS."""
    wrapper = ("import os, resource, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.run(sys.argv[1:], capture_output=True); "
               "sys.stdout.buffer.write(p.stdout); sys.stderr.buffer.write(p.stderr); "
               "print('\\n@@', time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
               "file=sys.stderr); sys.exit(p.returncode)")
    process = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True)
    marker = process.stderr.rsplit(b"@@", 1)
    seconds, kilobytes = (float(x) for x in marker[1].split())
    return seconds, kilobytes / 1024, subprocess.CompletedProcess(args, process.returncode, process.stdout, marker[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--max-flips", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    mediavet = [sys.executable, "-m", "mediavet"]
    with tempfile.TemporaryDirectory(prefix="mediavet-bench-") as scratch:
        scratch = Path(scratch)
        hashes = rng.integers(0, 256, (args.entries, 32), dtype=np.uint8)
        listing = scratch / "archive.tsv"
        with listing.open("w") as out:
            for number, row in enumerate(hashes):
                out.write(f"pdq\t{row.tobytes().hex()}\titem-{number}\n")
        wanted = rng.choice(args.entries, args.queries, replace=False)
        queries = scratch / "queries.tsv"
        with queries.open("w") as out:
            for number in wanted:
                bits = np.unpackbits(hashes[number])
                bits[rng.choice(256, int(rng.integers(0, args.max_flips + 1)), replace=False)] ^= 1
                out.write(f"pdq\t{np.packbits(bits).tobytes().hex()}\titem-{number}\n")
        db = scratch / "index.db"

        import_s, import_mb, done = peak_mb(mediavet + ["index", "import", str(listing), "--db", str(db)])
        assert done.returncode == 0, done.stderr.decode()[-500:]
        query_s, query_mb, done = peak_mb(mediavet + ["index", "query", "--hashes", str(queries), "--json",
                                                      "--db", str(db)])
        assert done.returncode == 0, done.stderr.decode()[-500:]
        results = json.loads(done.stdout)["results"]
        right = sum(1 for r in results if r["matches"] and r["matches"][0]["label"] == r["label"])

        import imagehash

        sample = min(20_000, args.entries)
        stored = [imagehash.hex_to_hash(row.tobytes().hex()) for row in hashes[:sample]]
        probes = [imagehash.hex_to_hash(hashes[n].tobytes().hex()) for n in wanted[:5]]
        started = time.perf_counter()
        for probe in probes:
            [probe - other for other in stored]
        per_pair = (time.perf_counter() - started) / (len(probes) * sample)
        loop_s = per_pair * args.queries * args.entries

    print(f"entries {args.entries:,}, lookups {args.queries:,} (each within {args.max_flips} bits of an entry)")
    print(f"import TSV:            {import_s:7.1f} s   peak {import_mb:6.0f} MB   (target < 60 s)")
    print(f"lookups (whole run):   {query_s:7.1f} s   peak {query_mb:6.0f} MB   (targets < 10 s, < 200 MB)")
    print(f"top match right:       {right}/{len(results)}")
    print(f"imagehash Python loop: {loop_s:7.0f} s   (extrapolated from {len(probes)} x {sample:,} pairs)")
    print(f"ratio mediavet/loop:   {query_s / loop_s:.5f}  ({loop_s / query_s:,.0f}x faster)")
    met = import_s < 60 and query_s < 10 and query_mb < 200 and right == len(results)
    print("targets:", "met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
