"""File-level archive operations: where the index lives, fingerprinting a file, adding one.

The index path comes from --db, else $MEDIAVET_INDEX, else the user data directory.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import replace
from pathlib import Path

from mediavet.hashing import HASH_SIDE, Fingerprint, fingerprint, lookup_views
from mediavet.index import HashIndex


def index_path(db: str | None = None) -> Path:
    if db:
        return Path(db)
    if os.environ.get("MEDIAVET_INDEX"):
        return Path(os.environ["MEDIAVET_INDEX"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "mediavet" / "index.db"


def open_index(db: str | None = None, create: bool = False) -> HashIndex:
    path = index_path(db)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return HashIndex(path, create=create)


def views(media, for_lookup: bool = False) -> list[tuple[float | None, Fingerprint]]:
    """(second, fingerprint) for what a file shows: a photo once (second None), a clip once
    per keyframe. A lookup also looks at every picture found inside the photo or keyframe
    (a screenshot's post, a collage's tiles), each fingerprint's region in the file's pixels."""
    if media.is_video:
        from mediavet.keyframes import keyframes

        media.check_frames()
        shown = [(frame.seconds, frame.image) for frame in keyframes(media.path)]
    else:
        shown = [(None, media.image(max_side=HASH_SIDE))]
    if not for_lookup:
        return [(seconds, fingerprint(image)) for seconds, image in shown]
    found = []
    for seconds, image in shown:
        factor = media.size[0] / image.width
        for view in lookup_views(image):
            found.append((seconds, replace(view, region=tuple(round(v * factor) for v in view.region))))
    return found


def pixel_digest(media) -> str:
    """sha256 of the upright full-size RGB pixels: the same picture with other metadata, or
    re-wrapped losslessly, has the same digest."""
    image = media.image().convert("RGB")
    digest = hashlib.sha256(f"{image.width}x{image.height}\n".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def add_media(index: HashIndex, media, label: str, source: str | None, store_path: bool) -> tuple[bool, int | None]:
    """Add one probed file; (False, None) when the same bytes are already in the index."""
    if index.exact(media.sha256):
        return False, None
    path = str(Path(media.path).resolve()) if store_path else None
    pixels = None if media.is_video else pixel_digest(media)
    items = [index.add(media.sha256, entry, label=label, source=source, path=path, pixels=pixels, at=at)
             for at, entry in views(media)]
    return True, items[0]
