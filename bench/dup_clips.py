"""Archive matching of clips reframed to 9:16 or filmed off a screen (issue #15).

Indexes every corpus clip (MP4/MOV) keyframe by keyframe, then looks up two altered copies of
the first 4 s of each: the middle 9:16 of the frame, scaled up as a phone app reframes it, and
every frame shown on a screen photographed at an angle (bench/dup_accuracy.py's screen). For
each, whether the right clip is found and which other clips match, with the keypoints a
keyframe's entry keeps (keypoints.KEYFRAME_STORED) and with a photo's (keypoints.STORED),
against plain pHash of the keyframes (<= 10) in the same run; index size per keyframe.

    python bench/dup_clips.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import dup_accuracy as scenes  # noqa: E402
from mediavet.archive import keypoints, store  # noqa: E402


def clip_frames(path, seconds: float = 4.0):
    """The frames of the clip's first `seconds`, as RGB pictures."""
    import av

    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time > seconds:
                break
            yield frame.to_image().convert("RGB")


def vertical(frame):
    """The middle 9:16 of a landscape frame, scaled to 360×640, as a phone app reframes it."""
    width = round(frame.height * 9 / 16)
    left = (frame.width - width) // 2
    return frame.crop((left, 0, left + width, frame.height)).resize((360, 640), Image.Resampling.BICUBIC)


def write_clip(frames, path: Path) -> Path:
    """An H.264 MP4 of the frames (samples/generate.py's encoder; an odd last row or column is
    cut: 4:2:0 needs even sides), written to `path`."""
    from generate import encoded_clip

    frames = list(frames)
    size = (frames[0].width // 2 * 2, frames[0].height // 2 * 2)
    data, _ = encoded_clip(((frame.crop((0, 0) + size), []) for frame in frames), size)
    path.write_bytes(data)
    return path


def main() -> int:
    import imagehash

    from mediavet.archive.index import HashIndex
    from mediavet.media import probe

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if not (args.corpus / "video").is_dir():
        print(f"corpus videos not found under {args.corpus}", file=sys.stderr)
        return 2
    clips = sorted(p for p in (args.corpus / "video").iterdir() if p.suffix.lower() in (".mp4", ".mov"))
    alterations = {"vertical": vertical, "screen": lambda frame: scenes.screen_photo(frame, seed=4)[0]}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        copies = {clip.name: {name: write_clip(map(change, clip_frames(clip)), folder / f"{clip.stem}-{name}.mp4")
                              for name, change in alterations.items()} for clip in clips}
        print(f"{len(clips)} corpus clips indexed, {len(alterations)} alterations each (first 4 s)\n")
        print(f"{'alteration':10s} {'kept':>5s} {'found':>6s} {'others':>7s} {'pHash found':>12s} {'pHash others':>13s}")
        archived = {clip.name: [imagehash.phash(image) for _, image in _keyframes(clip)] for clip in clips}
        for kept in (store.KEYFRAME_STORED, keypoints.STORED):
            store.KEYFRAME_STORED = kept
            index = HashIndex(folder / f"index-{kept}.db")
            entries = 0
            for clip in clips:
                for _, print_ in store.views(probe(clip)):
                    index.add(None, print_, label=clip.name)
                    entries += 1
            for name in alterations:
                found = others = hash_found = hash_others = 0
                for clip in clips:
                    copy = copies[clip.name][name]
                    labels = {m.label for _, view in store.views(probe(copy), for_lookup=True) for m in index.query(view)}
                    seen = [imagehash.phash(image) for _, image in _keyframes(copy)]
                    near = {other for other, hashes in archived.items() if min(a - b for a in hashes for b in seen) <= 10}
                    found, others = found + (clip.name in labels), others + len(labels - {clip.name})
                    hash_found, hash_others = hash_found + (clip.name in near), hash_others + len(near - {clip.name})
                    for other in sorted(labels - {clip.name}):
                        print(f"    {name} {clip.name} also matches {other}")
                print(f"{name:10s} {kept:5d} {found:3d}/{len(clips):<2d} {others:7d} {hash_found:9d}/{len(clips):<2d} "
                      f"{hash_others:13d}")
            index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            index.db.execute("VACUUM")
            size = (folder / f"index-{kept}.db").stat().st_size
            index.close()
            print(f"{'':10s} {kept:5d} keypoints a keyframe: {size / entries / 1024:.1f} KiB per keyframe "
                  f"({entries} keyframes)")
    return 0


def _keyframes(path):
    from mediavet.archive.keyframes import keyframes

    return [(frame.seconds, frame.image) for frame in keyframes(path)]


if __name__ == "__main__":
    sys.exit(main())
