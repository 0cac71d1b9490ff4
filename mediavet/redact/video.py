"""Safe copies of video: faces and text covered on every frame, nothing but one H.264 stream.

Two passes over the clip. The first runs the photo detectors on every STEP-th frame and
links the boxes of consecutive samples into tracks; between two samples a track covers the
hull of both boxes (where the face was, where it went, and everything between), and it
stays covered for a margin of frames before its first and after its last sample. The
second pass decodes again, applies the rotation to the pixels, covers the regions active
on each frame, and encodes H.264 (libx264) in an MP4 whose index comes first. Audio is
dropped unless asked for; every data, subtitle, attachment and timecode track, and every
container and stream tag, is left behind.

Fail closed: the copy is read back (one video stream, audio only when asked, no tags, no
location, no creation time), and frames half-way between the detection samples are run
through the face and text detectors again; anything uncovered means no copy.
"""

from __future__ import annotations

import fractions
from dataclasses import replace

from mediavet.errors import MediaError
from mediavet.redact.detectors import detect
from mediavet.redact.regions import Region, hull, iou

STEP = 5  # detect on every 5th frame (6 times a second at 30 fps)
HOLD_SECONDS = 0.5  # a region stays covered this long before its first and after its last detection
CARRY_SECONDS = 5  # a face track is followed by optical flow at most this long beyond its detections
GROWTH = 0.02  # a followed box grows by this share per side for every frame since its last detection
TIME_BASE = fractions.Fraction(1, 90000)
ALLOWED_CONTAINER_TAGS = {"major_brand", "minor_version", "compatible_brands"}
ALLOWED_STREAM_TAGS = {"language", "handler_name", "vendor_id"}
GENERIC_HANDLERS = {"VideoHandler", "SoundHandler"}


def _frames(path):
    """(number, upright PIL image, seconds) for every frame of the first video stream."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for number, frame in enumerate(container.decode(stream)):
            image = frame.to_image()
            rotation = int(round(getattr(frame, "rotation", 0) or 0))
            if rotation % 360:
                image = image.rotate(rotation, expand=True)
            yield number, image, (float(frame.time) if frame.time is not None else None)


def find_video_regions(path, options, fps: float, sensor: str | None = None) -> tuple[list[Region], int, tuple[int, int]]:
    """Time-ranged regions for a clip, (regions, frame count, upright size).

    Detection runs on every STEP-th frame, and also half-way back to the previous sample
    wherever a face or text appeared or vanished since it (the detectors are struggling
    there); the samples' boxes are linked into tracks, and every face track is then followed
    with optical flow before its first and after its last detection (`_carried`). With
    `sensor`, the detectors look at the frames as they will be written (their sensor noise
    replaced): the check on the written frames then sees what the detection saw."""
    from mediavet.redact.protect import detection_rgb
    from mediavet.redact.sensor import unlink_frame

    hold = max(STEP, round(fps * HOLD_SECONDS))
    samples: list[tuple[int, list[Region]]] = []
    recent: dict[int, object] = {}
    count, size, last = 0, (0, 0), None

    def found_on(image):
        if sensor and options.kinds:
            image = unlink_frame(image, sensor)
        found = detect(detection_rgb(image), options.kinds, options.min_scores, turned=options.turned) \
            if options.kinds else []
        return [options.widened(r, size) for r in found]

    def sample(number, image):
        found = found_on(image)
        if samples and _changed(samples[-1][1], found):
            between = number - (number - samples[-1][0]) // 2
            if between in recent and between != samples[-1][0]:
                samples.append((between, found_on(recent[between])))
        samples.append((number, found))

    for number, image, _ in _frames(path):
        count, size, last = number + 1, image.size, image
        recent[number] = image
        recent.pop(number - STEP, None)
        if number % STEP == 0:
            sample(number, image)
    if not count:
        raise MediaError("corrupt", "no decodable video frames")
    if (count - 1) % STEP:
        sample(count - 1, last)  # the last frame too: nothing after it to hold a region over
    recent.clear()
    tracks = [[(frame, replace(region, track=number)) for frame, region in _decided(track)]
              for number, track in enumerate(_linked(samples), start=1)]
    regions = _track_regions(tracks, hold, count, size)
    regions += _carried(path, [t for t in tracks if t[0][1].kind == "face" and t[0][1].covered], count, size, fps)
    regions += [Region("manual", box, None, "manual", options.action, options.shape, (0, count - 1))
                for box in options.manual]
    return regions, count, size


def _changed(before: list[Region], after: list[Region]) -> bool:
    """Whether something appeared or vanished between two samples."""
    return len(before) != len(after) or any(max((_affinity(a, b) for b in after), default=0) == 0 for a in before)


def _linked(samples) -> list[list[tuple[int, Region]]]:
    """Each sample's boxes linked to the next sample's (same kind, overlapping or near)."""
    open_tracks: list[list[tuple[int, Region]]] = []
    finished = []
    for number, found in samples:
        unmatched = list(found)
        still_open = []
        for track in open_tracks:
            last = track[-1][1]
            best = max(unmatched, key=lambda r: _affinity(last, r), default=None)
            if best is not None and best.kind == last.kind and _affinity(last, best) > 0:
                track.append((number, best))
                unmatched.remove(best)
                still_open.append(track)
            else:
                finished.append(track)
        open_tracks = still_open + [[(number, region)] for region in unmatched]
    return finished + open_tracks


def _track_regions(tracks, hold: int, count: int, size) -> list[Region]:
    """Frame-ranged regions for linked tracks: between two samples the hull of both ends;
    before the first and after the last sample a region is held for `hold` frames, stretched
    along the track's motion (or grown by half its size when it was seen once)."""
    regions = []
    for track in tracks:
        first, last = track[0], track[-1]
        regions.append(replace(first[1], box=_held(track[:2], -hold, size), frames=(max(0, first[0] - hold), first[0])))
        for (a_frame, a), (b_frame, b) in zip(track, track[1:]):
            regions.append(replace(a, box=hull(a.box, b.box), score=max(a.score or 0, b.score or 0),
                                   frames=(a_frame, b_frame)))
        regions.append(replace(last[1], box=_held(track[-2:][::-1], hold, size),
                               frames=(last[0], min(count - 1, last[0] + hold))))
    return regions


def _carried(path, tracks, count: int, size, fps: float) -> list[Region]:
    """Regions for the frames where a face track is followed by optical flow (motion.py)
    before its first and after its last detection: until the tracker loses it (it left the
    frame or something covered it), a scene cut, a detector picks it up again, or CARRY_SECONDS.
    Each followed box grows with the frames since a detector last saw it (GROWTH per frame and
    side, at most half its size): the further from a detection, the less sure the tracker.
    One more decode of the clip, on small grey frames; going back in time uses the frames of
    the last CARRY_SECONDS, kept small."""
    from collections import deque

    from mediavet.redact import motion

    if not tracks:
        return []
    limit = max(1, round(fps * CARRY_SECONDS))
    starts: dict[int, list] = {}
    ends: dict[int, list] = {}
    for track in tracks:
        starts.setdefault(track[0][0], []).append(track)
        ends.setdefault(track[-1][0], []).append(track)
    kept: deque = deque(maxlen=limit + 1)  # (frame number, motion.Small), newest last
    followers: list[dict] = []  # forward: the track's region, its box now, [(frame, box, frames since seen)]
    runs: list[tuple[Region, list]] = []
    for number, image, _ in _frames(path):
        small = motion.Small(image)
        if kept:
            previous = kept[-1][1]
            scene_cut = motion.cut(previous, small)
            still = []
            for follower in followers:
                box = None if scene_cut else motion.follow(previous, small, follower["box"])
                again = any(iou(box, t[0][1].box) > 0.3 for t in starts.get(number, [])) if box else False
                if box is None or again or len(follower["boxes"]) >= limit:
                    runs.append((follower["region"], follower["boxes"]))
                    continue
                follower["box"] = box
                follower["boxes"].append((number, box, len(follower["boxes"]) + 1))
                still.append(follower)
            followers = still
        kept.append((number, small))
        for track in starts.get(number, []):  # back in time from the first detection
            box, boxes = track[0][1].box, []
            frames = list(kept)
            for (later_number, later), (earlier_number, earlier) in zip(frames[::-1], frames[-2::-1]):
                if later_number - earlier_number != 1 or motion.cut(earlier, later):
                    break
                box = motion.follow(later, earlier, box)
                if box is None:
                    break
                boxes.append((earlier_number, box, len(boxes) + 1))
            runs.append((track[0][1], boxes))
        for track in ends.get(number, []):
            followers.append({"region": track[-1][1], "box": track[-1][1].box, "boxes": []})
    runs += [(follower["region"], follower["boxes"]) for follower in followers]
    return [region for seed, boxes in runs for region in _chunks(seed, boxes, size, count)]


def followed(path, seed: Region, count: int, size, fps: float) -> list[Region]:
    """A box a person drew on one frame (`seed.frames[0]`), followed before and after it the
    way face tracks are followed beyond their detections (`_carried`)."""
    return _carried(path, [[(seed.frames[0], seed)]], count, size, fps)


def _chunks(seed: Region, boxes, size, count: int) -> list[Region]:
    """Followed boxes as regions of STEP frames each: the hull of their grown boxes."""
    boxes = sorted(boxes)
    regions = []
    for start in range(0, len(boxes), STEP):
        part = boxes[start:start + STEP]
        grown = None
        for _, box, since in part:
            growth = min(0.5, GROWTH * since)
            box = replace(seed, box=box).grown((growth, growth), size).box
            grown = box if grown is None else hull(grown, box)
        if grown and grown[2] and grown[3]:
            regions.append(replace(seed, box=grown, frames=(part[0][0], min(count - 1, part[-1][0])),
                                   detector=f"{seed.detector}+flow"))
    return regions


def _decided(track: list[tuple[int, Region]]) -> list[tuple[int, Region]]:
    """A track that was a face to cover on any sample is covered on all of them: the
    detectors' doubt on some frames (turned away, blurred) is not doubt about the person."""
    cover = next((region for _, region in track if region.covered), None)
    if cover is None:
        return track
    return [(number, region if region.covered else replace(region, action=cover.action, reason=None))
            for number, region in track]


def _held(points, frames: int, size) -> tuple[int, int, int, int]:
    """The box of points[0] swept over `frames` frames along its motion from points[1]."""
    from mediavet.redact.regions import clip

    (frame, region), rest = points[0], points[1:]
    x, y, w, h = region.box
    if not rest:  # seen once: no motion known, so allow for some in every direction
        return clip((x - w // 2, y - h // 2, 2 * w, 2 * h), size)
    other_frame, other = rest[0]
    steps = abs(frame - other_frame) or 1
    vx, vy = (x - other.box[0]) / steps, (y - other.box[1]) / steps
    moved = (round(x + vx * abs(frames)), round(y + vy * abs(frames)), w, h)
    return clip(hull(region.box, moved), size)


def _affinity(a: Region, b: Region) -> float:
    """How likely b is a later view of a: overlap, or centres within a box size."""
    if a.kind != b.kind:
        return 0.0
    overlap = iou(a.box, b.box)
    if overlap > 0:
        return 1.0 + overlap
    ax, ay = a.box[0] + a.box[2] / 2, a.box[1] + a.box[3] / 2
    bx, by = b.box[0] + b.box[2] / 2, b.box[1] + b.box[3] / 2
    reach = max(a.box[2], a.box[3], b.box[2], b.box[3])
    distance = ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5
    return max(0.0, 1.0 - distance / reach)


def settle(regions: list[Region], render, options, fps: float, size, total: int, rounds: int,
           decided: list[Region] = ()) -> tuple[list[Region], list[Region], int]:
    """Cover the clip (`render(regions)` returns the check frames, those half-way between the
    detection samples) and run the detectors on the check frames again: what they find that
    no region (nor a `decided` one: a plan's record of what a person deleted) accounts for is
    added, widened and held, and the clip covered again, up to `rounds` times. Covering text
    shows the detectors weaker text beside it. Returns (regions, what is still missed, rounds)."""
    hold = max(STEP, round(fps * HOLD_SECONDS))
    for round_number in range(1, rounds + 1):
        missed = uncovered(regions + list(decided), render(regions), options)
        if not missed or round_number == rounds:
            return regions, missed, round_number
        regions = regions + widen(missed, options, size, hold, total)
    raise ValueError("rounds must be at least 1")


def check_frames(path, regions: list[Region], sensor: str | None = None) -> list[tuple[int, object]]:
    """The covered check frames of a clip, as `write_copy` checks them, without encoding."""
    unlinked, checks = _Unlinked(sensor, None), []
    for number, image, _ in _frames(path):
        if number == 0 or number % STEP == STEP // 2:  # the frames that choose and raise the step
            done = unlinked(image, _covered(image, regions, number), regions, number)
            if number % STEP == STEP // 2:
                checks.append((number, done))
    return checks


def _covered(image, regions: list[Region], number: int):
    from mediavet.redact.cover import cover

    active = [r for r in regions if r.active(number)]
    return cover(image.convert("RGB"), active) if active else image.convert("RGB")


def write_copy(path, target, regions: list[Region], options, crf: int, keep_audio: bool, on_frame=None,
               sensor: str | None = None, sensor_step: int | None = None) -> dict:
    """Encode the covered clip to `target`, each frame's sensor noise replaced at `sensor`
    strength (None: kept) from `sensor_step` on (None: chosen on the first frame); returns what
    the fail-closed check needs: the check frames as written, and the largest share of the
    original's sensor noise one of them still carries with the step the clip ended at."""
    import av

    rechecks: list[tuple[int, object]] = []
    unlinked = _Unlinked(sensor, sensor_step)
    with av.open(str(path)) as source, av.open(str(target), "w", format="mp4", container_options={
            "movflags": "+faststart", "fflags": "+bitexact"}) as out:
        video_in = source.streams.video[0]
        audio_in = source.streams.audio[0] if keep_audio and source.streams.audio else None
        video_out = audio_out = None
        last_pts = -1
        for number, image, seconds in _frames(path):
            if video_out is None:
                video_out = out.add_stream("libx264", rate=video_in.average_rate or 30)
                video_out.width, video_out.height = image.width + image.width % 2, image.height + image.height % 2
                video_out.pix_fmt = "yuv420p"
                video_out.time_base = video_out.codec_context.time_base = TIME_BASE  # fine enough for any VFR
                video_out.codec_context.options = {"crf": str(crf), "preset": "veryfast"}
                if audio_in is not None:  # the sound, if kept, is the second stream
                    audio_out = out.add_stream("aac", rate=audio_in.codec_context.sample_rate)
            covered = unlinked(image, _covered(image, regions, number), regions, number)
            if number % STEP == STEP // 2:
                rechecks.append((number, covered))
            if covered.size != (video_out.width, video_out.height):  # odd sizes: pad to even
                from PIL import Image

                padded = Image.new("RGB", (video_out.width, video_out.height))
                padded.paste(covered)
                covered = padded
            frame = av.VideoFrame.from_image(covered)
            pts = round(seconds / TIME_BASE) if seconds is not None else last_pts + 1
            frame.pts = max(pts, last_pts + 1)  # variable frame rate kept, never backwards
            frame.time_base = TIME_BASE
            last_pts = frame.pts
            for packet in video_out.encode(frame):
                out.mux(packet)
            if on_frame:
                on_frame()
        if video_out is None:
            raise MediaError("corrupt", "no decodable video frames")
        for packet in video_out.encode():
            out.mux(packet)
        if audio_out is not None:
            _copy_audio(source, audio_in, audio_out, out)
    return {"rechecks": rechecks, "frames": number + 1, "sensor": (unlinked.worst, unlinked.step)}


class _Unlinked:
    """Replaces the sensor noise of a clip's frames (redact/sensor.py). The step is chosen on
    the first frame, as for a photo, unless given; every check frame is measured against its
    original, and one that still carries too much raises the step for the frames after it
    (the clip must then be written again from that step: see redact._copy_video)."""

    def __init__(self, strength: str | None, step: int | None):
        self.strength, self.step, self.worst = strength, step, None

    def __call__(self, original, covered, regions: list[Region], number: int):
        if not self.strength:
            return covered
        from mediavet.redact import sensor

        measured = number == 0 or number % STEP == STEP // 2
        mask = sensor.covered_mask([r for r in regions if r.active(number)], original.size) if measured else None
        if self.step is None:  # the first frame: the step chosen, and its share measured, as for a photo
            (done,), share, self.step = sensor.replaced([covered], self.strength, original, mask, video=True)
        else:
            done = sensor.unlink_frame(covered, self.strength, self.step)
            share = sensor.measured_share(original, done, mask) if measured else None
        if measured:
            if share is not None and (self.worst is None or share > self.worst):
                self.worst = share
            if sensor.traceable(share) and self.step + 1 < len(sensor.FRAME_STRENGTHS[self.strength]):
                self.step += 1
        return done


def _copy_audio(source, audio_in, audio_out, out) -> None:
    """Re-encode the first audio stream (no tags travel: the output stream is new)."""
    source.seek(0)
    for frame in source.decode(audio_in):
        frame.pts = None
        for packet in audio_out.encode(frame):
            out.mux(packet)
    for packet in audio_out.encode():
        out.mux(packet)


def uncovered(regions: list[Region], rechecks, options) -> list[Region]:
    """Faces and text found on the check frames outside the regions active there."""
    from mediavet.redact.protect import missed

    return [replace(region, frames=(number, number)) for number, image in rechecks
            for region in missed(image, [r for r in regions if r.active(number)], options)]


def leftovers(copy_path, missed: list[Region], keep_audio: bool) -> list[str]:
    """Everything that keeps the copy from being written: tags, extra tracks, and the faces or
    text the detectors still found on the check frames (`missed`, from `uncovered`)."""
    from mediavet.metadata.bmff import leftovers as boxes
    from mediavet.metadata.video import read_video

    problems = []
    try:
        video = read_video(copy_path)
    except MediaError as exc:
        return [f"the copy cannot be read back: {exc.message}"]
    kinds_found = [s["kind"] for s in video["streams"]]
    if kinds_found != ["video"] + (["audio"] if keep_audio and "audio" in kinds_found else []):
        problems.append(f"the copy has streams {kinds_found}")
    extra = {k: v for k, v in video["tags"].items() if k not in ALLOWED_CONTAINER_TAGS}
    if extra:
        problems.append(f"container tags left: {sorted(extra)}")
    for stream in video["streams"]:
        tags = {k: v for k, v in stream["tags"].items() if k not in ALLOWED_STREAM_TAGS
                or (k == "handler_name" and v not in GENERIC_HANDLERS)}
        if tags:
            problems.append(f"stream {stream['index']} tags left: {sorted(tags)}")
    if video["telemetry"] or video["location"]:
        problems.append("telemetry or location left")
    problems += [what for _, what in boxes(copy_path)]
    for region in missed:
        problems.append(f"a {region.kind} (score {region.score:.2f}) at {list(region.box)} in frame "
                        f"{region.frames[0]} is not covered")
    return problems


def widen(found: list[Region], options, size, hold: int, count: int) -> list[Region]:
    """Regions for detections the check frames turned up: margins, and held around their frame."""
    return [replace(options.widened(r, size), frames=(max(0, r.frames[0] - hold), min(count - 1, r.frames[0] + hold)))
            for r in found]


def frame_rate(path) -> float:
    import av

    with av.open(str(path)) as container:
        rate = container.streams.video[0].average_rate
        return float(rate) if rate else 30.0


def frames_at(path, numbers) -> list[tuple[int, object, float | None]]:
    """(number, upright image, seconds) of the frames with these numbers, in one decode."""
    wanted = set(numbers)
    return [(n, image, seconds) for n, image, seconds in _frames(path) if n in wanted]
