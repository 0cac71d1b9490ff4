"""Batches (issue #12): corpus-derived files through `verify` and `redact`, in one process
(--jobs 1), the local pool (--jobs 2) and a Dask LocalCluster (--scheduler local, 2 workers):
files per second; the ledger's cost per file; a resumed run's time when half was done.

The files are the corpus's camera, face and text pictures, scaled to at most 800 px and saved
again with their EXIF, each one different bytes (its number in a JPEG comment), cycled to
the count asked. Redaction runs every detector (faces, text, codes), so it gets fewer files.

    python bench/batch_scale.py [--files 2000] [--redact-files 200] [--corpus ../shared/corpus]

(0 files skips that command.) Run it on an otherwise idle machine: it measures throughput.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-12-01T00:00:00+00:00"
MODES = [("one process", ["--jobs", "1"]), ("local pool, 2 workers", ["--jobs", "2"]),
         ("Dask LocalCluster, 2 workers", ["--scheduler", "local", "--jobs", "2"])]


def make_files(corpus: Path, folder: Path, count: int) -> list[Path]:
    from PIL import Image

    sources = sorted(p for d in ("exif_jpeg", "faces", "text") for p in (corpus / d).glob("*")
                     if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    pictures = []
    for source in sources:
        with Image.open(source) as image:
            exif = image.info.get("exif")
            image = image.convert("RGB")
            image.thumbnail((800, 800))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88, **({"exif": exif} if exif else {}))
            pictures.append(out.getvalue())
    folder.mkdir(parents=True)
    made = []
    for n in range(count):
        data, note = pictures[n % len(pictures)], f"bench {n}".encode()
        path = folder / f"f{n:05d}.jpg"
        path.write_bytes(data[:2] + b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note + data[2:])
        made.append(path)
    return made


def timed(*args) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mediavet", *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1, 4):  # findings (verify, 1) and refused copies (redact, 4) are results
        raise SystemExit(f"mediavet {' '.join(map(str, args[:3]))} ... failed ({done.returncode}): {done.stderr[-800:]}")
    return seconds


def measure(name: str, files: list[Path], scratch: Path, command, optional_ledger: bool) -> None:
    """`command(paths, extra, fresh_name)` gives the arguments of one run."""
    count = len(files)
    print(f"\n{name}: {count:,} files", flush=True)
    times = {}
    for label, extra in MODES:
        times[label] = timed(*command(files, extra, f"{name}-{len(times)}"))
        print(f"  {label:<30} {times[label]:7.1f} s  {count / times[label]:6.1f} files/s  "
              f"x{times['one process'] / times[label]:.2f} of one process", flush=True)
    with_ledger = times["local pool, 2 workers"]
    if optional_ledger:
        with_ledger = timed(*command(files, ["--jobs", "2"], f"{name}-ledger", ledger=scratch / f"{name}.ledger"))
        print(f"  local pool with a ledger       {with_ledger:7.1f} s  ledger cost "
              f"{(with_ledger - times['local pool, 2 workers']) / count * 1e3:+.1f} ms per file", flush=True)
    else:
        print("  (the ledger is always on for redact: the times above include it)")
    half = scratch / f"{name}-half.ledger"
    timed(*command(files[:count // 2], ["--jobs", "2"], f"{name}-resumed", ledger=half))
    resumed = timed(*command(files, ["--jobs", "2"], f"{name}-resumed", ledger=half))
    print(f"  resumed with half done         {resumed:7.1f} s  ({resumed / with_ledger:.2f} of a fresh run "
          "with a ledger)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--redact-files", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}")
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="mediavet-batch-scale-"))
    try:
        files = make_files(args.corpus, scratch / "in", max(args.files, args.redact_files))

        def verify(paths, extra, _name, ledger=None):
            return ["verify", *paths, "--jsonl", "--fail-on", "never", "--now", NOW, *extra,
                    *(["--ledger", ledger] if ledger else [])]

        def redact(paths, extra, name, ledger=None):
            out = scratch / name
            return ["redact", *paths, "-o", out, *extra, *(["--ledger", ledger] if ledger else [])]

        if args.files:
            measure("verify", files[:args.files], scratch, verify, optional_ledger=True)
        if args.redact_files:
            measure("redact", files[:args.redact_files], scratch, redact, optional_ledger=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
