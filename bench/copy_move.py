"""Copy-move detection on the corpus (issue #7): detection rate on copy-move forgeries and
false alarms on originals, at several thresholds, so the default can be set where false
alarms stay rare.

Forgeries: the CASIA v2 "Tp_S" pictures (copy-move within one picture) and the NoSo
`_mod` pictures. Originals: NoSo's originals, and the corpus's camera, face and text photos.

    python bench/copy_move.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mediavet.verify.checks.forensics as forensics  # noqa: E402
from mediavet.media import probe  # noqa: E402

FORGED = ["manipulation/casia2_Tp_S_NNN_S_O_pla00077_pla00077_11212.jpg",
          "manipulation/casia2_Tp_S_NRN_S_N_pla00005_pla00005_10937.jpg",
          "manipulation/noso_03_mod.png", "manipulation/noso_12_mod.png", "manipulation/noso_13_mod.png"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    originals = [args.corpus / f"manipulation/noso_{n}.png" for n in ("03", "12", "13")]
    for folder in ("exif_jpeg", "faces", "text"):
        originals += sorted(p for p in (args.corpus / folder).glob("*.jpg"))
    default = forensics.MIN_INLIERS
    forensics.MIN_INLIERS = 6  # measure everything, decide per threshold below
    started = time.perf_counter()

    def inliers(path):
        try:
            found = forensics.copy_move(probe(path).image(max_side=forensics.SIDE))
        except Exception:
            return 0
        return found["inliers"] if found else 0

    forged = [inliers(args.corpus / name) for name in FORGED]
    clean = [inliers(path) for path in originals]
    seconds = (time.perf_counter() - started) / (len(forged) + len(clean))
    print(f"{len(FORGED)} copy-move forgeries, {len(originals)} originals; {seconds:.2f} s per picture")
    print(f"{'min inliers':>12s} {'detected':>10s} {'false alarms':>13s}")
    for threshold in (10, 20, 30, 40, 50, 60, 80):
        hits = sum(n >= threshold for n in forged)
        alarms = sum(n >= threshold for n in clean)
        mark = "  <- default" if threshold == default else ""
        print(f"{threshold:>12d} {hits:>5d}/{len(forged):<4d} {alarms:>7d}/{len(clean):<5d}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
