"""Keyframes of a clip: the frames that stand for its shots, each hashed like a photo.

Every frame is decoded (small), and a frame is kept when it is an I-frame or a scene change
(its 32x18 grey thumbnail differs from the previous frame's by more than CUT), unless it
looks like the last kept one (pHash within SAME). At most LIMIT frames, evenly thinned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CUT = 30.0  # mean absolute difference (0-255) of consecutive thumbnails that marks a cut
SAME = 8  # pHash bits: a keyframe this close to the last kept one adds nothing
LIMIT = 48
MAX_SIDE = 720


@dataclass(frozen=True)
class Keyframe:
    seconds: float
    image: object  # upright PIL image, at most MAX_SIDE on its long side


def keyframes(path, limit: int = LIMIT) -> list[Keyframe]:
    """Raises MediaError when no frame decodes."""
    import av
    import imagehash

    from mediavet.errors import MediaError

    kept: list[Keyframe] = []
    last_hash, previous = None, None
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                small = frame.reformat(width=32, height=18, format="gray").to_ndarray().astype(np.float32)
                cut = previous is None or float(np.abs(small - previous).mean()) > CUT
                previous = small
                if not (frame.key_frame or cut):
                    continue
                image = _upright(frame)
                digest = imagehash.phash(image)
                if last_hash is not None and digest - last_hash <= SAME:
                    continue
                last_hash = digest
                seconds = float(frame.time) if frame.time is not None else 0.0
                kept.append(Keyframe(round(seconds, 3), image))
    except av.error.FFmpegError as exc:
        if not kept:
            raise MediaError("corrupt", f"cannot decode the video frames: {' '.join(str(exc).split())[:160]}") from None
    if not kept:
        raise MediaError("corrupt", "no decodable video frames")
    if len(kept) > limit:
        step = len(kept) / limit
        kept = [kept[int(i * step)] for i in range(limit)]
    return kept


def _upright(frame):
    image = frame.to_image()
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    rotation = int(round(getattr(frame, "rotation", 0) or 0))
    return image.rotate(rotation, expand=True) if rotation % 360 else image
