"""redact: safe copies of photos that carry pixels and nothing else, proven before written.

One file at a time: probe, decode upright in sRGB, encode a fresh file, write it to a
temporary file in the output directory, re-read that file with our own metadata reader
and the strict structure walk, and only then move it to its name. A copy that cannot be
proven clean is deleted and reported (exit 4); the original is only ever read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from mediavet.media import DEFAULT_MAX_PIXELS, MediaError, probe
from mediavet.redact.audit import audit_media
from mediavet.redact.encode import EXTENSIONS, decode, encode, output_format

WRITTEN, REFUSED, ERROR, PENDING = "written", "refused", "error", "pending"


@dataclass(frozen=True)
class RedactOptions:
    quality: int = 92
    heif_format: str | None = None  # what HEIC/HEIF becomes (default JPEG)
    all_frames: bool = False
    overwrite: bool = False
    max_pixels: int = DEFAULT_MAX_PIXELS


@dataclass
class Outcome:
    input: str
    status: str  # written, refused (not provably clean: exit 4), error (unreadable: exit 3), pending
    message: str = ""
    output: str | None = None  # while pending: the proven temporary file
    extension: str | None = None
    input_sha256: str | None = None
    output_sha256: str | None = None

    def to_json(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "extension"}


def safe_copy(path, outdir: Path, options: RedactOptions = RedactOptions()) -> Outcome:
    """Make a proven-clean copy of `path` as a hidden temporary file in `outdir`; never raises
    for a bad file. The copy gets its name from `place()`, in input order, so that neutral
    names stay contiguous whatever fails."""
    outcome = Outcome(input=str(path), status=ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _copy_into(outcome, Path(path), Path(outdir), options)
        except MediaError as exc:
            outcome.status, outcome.message = ERROR, exc.message
        except Exception as exc:  # one file's failure must not stop the batch
            outcome.status, outcome.message = ERROR, f"mediavet failed on this file: {type(exc).__name__}: {exc}"[:300]
    return outcome


def refusal(media) -> str | None:
    """Why this input is not made into a safe copy, or None."""
    if media.metadata.structure_error:
        return media.metadata.structure_error
    if any(key.endswith(("DNGVersion", "Tag 0xC612")) for key in media.metadata.exif.tags or {}):
        return "RAW (DNG) files are not decoded by mediavet; export a JPEG or TIFF first"
    return None


def _copy_into(outcome: Outcome, path: Path, outdir: Path, options: RedactOptions) -> None:
    media = probe(path, max_pixels=options.max_pixels)
    outcome.input_sha256 = media.sha256
    reason = refusal(media)
    if reason:
        raise MediaError("unsupported", reason)
    fmt = output_format(media.format, options.heif_format)
    picture = decode(media, options.all_frames)
    data = encode(picture, fmt, options.quality)
    handle, temporary = tempfile.mkstemp(prefix=".mediavet-", suffix=".part", dir=outdir)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        leftovers = prove_clean(Path(temporary), fmt, picture.frames[0].size)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if leftovers:
        Path(temporary).unlink(missing_ok=True)
        outcome.status = REFUSED
        outcome.message = "output not provably clean, nothing written: " + "; ".join(leftovers)[:400]
        return
    os.chmod(temporary, 0o666 & ~_umask())
    outcome.status, outcome.output, outcome.extension = PENDING, temporary, EXTENSIONS[fmt]
    outcome.output_sha256 = hashlib.sha256(data).hexdigest()


def place(outcome: Outcome, target: Path, overwrite: bool) -> None:
    """Give a pending copy its name: atomically, and never over an existing file unless asked
    (a hard link fails when the name exists). The temporary file goes either way."""
    temporary = Path(outcome.output)
    try:
        if overwrite:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise MediaError("exists", f"{target} already exists (use --overwrite to replace it)") from None
            except OSError:  # file systems without hard links
                if target.exists():
                    raise MediaError("exists", f"{target} already exists (use --overwrite to replace it)") from None
                os.replace(temporary, target)
        outcome.status, outcome.output = WRITTEN, str(target)
    except MediaError as exc:
        outcome.status, outcome.output, outcome.output_sha256, outcome.message = ERROR, None, None, exc.message
    finally:
        temporary.unlink(missing_ok=True)


def discard(outcome: Outcome) -> None:
    """Drop a pending copy that will not be placed (an interrupted batch)."""
    if outcome.status == PENDING and outcome.output:
        Path(outcome.output).unlink(missing_ok=True)


def prove_clean(path: Path, fmt: str, expected_size: tuple[int, int]) -> list[str]:
    """Everything identifying or unexplained in a written copy; [] is the proof."""
    try:
        copy = probe(path)
    except MediaError as exc:
        return [f"the copy cannot be read back: {exc.message}"]
    if copy.format != fmt:
        return [f"the copy is {copy.format}, expected {fmt}"]
    found = [f"{finding.id}: {finding.message}" for finding in audit_media(copy)]
    try:
        if copy.stored_size != expected_size:
            found.append(f"the copy is {copy.stored_size}, expected {expected_size}")
        if fmt == "jpeg":
            copy.image(max_side=64)  # cheap (DCT-domain); PNG/WebP were checked chunk by chunk
    except MediaError as exc:
        found.append(f"the copy does not decode: {exc.message}")
    return found


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
