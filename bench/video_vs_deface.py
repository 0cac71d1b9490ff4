"""Video face redaction against deface (issues #6 and #8), on two generated clips, in one run.

- "gliding": 960x540, 100 frames at 25 fps, three corpus faces (annotated pictures, cropped
  with 35% around the box) gliding across a textured background.
- "hard": 960x540, 150 frames at 25 fps: one face walks away into the distance (140 px down
  to 14 px); one turns to profile (a frontal corpus face, then from frame 60 a profile one
  from faces_hard/ in the same place, moving on); one turns away for 1.6 s (frames 50-89:
  its inner face a coarse mosaic, see samples/generate.py) while it keeps moving.

Every frame's face positions are known. Both tools cover faces with solid boxes (deface
`--replacewith solid --boxes`; mediavet `--no-text --no-codes`, fill). A face-frame is covered
when 90% of the face (the annotated box inside the crop) is black; a frame shows a face when
any of its face-frames is not covered. Frames where a face is turned away count too: a
person still on screen is still a person.

    python bench/video_vs_deface.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
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
SIZE, FPS = (960, 540), 25


def crop(corpus, folder: str, name: str, index: int, size):
    from PIL import Image

    x, y, w, h = json.loads((corpus / folder / f"{name}.json").read_text())["faces"][index]
    picture = Image.open(corpus / folder / f"{name}.jpg").convert("RGB")
    dx, dy = int(w * 0.35), int(h * 0.35)
    return picture.crop((max(0, x - dx), max(0, y - dy), x + w + dx, y + h + dy)).resize(size)


def hard_clip(corpus) -> tuple[bytes, list]:
    """The "hard" clip and each frame's pasted crops (x, y, w, h)."""
    from generate import _turned_away, encoded_clip, noisy_background

    walker = crop(corpus, "faces", "fr_obama", 0, (112, 140))
    frontal = crop(corpus, "faces", "dlib_2008_001009", 0, (96, 116))
    profile = crop(corpus, "faces_hard", "aflw_02420_profile", 0, (96, 116))
    turner = crop(corpus, "faces", "immich_curie_portrait", 0, (80, 96))
    background = noisy_background(SIZE)
    frames = 150

    def scenes():
        for number in range(frames):
            t = number / (frames - 1)
            canvas = background.copy()
            boxes = []
            scale = 1.0 - 0.9 * t  # walking away: 140 px tall down to 14
            size = (max(8, round(112 * scale)), max(10, round(140 * scale)))
            x, y = round(60 + 300 * t), round(40 + 140 * t)
            canvas.paste(walker.resize(size), (x, y))
            boxes.append((x, y, *size))
            x, y = round(420 + 200 * t), round(300 + 30 * np.sin(number / 9))
            canvas.paste(frontal if number < 60 else profile, (x, y))
            boxes.append((x, y, *frontal.size))
            x, y = round(860 - 260 * t), round(80 + 20 * np.sin(number / 7))
            canvas.paste(_turned_away(turner) if 50 <= number < 90 else turner, (x, y))
            boxes.append((x, y, *turner.size))
            yield canvas, boxes

    return encoded_clip(scenes(), SIZE, FPS)


def shown(path: Path, truth) -> tuple[int, int, int]:
    """(face-frames covered, face-frames, frames showing a face)."""
    import av

    from test_video_redact import face_inside

    good = total = showing = 0
    with av.open(str(path)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            dark = np.asarray(frame.to_image().convert("RGB")).max(axis=2) <= 30
            bad = 0
            for box in truth[number]:
                x, y, w, h = face_inside(box)
                total += 1
                ok = dark[y:y + h, x:x + w].mean() >= 0.9
                good += ok
                bad += not ok
            showing += bad > 0
    return good, total, showing


def timed(args) -> float:
    started = time.perf_counter()
    subprocess.run(args, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if shutil.which("deface") is None:
        print("deface is not installed (pip install deface)", file=sys.stderr)
        return 2
    from generate import moving_faces_clip
    from test_video_redact import annotated_face

    gliding = moving_faces_clip([annotated_face(args.corpus, n, i, s) for n, i, s in FACES], size=SIZE, frames=100)
    clips = {"gliding": gliding, "hard": hard_clip(args.corpus)}
    met = True
    with tempfile.TemporaryDirectory(prefix="mediavet-bench-") as scratch:
        scratch = Path(scratch)
        for name, (data, truth) in clips.items():
            clip = scratch / f"{name}.mp4"
            clip.write_bytes(data)
            deface_s = timed(["deface", str(clip), "--replacewith", "solid", "--boxes", "-o",
                              str(scratch / f"{name}-deface.mp4")])
            ours_s = timed([sys.executable, "-m", "mediavet", "redact", str(clip), "--no-text", "--no-codes", "-o",
                            str(scratch / name)])
            d_good, total, d_shown = shown(scratch / f"{name}-deface.mp4", truth)
            o_good, _, o_shown = shown(scratch / name / "safe-0001.mp4", truth)
            frames = len(truth)
            print(f"{name}: {SIZE[0]}x{SIZE[1]}, {frames} frames, {total} face-frames")
            print(f"  deface:   {d_shown} frames show a face ({d_good}/{total} face-frames covered); "
                  f"{frames / deface_s:.1f} frames per second")
            print(f"  mediavet: {o_shown} frames show a face ({o_good}/{total} face-frames covered); "
                  f"{frames / ours_s:.1f} frames per second (start-up, both passes, the optical flow and the "
                  "fail-closed check included)")
            met = met and o_shown == 0
    print("target (0 frames showing a face on every clip):", "met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
