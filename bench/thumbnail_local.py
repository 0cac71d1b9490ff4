"""Detection and false alarms of exif.thumbnail_mismatch's local comparison on the corpus.

Edits: every corpus camera JPEG with a thumbnail (upright), changed three ways (painted over,
cloned from elsewhere in the picture, pasted from another photo) at 10, 20 and 30% of its
area, saved with the original EXIF and thumbnail. False alarms: every corpus file whose
thumbnail the global check accepts, untouched. Not a test: prints the figures.

    python bench/thumbnail_local.py [CORPUS]
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_thumbnail_local import edited  # noqa: E402  (the tests' own edit generator)

from mediavet.media import probe  # noqa: E402
from mediavet.verify.checks.thumbnail import THRESHOLD, aligned, local_difference, similarity  # noqa: E402


def verdict(media) -> str:
    """"global", "local" or "quiet" for one file."""
    thumb = media.thumbnail().convert("RGB")
    score, variant = similarity(thumb, media.image(max_side=256))
    if score < THRESHOLD:
        return "global"
    return "local" if local_difference(*aligned(thumb, media.image(max_side=1024), variant)) else "quiet"


def main(corpus: Path) -> None:
    warnings.simplefilter("ignore")
    originals = quiet = 0
    alarms = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() not in (".jpg", ".jpeg", ".tif", ".heic", ".webp", ".png"):
            continue
        try:
            media = probe(path)
            if not media.metadata.exif.thumbnail or verdict(media) == "global":
                continue
            originals += 1
            if verdict(media) == "local":
                alarms.append(path.relative_to(corpus))
            else:
                quiet += 1
        except Exception:
            continue
    found = total = 0
    scratch = tempfile.mkdtemp(prefix="mediavet-bench-")
    for number, path in enumerate(sorted((corpus / "exif_jpeg").glob("*.jpg"))):
        media = probe(path)
        if not media.metadata.exif.thumbnail or media.metadata.orientation != 1:
            continue
        for kind in ("paint", "clone", "paste"):
            for share in (0.1, 0.2, 0.3):
                data, _box = edited(path, kind, share, number)
                probe_path = Path(scratch) / "edit.jpg"
                probe_path.write_bytes(data)
                total += 1
                found += verdict(probe(probe_path)) != "quiet"
    print(f"edits found: {found} of {total} ({found / total:.1%})")
    print(f"untouched files with a matching thumbnail: {originals}, local alarms: {len(alarms)}")
    for path in alarms:
        print(f"  alarm: {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpus")
