"""File-level archive operations: where the index lives, fingerprinting a file, adding one.

The index path comes from --db, else $MEDIAVET_INDEX, else the user data directory.
"""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from mediavet.archive.hashing import HASH_SIDE, Fingerprint, fingerprint, lookup_side, lookup_views
from mediavet.archive.index import HashIndex
from mediavet.archive.keypoints import KEYFRAME_STORED
from mediavet.errors import MediaError


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
        from mediavet.archive.keyframes import keyframes

        media.check_frames()
        shown = [(frame.seconds, frame.image) for frame in keyframes(media.path)]
    else:
        shown = [(None, media.image(max_side=lookup_side(media.size) if for_lookup else HASH_SIDE))]
    if not for_lookup:
        stored = KEYFRAME_STORED if media.is_video else None
        return [(seconds, fingerprint(image, stored=stored)) for seconds, image in shown]
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


@dataclass
class Prints:
    """What `index add` keeps of one file, made where the file is read (a worker): its sha256,
    the digest of its pixels, (second, fingerprint) per view; or why it could not be read."""
    path: str
    sha256: str | None = None
    pixels: str | None = None
    views: list = field(default_factory=list)
    error: str | None = None


def prints(path, max_pixels: int | None = None, known_in: str | None = None) -> Prints:
    """Fingerprint one file for the archive; never raises for a bad file. `known_in`: an index
    this worker can read; a file whose bytes it already holds is not fingerprinted again."""
    found = Prints(str(path))
    try:
        with _reading(path, max_pixels, "fingerprint") as media:
            found.sha256 = media.sha256
            if known_in and _known(known_in, media.sha256):
                return found
            found.pixels = None if media.is_video else pixel_digest(media)
            found.views = views(media)
    except MediaError as exc:
        found.error = exc.message
    return found


def lookup(path, db: str, max_distance: int | None = None, max_pixels: int | None = None) -> dict:
    """`index query` for one file, where the file is read (a worker reads the index too):
    its matches best first, exact entries, PDQ quality; or its error. Never raises for a bad
    file."""
    from mediavet.verify.duplicates import best_matches

    try:
        with _reading(path, max_pixels, "look up") as media:
            seen = views(media, for_lookup=True)
            archive = reader(db)
            matches = [dict(m.to_json(), query_at=at) for m, at in best_matches(archive, seen, media.size, max_distance)]
            return {"path": str(path), "pdq_quality": seen[0][1].hashes[0].quality,
                    "exact": archive.exact(media.sha256), "matches": matches}
    except MediaError as exc:
        return {"path": str(path), "error": exc.message}


@contextmanager
def _reading(path, max_pixels: int | None, what: str):
    """The probed file for the block; every failure in it (a damaged structure, an undecodable
    picture, a bug a strange file shows) becomes a one-line MediaError for this file."""
    import warnings

    from mediavet.media import DEFAULT_MAX_PIXELS, probe

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # decoders warn about the very damage the error names
        try:
            media = probe(path, max_pixels=max_pixels or DEFAULT_MAX_PIXELS)
            if media.metadata.structure_error:
                raise MediaError("corrupt", media.metadata.structure_error)
            yield media
        except MediaError:
            raise
        except Exception as exc:  # one bad file must not stop a batch
            raise MediaError("corrupt", f"cannot {what} this picture ({type(exc).__name__}: {exc})"[:300]) from None


@lru_cache(maxsize=4)
def reader(db: str) -> HashIndex:
    """An index this process only reads, opened once per process (a worker, a verify run);
    each query sees what the writer committed since."""
    return open_index(db)


def _known(db: str, sha256: str) -> bool:
    return bool(reader(db).exact(sha256))


def insert(index: HashIndex, found: Prints, label: str, source: str | None, store_path: bool) -> int | None:
    """Add one fingerprinted file (in the driver: one writer); None when the same bytes are
    already in the index."""
    if not found.views or index.exact(found.sha256):
        return None
    path = str(Path(found.path).resolve()) if store_path else None
    items = [index.add(found.sha256, entry, label=label, source=source, path=path, pixels=found.pixels, at=at)
             for at, entry in found.views]
    return items[0]