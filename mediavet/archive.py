"""File-level archive operations: where the index lives, fingerprinting a file, adding one.

The index path comes from --db, else $MEDIAVET_INDEX, else the user data directory.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from mediavet.hashing import HASH_SIDE, Fingerprint, fingerprint
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


def media_fingerprint(media, for_lookup: bool = False) -> Fingerprint:
    """The fingerprint of a probed photo, decoded only as large as hashing needs (JPEG draft)."""
    return fingerprint(media.image(max_side=HASH_SIDE), for_lookup=for_lookup)


def views(media, for_lookup: bool = False) -> list[tuple[float | None, Fingerprint]]:
    """(second, fingerprint) for what a file shows: a photo once (second None), a clip once
    per keyframe."""
    if not media.is_video:
        return [(None, media_fingerprint(media, for_lookup))]
    from mediavet.keyframes import keyframes

    media.check_frames()
    return [(frame.seconds, fingerprint(frame.image, for_lookup=for_lookup)) for frame in keyframes(media.path)]


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
