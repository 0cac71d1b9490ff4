"""Copy-move detection on the corpus (issue #13): what `forensics.copy_move` finds and where
it alarms for nothing.

- Forgeries: the CASIA v2 "Tp_S" pictures (copy-move within one picture) and the NoSo
  `_mod` pictures, each with its ground-truth mask: found, and does the reported area
  overlap the marked one.
- Generated clones: on every corpus camera photo of at least 300 px, a textured square
  copied over another textured place (moved at 0.5%, 2% and 10% of the picture's area,
  turned by 15 degrees, enlarged by 1.25), saved as JPEG quality 90: found, and does the
  reported target box overlap the pasted square.
- Originals: NoSo's originals and the corpus's camera, face and text photos (repeated
  letters, fences, wires, screenshots): every alarm is a false alarm, named.

    python bench/copy_move.py [--corpus ../shared/corpus] [--sweep]

--sweep repeats the run at other specificity thresholds (slower).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import mediavet.verify.checks.copy_move as copy_move  # noqa: E402
from test_copy_move import clone  # noqa: E402  (the tests' own clone maker: JPEG q90)
from mediavet.media import probe  # noqa: E402

FORGED = ["manipulation/casia2_Tp_S_NNN_S_O_pla00077_pla00077_11212.jpg",
          "manipulation/casia2_Tp_S_NRN_S_N_pla00005_pla00005_10937.jpg",
          "manipulation/noso_03_mod.png", "manipulation/noso_12_mod.png", "manipulation/noso_13_mod.png"]
KINDS = [("moved 0.5%", 0.005, 0, 1.0), ("moved 2%", 0.02, 0, 1.0), ("moved 10%", 0.1, 0, 1.0),
         ("turned 15°", 0.03, 15, 1.0), ("enlarged 1.25", 0.03, 0, 1.25)]


def overlaps(box, mask) -> bool:
    x, y, w, h = box
    return bool(mask[y:y + h, x:x + w].any())


def cloned(picture, share, turn, zoom, rng):
    """The picture with a textured square copied over another textured place (JPEG q90), and the pasted box."""
    width, height = picture.size
    side = int((share * width * height) ** 0.5)
    grey = np.asarray(picture.convert("L"), dtype=np.float32)

    def textured_place(avoid=None):
        for _ in range(300):
            x, y = rng.randrange(0, width - side), rng.randrange(0, height - side)
            apart = avoid is None or abs(x - avoid[0]) > side or abs(y - avoid[1]) > side
            if apart and grey[y:y + side, x:x + side].std() > 25:
                return x, y
        return x, y

    x0, y0 = textured_place()
    return clone(picture, (x0, y0), textured_place((x0, y0)), side, turn, zoom)


def run(corpus: Path) -> dict:
    started, pictures = time.perf_counter(), 0
    forged = {}
    for name in FORGED:
        media = probe(corpus / name)
        found = copy_move.copy_move(media.image(max_side=copy_move.SIDE), media.size)
        marked = (corpus / name).with_name(Path(name).stem + "_gt.png")
        truth = np.asarray(Image.open(marked).convert("L")) > 127
        forged[name] = found and (overlaps(found["target"], truth) or overlaps(found["source"], truth))
        pictures += 1
    rng = random.Random(7)
    generated, generated_total = Counter(), Counter()
    for path in sorted((corpus / "exif_jpeg").glob("*.jpg")):
        try:
            picture = probe(path).image(max_side=copy_move.SIDE).convert("RGB")
        except Exception:
            continue
        if min(picture.size) < 300:
            continue
        for kind, share, turn, zoom in KINDS:
            forgery, (x, y, w, h) = cloned(picture, share, turn, zoom, rng)
            found = copy_move.copy_move(forgery)
            mask = np.zeros((forgery.height, forgery.width), bool)
            mask[y:y + h, x:x + w] = True
            generated_total[kind] += 1
            generated[kind] += bool(found and (overlaps(found["target"], mask) or overlaps(found["source"], mask)))
            pictures += 1
    originals = [corpus / f"manipulation/noso_{n}.png" for n in ("03", "12", "13")]
    for folder in ("exif_jpeg", "faces", "text"):
        originals += sorted((corpus / folder).glob("*.jpg"))
    alarms, checked = [], 0
    for path in originals:
        try:
            media = probe(path)
            found = copy_move.copy_move(media.image(max_side=copy_move.SIDE), media.size)
        except Exception:
            continue
        checked += 1
        pictures += 1
        if found:
            alarms.append(path.name)
    return {"forged": forged, "generated": generated, "generated_total": generated_total, "alarms": alarms,
            "originals": checked, "seconds": (time.perf_counter() - started) / pictures}


def show(result: dict, label: str) -> None:
    forged = result["forged"]
    print(f"{label}: {result['seconds']:.2f} s per picture")
    print(f"  corpus forgeries found (area overlaps the marked one): {sum(map(bool, forged.values()))}/{len(forged)}")
    for name, hit in forged.items():
        print(f"    {'found' if hit else 'missed':6s} {Path(name).name}")
    print("  generated clones on camera photos (JPEG q90), found where pasted:")
    for kind, *_ in KINDS:
        print(f"    {kind:14s} {result['generated'][kind]:3d}/{result['generated_total'][kind]}")
    total = sum(result["generated"].values()), sum(result["generated_total"].values())
    print(f"    {'all':14s} {total[0]:3d}/{total[1]}")
    print(f"  false alarms on originals: {len(result['alarms'])}/{result['originals']}"
          + (f" ({', '.join(result['alarms'])})" if result["alarms"] else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--sweep", action="store_true", help="also measure other specificity thresholds")
    args = parser.parse_args()
    default = copy_move.RATIO
    show(run(args.corpus), f"default (specificity below {default})")
    if args.sweep:
        for ratio in (0.25, 0.3, 0.4):
            copy_move.RATIO = ratio
            show(run(args.corpus), f"specificity below {ratio}")
        copy_move.RATIO = default
    return 0


if __name__ == "__main__":
    sys.exit(main())
