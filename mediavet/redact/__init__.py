"""redact: safe copies of photos that carry pixels and nothing else, proven before written.

One file at a time: probe, decode upright in sRGB, find and cover what identifies people
(or apply a reviewed plan), check the covered pixels with the detectors again, encode a
fresh file, write it to a temporary file in the output directory, re-read that file with
our own metadata reader and the strict structure walk, and only then move it to its name.
A copy that cannot be proven clean is deleted and reported (exit 4); the original is only
ever read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from mediavet import signals
from mediavet.errors import MediaError, stable
from mediavet.media import DEFAULT_MAX_PIXELS, probe
from mediavet.redact.audit import audit_media
from mediavet.redact.encode import EXTENSIONS, decode, encode, output_format
from mediavet.redact.protect import ProtectOptions, checked, described, find_regions

WRITTEN, REFUSED, ERROR, PENDING, PLANNED = "written", "refused", "error", "pending", "planned"
UNCHANGED = "unchanged"  # copied by an earlier run with the same settings; the copy is still there
VIDEO_ROUNDS = 4  # covering text shows weaker text beside it; with the sensor noise replaced two corpus clips need 4


@dataclass(frozen=True)
class RedactOptions:
    quality: int = 92
    heif_format: str | None = None  # what HEIC/HEIF and AVIF (default JPEG) and RAW (default 16-bit PNG) become
    all_frames: bool = False
    overwrite: bool = False
    max_pixels: int = DEFAULT_MAX_PIXELS
    protect: ProtectOptions = field(default_factory=ProtectOptions)
    plan: dict | None = None  # entries of a reviewed plan by resolved path: then nothing is detected
    crf: int = 20  # video: libx264 constant rate factor
    keep_audio: bool = False  # video: voices identify people, so audio is dropped unless asked for
    sensor: str | None = "normal"  # photos and video frames: how strongly the sensor noise is replaced (redact/sensor.py); None: kept


@dataclass
class Outcome:
    input: str
    status: str  # written, refused (not provably clean: exit 4), error (unreadable: exit 3), pending
    message: str = ""
    output: str | None = None  # while pending: the proven temporary file
    extension: str | None = None
    regions: dict = field(default_factory=dict)  # covered regions per kind
    plan: dict | None = None  # the plan entry, when planning
    found: list | None = None  # the Regions (for previews)
    input_sha256: str | None = None
    output_sha256: str | None = None
    frames: dict | None = None  # a clip: frames written, frames the detectors checked again, rounds
    missed: list | None = None  # refused: the Regions the re-check found uncovered (a reviewer's new candidates)
    data: bytes | None = None  # pending, from a worker on another machine: the proven copy's bytes

    def to_json(self) -> dict:
        return {key: value for key, value in self.__dict__.items()
                if key not in ("extension", "plan", "found", "missed", "data")}


def safe_copy(path, outdir: Path, options: RedactOptions = RedactOptions(), on_frame=None) -> Outcome:
    """Make a proven-clean copy of `path` as a hidden temporary file in `outdir`; never raises
    for a bad file. The copy gets its name from `place()`, in input order, so that neutral
    names stay contiguous whatever fails."""
    return _guarded(path, lambda outcome: _copy_into(outcome, Path(path), Path(outdir), options, on_frame))


def remote_copy(path, options: RedactOptions = RedactOptions()) -> Outcome:
    """`safe_copy` on a worker that may not see the output folder: the proven copy comes back
    as bytes (`data`), for `receive` to write in the driver."""
    with tempfile.TemporaryDirectory(prefix="mediavet-copy-") as scratch:
        outcome = safe_copy(path, Path(scratch), options)
        if outcome.status == PENDING:
            outcome.data = Path(outcome.output).read_bytes()
            outcome.output = None
    return outcome


def receive(outcome: Outcome, outdir: Path) -> None:
    """Write a copy a worker sent as bytes to a temporary file in `outdir`, pending its name
    like a local one; bytes that do not match the sha256 the worker proved are refused."""
    data, outcome.data = outcome.data, None
    if hashlib.sha256(data).hexdigest() != outcome.output_sha256:
        outcome.status, outcome.message = REFUSED, "the copy changed on its way from the worker, nothing written"
        return
    temporary = _written(data, outdir)
    try:
        os.chmod(temporary, 0o666 & ~_umask())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    outcome.output = temporary


def plan_file(path, options: RedactOptions = RedactOptions()) -> Outcome:
    """Detect the regions of one photo for a plan; writes nothing."""
    return _guarded(path, lambda outcome: _plan_into(outcome, Path(path), options))


def _guarded(path, work) -> Outcome:
    outcome = Outcome(input=str(path), status=ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            work(outcome)
        except MediaError as exc:
            outcome.status, outcome.message = ERROR, exc.message
        except ValueError as exc:  # a manual region outside the picture
            outcome.status, outcome.message = ERROR, str(exc)
        except Exception as exc:  # one file's failure must not stop the batch
            outcome.status, outcome.message = ERROR, f"mediavet failed on this file: {type(exc).__name__}: {stable(exc)}"[:300]
    return outcome


def _open(outcome: Outcome, path: Path, options: RedactOptions):
    media = probe(path, max_pixels=options.max_pixels)
    outcome.input_sha256 = media.sha256
    reason = refusal(media)
    if reason:
        raise MediaError("unsupported", reason)
    if media.is_video:
        media.check_frames()  # every frame is decoded, covered and encoded
        return media, None
    return media, decode(media, options.all_frames)


def _plan_into(outcome: Outcome, path: Path, options: RedactOptions) -> None:
    from mediavet.redact import plan

    media, picture = _open(outcome, path, options)
    if media.is_video:
        from mediavet.redact import video

        fps = video.frame_rate(path)
        regions, count, size = video.find_video_regions(path, options.protect, fps, options.sensor)
        # the same rounds a direct copy makes: an unedited plan applies to the same copy
        regions, _missed, _rounds = video.settle(regions, lambda r: video.check_frames(path, r, options.sensor),
                                                 options.protect, fps, size, count, VIDEO_ROUNDS)
        outcome.plan = plan.entry(path, media.sha256, size, regions, frames=count, fps=fps)
    else:
        # the regions a direct copy covers, the check's included: an unedited plan applies to the same copy
        regions, _covered, _missed = checked(picture.frames, find_regions(picture.frames, options.protect),
                                             options.protect)
        outcome.plan = plan.entry(path, media.sha256, picture.frames[0].size, regions)
    outcome.regions, outcome.found = count_regions(regions), regions
    outcome.status = PLANNED


def count_regions(regions) -> dict:
    """Covered regions per kind, and under "review" those left for a person to look at; in a
    clip, a tracked face or text counts once however many pieces its track has."""
    seen: dict[str, set] = {}
    for number, region in enumerate(regions):
        key = region.kind if region.covered else "review" if region.action == "review" else None
        if key:
            seen.setdefault(key, set()).add(("track", region.track) if region.track is not None else number)
    return {key: len(members) for key, members in seen.items()}


def refusal(media) -> str | None:
    """Why this input is not made into a safe copy, or None."""
    try:
        media.tolerated_damage()  # a damaged file whose pixels decode still gets a fresh copy
    except MediaError as exc:
        return exc.message
    return None


def _copy_into(outcome: Outcome, path: Path, outdir: Path, options: RedactOptions, on_frame=None) -> None:
    media, picture = _open(outcome, path, options)
    if media.is_video:
        return _copy_video(outcome, media, path, outdir, options, on_frame)
    if options.plan is not None:
        planned = options.plan[str(path.resolve())]
        if tuple(picture.frames[0].size) != tuple(planned["size"]):
            raise MediaError("plan", f"the picture is {picture.frames[0].size}, the plan says {planned['size']}")
        # a person decided: what the check finds is a reason to refuse, not to cover more
        regions, covered, still_visible = checked(picture.frames, options.protect.settled(planned["regions"]),
                                                  options.protect, planned["decided"], checks=1)
    else:
        regions, covered, still_visible = checked(picture.frames, find_regions(picture.frames, options.protect),
                                                  options.protect)
    uncovered_first, picture.frames = picture.frames[0], covered
    outcome.regions, outcome.found = count_regions(regions), regions
    if still_visible:
        outcome.status, outcome.missed = REFUSED, still_visible
        outcome.message = "faces or text still visible, nothing written: " + "; ".join(described(still_visible))[:400]
        return
    covered_first, step = picture.frames[0], 0
    if options.sensor:
        from mediavet.redact import sensor

        picture.frames, share, step = sensor.replaced(picture.frames, options.sensor, uncovered_first,
                                                      sensor.covered_mask(regions, uncovered_first.size))
        if why := sensor.traceable(share):
            outcome.status, outcome.message = REFUSED, why + "; nothing written"
            return
    fmt = output_format(media.format, options.heif_format)
    if media.format == "raw" and fmt == "png":  # the sensor's depth kept: 16 bits a channel
        data = _deep_copy(media, uncovered_first, covered_first, picture.frames[0], regions, options.sensor, step)
    else:
        data = encode(picture, fmt, options.quality)
    temporary = _written(data, outdir)
    try:
        leftovers = prove_clean(Path(temporary), fmt, picture.frames[0].size)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _conclude(outcome, temporary, leftovers, EXTENSIONS[fmt], lambda: hashlib.sha256(data).hexdigest())


def _written(data: bytes, outdir: Path) -> str:
    """`data` in a new hidden temporary file of this run in `outdir`, on disk (fsync); nothing
    is left behind when writing fails."""
    handle, temporary = tempfile.mkstemp(prefix=signals.prefix(), suffix=".part", dir=outdir)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _deep_copy(media, original, covered, final, regions, unlinked: str | None, step: int) -> bytes:
    """A RAW's safe copy at 16 bits: the 16-bit development (its sensor noise replaced the same
    way) outside the covered regions, the final 8-bit picture inside them and wherever
    covering changed a pixel."""
    import numpy as np

    from mediavet import raw
    from mediavet.redact.encode import encode_deep

    deep = raw.deep_pixels(media.data)
    if deep.shape[1::-1] != covered.size:
        raise MediaError("corrupt", f"LibRaw developed {deep.shape[1]}x{deep.shape[0]} pixels at 16 bits and "
                                    f"{covered.size[0]}x{covered.size[1]} at 8")
    from mediavet.redact.sensor import covered_mask, unlink_deep

    if unlinked:
        deep = unlink_deep(deep, unlinked, step)
    mask = covered_mask(regions, covered.size)
    mask |= (np.asarray(covered.convert("RGB")) != np.asarray(original.convert("RGB"))).any(axis=2)
    return encode_deep(final, deep, mask)


def _copy_video(outcome: Outcome, media, path: Path, outdir: Path, options: RedactOptions, on_frame=None) -> None:
    from mediavet.redact import video
    from mediavet.redact.sensor import traceable

    fps = video.frame_rate(path)
    decided: list = []
    if options.plan is not None:
        planned = options.plan[str(path.resolve())]
        if tuple(media.size) != tuple(planned["size"]):
            raise MediaError("plan", f"the clip is {media.size}, the plan says {planned['size']}")
        regions, rounds, decided = options.protect.settled(planned["regions"]), 1, planned["decided"]
        total = planned.get("frames") or 10 ** 9
    else:
        regions, total, _size = video.find_video_regions(path, options.protect, fps, options.sensor)
        rounds = VIDEO_ROUNDS
    handle, temporary = tempfile.mkstemp(prefix=signals.prefix(), suffix=".part", dir=outdir)
    os.close(handle)
    carried: list = []  # per rendering: the largest share of sensor noise a check frame kept, and the step

    def render(regions):
        step = carried[-1][1] if carried else None
        while True:  # a check frame that carried too much raised the step: write again from it
            written = video.write_copy(path, temporary, regions, options.protect, options.crf, options.keep_audio,
                                       on_frame, options.sensor, step)
            carried.append(written["sensor"])
            if not traceable(written["sensor"][0]) or written["sensor"][1] == step:
                break
            step = written["sensor"][1]
        outcome.frames = {"total": written["frames"], "checked": len(written["rechecks"])}
        return written["rechecks"]

    try:
        regions, missed, used = video.settle(regions, render, options.protect, fps, tuple(media.size), total, rounds,
                                             decided)
        outcome.frames["rounds"] = used
        outcome.missed = missed or None
        problems = video.leftovers(temporary, missed, options.keep_audio)
        problems += [why for why in [traceable(carried[-1][0])] if why]
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    outcome.regions, outcome.found = count_regions(regions), regions

    def digest():
        with open(temporary, "rb") as copy:
            return hashlib.file_digest(copy, "sha256").hexdigest()

    _conclude(outcome, temporary, problems, ".mp4", digest)


def _conclude(outcome: Outcome, temporary: str, problems: list[str], extension: str, digest) -> None:
    """Delete and refuse a copy that is not provably clean; else mark it pending its name."""
    if problems:
        Path(temporary).unlink(missing_ok=True)
        outcome.status = REFUSED
        outcome.message = "output not provably clean, nothing written: " + "; ".join(problems)[:400]
        return
    os.chmod(temporary, 0o666 & ~_umask())
    outcome.status, outcome.output, outcome.extension = PENDING, temporary, extension
    outcome.output_sha256 = digest()


def place(outcome: Outcome, target: Path, overwrite: bool) -> None:
    """Give a pending copy its name: atomically, and never over an existing file unless asked
    (a hard link fails when the name exists). The temporary file goes either way."""
    from mediavet.outputs import replaceable_copy

    temporary = Path(outcome.output)
    try:
        if overwrite and (target.exists() or target.is_symlink()):
            reason = replaceable_copy(target)
            if reason:
                raise MediaError("exists", f"{reason}; it is left alone")
            os.replace(temporary, target)
        elif overwrite:
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
    outcome.data = None
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
