"""Video face redaction against deface (issue #6), on one generated clip, in one run.

The clip: 960x540, 100 frames at 25 fps, three corpus faces (annotated pictures, cropped
with 35% around the box) gliding across a textured background, two one way and one the
other, so every frame's face positions are known. Both tools cover faces with solid boxes
(deface `--replacewith solid --boxes`; mediavet `--no-text --no-codes`, fill). A face-frame
is covered when 90% of the face (the annotated box inside the crop) is black.

    python bench/video_vs_deface.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT / "tests"))

FACES = [("fr_obama", 0, (150, 188)), ("dlib_2008_001009", 0, (90, 110)), ("immich_curie_portrait", 0, (56, 68))]


def covered(path: Path, truth) -> tuple[int, int]:
    import av

    from test_video_redact import face_inside

    good = total = 0
    with av.open(str(path)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            dark = np.asarray(frame.to_image().convert("RGB")).max(axis=2) <= 30
            for box in truth[number]:
                x, y, w, h = face_inside(box)
                total += 1
                good += dark[y:y + h, x:x + w].mean() >= 0.9
    return good, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if shutil.which("deface") is None:
        print("deface is not installed (pip install deface)", file=sys.stderr)
        return 2
    from generate import moving_faces_clip
    from test_video_redact import annotated_face

    faces = [annotated_face(args.corpus, name, index, size) for name, index, size in FACES]
    data, truth = moving_faces_clip(faces, size=(960, 540), frames=100)
    frames = len(truth)
    with tempfile.TemporaryDirectory(prefix="mediavet-bench-") as scratch:
        scratch = Path(scratch)
        clip = scratch / "clip.mp4"
        clip.write_bytes(data)
        started = time.perf_counter()
        subprocess.run(["deface", str(clip), "--replacewith", "solid", "--boxes", "-o", str(scratch / "deface.mp4")],
                       capture_output=True)
        deface_s = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mediavet", "redact", str(clip), "--no-text", "--no-codes", "-o",
                        str(scratch / "ours")], capture_output=True)
        ours_s = time.perf_counter() - started
        d_good, total = covered(scratch / "deface.mp4", truth)
        o_good, _ = covered(scratch / "ours" / "safe-0001.mp4", truth)
    print(f"clip: 960x540, {frames} frames, 3 moving faces ({total} face-frames)")
    print(f"deface:   {d_good}/{total} face-frames covered, {total - d_good} shown; "
          f"{frames / deface_s:.1f} frames per second ({deface_s:.1f} s)")
    print(f"mediavet: {o_good}/{total} face-frames covered, {total - o_good} shown; "
          f"{frames / ours_s:.1f} frames per second ({ours_s:.1f} s, start-up, two passes and the fail-closed check "
          "included)")
    met = o_good == total and ours_s <= deface_s
    print("target (no face shown, no slower than deface):", "met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
