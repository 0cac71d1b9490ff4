"""Time `mediavet verify --json` against `exiftool -json` (its plain metadata dump) over the same
files, whole process each, in one run; print both and the ratio.

    python bench/verify_vs_exiftool.py [DIR]   (default: ../shared/corpus/exif_jpeg)

Target (issue #2): mediavet running all its checks takes no longer than ExifTool's dump (ratio <= 1).
"""

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_of(command, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "exif_jpeg"
    files = sorted(str(p) for p in folder.glob("*") if p.is_file())
    if not files or shutil.which("exiftool") is None or shutil.which("mediavet") is None:
        sys.exit("needs the files, exiftool and an installed mediavet")
    ours = best_of(["mediavet", "verify", "--json", "--fail-on", "never", *files])
    peer = best_of(["exiftool", "-json", *files])
    print(f"{len(files)} files in {folder}")
    print(f"mediavet verify --json  best {ours[0]:.3f} s  median {ours[1]:.3f} s")
    print(f"exiftool -json          best {peer[0]:.3f} s  median {peer[1]:.3f} s")
    print(f"ratio mediavet/exiftool (best) {ours[0] / peer[0]:.2f}")


if __name__ == "__main__":
    main()
