"""Redaction throughput (issue #12): time per picture of a default `mediavet redact` (faces,
text and codes, the fail-closed re-check included) against deface (faces only) on the same
mixed batch, in one run. Target: no more than 2x deface's time per picture.

The batch: the corpus's face, text and camera pictures as they are. deface runs as its CLI
does (one process, onnxruntime on every core); mediavet in one worker process and with the
local pool of 2. `--profile` also profiles a one-process redaction of the first pictures and
prints where the time goes (cumulative, mediavet's own functions).

    python bench/redact_throughput.py [--pictures 40] [--profile] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pictures(corpus: Path, count: int) -> list[Path]:
    chosen = []
    for folder in ("faces", "text", "exif_jpeg"):  # interleaved: a mixed batch whatever the count
        chosen.append(sorted(p for p in (corpus / folder).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")))
    mixed = [p for group in zip(*chosen) for p in group] + [p for group in chosen for p in group[min(map(len, chosen)):]]
    return mixed[:count]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 4):  # 4: a copy refused (not provably clean) is a result
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr[-800:]}")
    return time.perf_counter() - started


def profile(files: list[Path], out: Path) -> None:
    from mediavet.cli import main

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        main(["redact", *map(str, files), "-o", str(out), "--jobs", "1"], standalone_mode=False)
    except SystemExit:
        pass
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
    stats.print_stats(r"mediavet/(redact|media|formats)", 25)
    print(text.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pictures", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if shutil.which("deface") is None:
        print("deface is not installed (pip install deface)", file=sys.stderr)
        return 2
    files = pictures(args.corpus, args.pictures)
    with tempfile.TemporaryDirectory(prefix="mediavet-throughput-") as scratch:
        scratch = Path(scratch)
        theirs = scratch / "deface"
        theirs.mkdir()
        inputs = []
        for number, path in enumerate(files):  # deface writes beside its inputs: private copies
            inputs.append(theirs / f"{number:03d}{path.suffix.lower()}")
            shutil.copyfile(path, inputs[-1])
        deface_s = timed(["deface", *map(str, inputs), "--replacewith", "solid", "--boxes"])
        one_s = timed([sys.executable, "-m", "mediavet", "redact", *map(str, files), "-o", str(scratch / "one"),
                       "--jobs", "1"])
        pool_s = timed([sys.executable, "-m", "mediavet", "redact", *map(str, files), "-o", str(scratch / "pool"),
                        "--jobs", "2"])
        n = len(files)
        print(f"{n} pictures (faces, text, camera photos; mean "
              f"{sum(p.stat().st_size for p in files) / n / 1e6:.1f} MB)")
        print(f"deface (faces only, one process):          {deface_s / n:6.2f} s per picture")
        print(f"mediavet faces+text+codes, one worker:     {one_s / n:6.2f} s per picture   ratio {one_s / deface_s:.2f}")
        print(f"mediavet faces+text+codes, 2 workers:      {pool_s / n:6.2f} s per picture   ratio {pool_s / deface_s:.2f}")
        print("target (<= 2x deface):", "met" if min(one_s, pool_s) <= 2 * deface_s else "NOT met")
        if args.profile:
            profile(files[:min(n, 12)], scratch / "profiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
