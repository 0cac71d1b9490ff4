"""Sensor-noise (PRNU) linking, measured (issue #14): can a safe copy be traced to its camera?

The oracle is the published method, written here from the papers (Lukáš, Fridrich and
Goljan 2006; Goljan, Fridrich and Filler 2009 for PCE):
- noise residual W = I − F(I), F a wavelet denoiser (db4, 4 levels, local variance from 3–9
  px windows, σ0 = 3), row and column means removed on each colour-filter sub-lattice;
- camera fingerprint K = Σ W·I / Σ I² over the camera's flat-field shots, made grey, zero
  mean, Wiener-filtered in the Fourier domain (periodic JPEG and demosaicing artefacts out);
- a query links when the peak-to-correlation energy of its residual against I·K exceeds 60
  (the usual decision threshold), the peak searched within 2 px of no shift and the energy
  taken outside an 11×11 neighbourhood;
- the analyst's search: the query brought back to the fingerprint's size (the analyst knows
  the scale), then scales 0.99–1.01 and rotations −1…1° tried, the best PCE kept.

Corpus: `prnu/` (Dresden Image Database, 6 camera bodies, 10 flat fields and 16 natural photos,
1024×1024 lossless crops). For the originals, the plain safe copy (JPEG q92) and each
candidate method: linked own-camera / 16 with the search, the highest own-camera PCE, the
highest other-camera PCE (false links), quality against the plain safe copy (SSIM, PSNR),
and seconds per megapixel of the method itself.

    python bench/sensor_noise.py [--corpus ../shared/corpus] [--methods NAME ...] [--video FRAMES | --collection]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIGMA0 = 3.0  # the denoiser's noise level (grey levels); 3 linked the most corpus originals (11/16; 5: 9/16)
WAVELET, LEVELS = "db4", 4
THRESHOLD = 60.0  # PCE above which a picture is linked to the camera
GREY = np.array([0.299, 0.587, 0.114])
ANGLES = (-1.0, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0)
SCALES = (0.99, 1.0, 1.01)


def _denoised(channel: np.ndarray) -> np.ndarray:
    import pywt
    from scipy.ndimage import uniform_filter

    coefficients = pywt.wavedec2(channel, WAVELET, level=LEVELS)
    kept = [coefficients[0]]
    for details in coefficients[1:]:
        bands = []
        for band in details:
            power = band * band
            variance = np.min([np.maximum(uniform_filter(power, size, mode="reflect") - SIGMA0 ** 2, 0)
                               for size in (3, 5, 7, 9)], axis=0)
            bands.append(band * variance / (variance + SIGMA0 ** 2))
        kept.append(tuple(bands))
    return pywt.waverec2(kept, WAVELET)[:channel.shape[0], :channel.shape[1]]


def zero_mean(residual: np.ndarray) -> np.ndarray:
    """Row and column means removed on each of the four 2×2 colour-filter sub-lattices."""
    residual = residual.copy()
    for dy in (0, 1):
        for dx in (0, 1):
            part = residual[dy::2, dx::2]
            part -= part.mean(axis=0, keepdims=True)
            part -= part.mean(axis=1, keepdims=True)
    return residual


def residual(rgb: np.ndarray) -> np.ndarray:
    """The noise residual of each colour channel (height × width × 3)."""
    rgb = rgb.astype(np.float64)
    return np.stack([zero_mean(rgb[..., c] - _denoised(rgb[..., c])) for c in range(3)], axis=-1)


def wiener_dft(pattern: np.ndarray) -> np.ndarray:
    """Periodic components (peaks of the spectrum) flattened to the noise floor."""
    from scipy.ndimage import uniform_filter

    spectrum = np.fft.fft2(pattern)
    magnitude = np.abs(spectrum) / np.sqrt(pattern.size)
    floor = np.var(pattern)
    local = np.min([np.maximum(uniform_filter(magnitude ** 2, size, mode="wrap") - floor, 0)
                    for size in (3, 5, 7, 9)], axis=0)
    gain = np.where(magnitude > 0, local / (local + floor), 0)
    return np.real(np.fft.ifft2(spectrum * gain))


def fingerprint(shots) -> np.ndarray:
    """The camera's PRNU estimate from its flat-field shots (RGB arrays of one size)."""
    numerator, denominator = 0.0, 0.0
    for rgb in shots:
        x = rgb.astype(np.float64)
        numerator = numerator + residual(x) * x
        denominator = denominator + x * x
    return wiener_dft(zero_mean((numerator / (denominator + 1)) @ GREY))


def pce(noise: np.ndarray, expected: np.ndarray, search: int = 2, exclude: int = 11) -> float:
    a, b = zero_mean(noise), zero_mean(expected)
    correlation = np.fft.fftshift(np.real(np.fft.ifft2(np.fft.fft2(a) * np.conj(np.fft.fft2(b)))))
    cy, cx = correlation.shape[0] // 2, correlation.shape[1] // 2
    window = correlation[cy - search:cy + search + 1, cx - search:cx + search + 1]
    dy, dx = np.unravel_index(np.argmax(window), window.shape)
    py, px = cy - search + dy, cx - search + dx
    peak = correlation[py, px]
    outside = np.ones(correlation.shape, dtype=bool)
    half = exclude // 2
    outside[max(0, py - half):py + half + 1, max(0, px - half):px + half + 1] = False
    return float(np.sign(peak) * peak * peak / np.mean(correlation[outside] ** 2))


def linked(query: np.ndarray, camera: np.ndarray, search: bool = True) -> float:
    """The best PCE of a query against a camera fingerprint over the analyst's search."""
    import cv2

    x = query.astype(np.float64)
    height, width = camera.shape
    if x.shape[:2] != camera.shape:
        x = cv2.resize(x, (width, height), interpolation=cv2.INTER_CUBIC)
    noise, grey = zero_mean(residual(x) @ GREY), x @ GREY
    best = -np.inf
    for scale in SCALES if search else (1.0,):
        for angle in ANGLES if search else (0.0,):
            if (scale, angle) == (1.0, 0.0):
                moved_noise, moved_grey = noise, grey
            else:
                matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
                moved_noise = cv2.warpAffine(noise, matrix, (width, height), flags=cv2.INTER_LINEAR)
                moved_grey = cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_LINEAR)
            best = max(best, pce(moved_noise, moved_grey * camera))
    return best


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    import cv2

    a = cv2.cvtColor(a.astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float64)
    b = cv2.cvtColor(b.astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x):
        return cv2.GaussianBlur(x, (11, 11), 1.5)

    ma, mb = blur(a), blur(b)
    va, vb, cov = blur(a * a) - ma ** 2, blur(b * b) - mb ** 2, blur(a * b) - ma * mb
    return float(np.mean((2 * ma * mb + c1) * (2 * cov + c2) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2))))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255 ** 2 / max(error, 1e-12)))


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def _resized(rgb, factor):
    import cv2

    return cv2.resize(rgb, (round(rgb.shape[1] * factor), round(rgb.shape[0] * factor)), interpolation=cv2.INTER_AREA)


def _turned(rgb, angle):
    import cv2

    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def _nl_means(rgb, h, template=7, search=21):
    import cv2

    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb.astype(np.uint8)), None, h, h, template, search)


def _median(rgb):
    import cv2

    return cv2.medianBlur(np.ascontiguousarray(rgb.astype(np.uint8)), 3)


def _blurred(rgb):
    import cv2

    return cv2.GaussianBlur(rgb.astype(np.uint8), (0, 0), 1.0)


def _mediavet(strength):
    def method(rgb):
        from PIL import Image

        from mediavet.redact.sensor import unlink

        return np.asarray(unlink(Image.fromarray(rgb.astype(np.uint8)), strength))
    return method


METHODS = {  # name: the operation before the safe copy's JPEG q92 (the plain copy is JPEG q92 alone)
    "original (no copy)": None,
    "plain safe copy (q92)": lambda x: x,
    "JPEG q30": "q30",
    "downscale 0.5": lambda x: _resized(x, 0.5),
    "downscale 0.35": lambda x: _resized(x, 0.35),
    "blur σ1": _blurred,
    "median 3×3": _median,
    "rotate 0.3°": lambda x: _turned(x, 0.3),
    "NL-means h3 (7/21 px windows)": lambda x: _nl_means(x, 3),
    "NL-means h5 (7/21 px windows)": lambda x: _nl_means(x, 5),
    "mediavet --unlink-sensor normal": _mediavet("normal"),
    "mediavet --unlink-sensor strong": _mediavet("strong"),
}


def load(path: Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


def cameras(corpus: Path) -> dict[str, np.ndarray]:
    folder = corpus / "prnu"
    bodies = sorted({re.match(r"ff-jpg_(.*)_\d+\.JPG", p.name).group(1) for p in folder.glob("ff-jpg_*.JPG")})
    return {body: fingerprint(load(p) for p in sorted(folder.glob(f"ff-jpg_{body}_*.JPG"))) for body in bodies}


def queries(corpus: Path) -> list[tuple[str, Path]]:
    return [(re.match(r"nat-jpg_(.*)_\d+\.JPG", p.name).group(1), p)
            for p in sorted((corpus / "prnu").glob("nat-jpg_*.JPG"))]


def measure(name, operation, fingerprints, photos) -> dict:
    own, other, quality, spent, pixels = [], 0.0, [], 0.0, 0
    for body, path in photos:
        original = load(path)
        plain = _jpeg(original, 92)
        if operation is None:
            copy = original
        elif operation == "q30":
            copy = _jpeg(original, 30)
        else:
            started = time.perf_counter()
            changed = operation(original)
            spent += time.perf_counter() - started
            pixels += original.shape[0] * original.shape[1]
            copy = _jpeg(changed, 92)
        own.append(linked(copy, fingerprints[body]))
        other = max([other] + [linked(copy, camera, search=False) for b, camera in fingerprints.items() if b != body])
        if copy.shape != plain.shape:
            import cv2

            copy = cv2.resize(copy, (plain.shape[1], plain.shape[0]), interpolation=cv2.INTER_CUBIC)
        quality.append((ssim(plain, copy), psnr(plain, copy)))
    return {"name": name, "linked": sum(v > THRESHOLD for v in own), "total": len(own), "own_max": max(own),
            "other_max": other, "ssim": float(np.mean([q[0] for q in quality])),
            "ssim_min": float(min(q[0] for q in quality)), "psnr": float(np.mean([min(q[1], 99) for q in quality])),
            "seconds_per_mp": spent / (pixels / 1e6) if pixels else None}


# -- video ---------------------------------------------------------------------------------
# A clip of a still scene, each frame the natural photo (its real sensor noise) plus fresh
# temporal noise, encoded as a phone would (H.264, CRF 14); the copy is each frame treated,
# then H.264 at mediavet's CRF 20. The analyst estimates the clip's own fingerprint from all its
# frames (K = Σ W·I / Σ I², which averages the temporal noise away and accumulates the pattern)
# and correlates it with the camera's. Nothing here moves the picture, so no search is needed.

def clip(frames: list, crf: int) -> list:
    """The frames (RGB arrays) through H.264 at this CRF and back."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        stream.codec_context.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    buffer.seek(0)
    with av.open(buffer) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def still_clip(photo: np.ndarray, count: int, seed: int = 1) -> list:
    """`count` frames of the photo with fresh temporal noise (σ 1.5), as a phone's CRF 14 clip."""
    rng = np.random.default_rng(seed)
    return clip([np.clip(photo + rng.normal(0, 1.5, photo.shape), 0, 255).astype(np.uint8) for _ in range(count)], 14)


def pooled_fingerprint(pictures: list) -> np.ndarray:
    """The sensor's pattern estimated from several of its pictures: a clip's frames, or all the
    copies one source sent (the same estimator as `fingerprint`, without the flat fields'
    Wiener step)."""
    numerator, denominator = 0.0, 0.0
    for frame in pictures:
        x = frame.astype(np.float64)
        grey = x @ GREY
        numerator = numerator + (residual(x) @ GREY) * grey
        denominator = denominator + grey * grey
    return numerator / (denominator + 1)


def _frame_method(strength):
    def method(rgb):
        from PIL import Image

        from mediavet.redact.sensor import unlink_frame

        return np.asarray(unlink_frame(Image.fromarray(rgb), strength))
    return method


VIDEO_METHODS = {  # name: what each frame goes through before the copy's CRF 20
    "source clip (CRF 14)": None,
    "plain copy (CRF 20)": lambda x: x,
    "bilateral 5 px, σ 10": lambda x: __import__("cv2").bilateralFilter(x, 5, 10, 3),
    "photos' NL-means h3 (5/11 px)": lambda x: _nl_means(x, 3, 5, 11),
    "mediavet frames normal": _frame_method("normal"),
    "mediavet frames strong": _frame_method("strong"),
}


def measure_video(name, operation, fingerprints, photos, count: int) -> dict:
    own, other, spent, pixels, quality = [], 0.0, 0.0, 0, []
    for body, path in photos:
        source = still_clip(load(path), count)
        if operation is None:
            copy = source
        else:
            started = time.perf_counter()
            changed = [operation(frame) for frame in source]
            spent += time.perf_counter() - started
            pixels += sum(frame.shape[0] * frame.shape[1] for frame in source)
            copy = clip(changed, 20)
            plain = clip(source, 20)
            quality.append(np.mean([ssim(a, b) for a, b in zip(plain, copy)]))
        estimate = pooled_fingerprint(copy)
        own.append(pce(estimate, fingerprints[body]))
        other = max([other] + [pce(estimate, camera) for b, camera in fingerprints.items() if b != body])
    return {"name": name, "linked": sum(v > THRESHOLD for v in own), "total": len(own), "own_max": max(own),
            "other_max": other, "ssim": float(np.mean(quality)) if quality else 1.0,
            "ssim_min": float(min(quality)) if quality else 1.0, "psnr": float("nan"),
            "seconds_per_mp": spent / (pixels / 1e6) if pixels else None}


def measure_collection(name, operation, fingerprints, photos) -> str:
    """A source's collection: the pattern pooled from the first 1, 2, … copies of each camera's
    photos, against the camera's fingerprint. Returns the table row: PCE per body at every
    size of the collection."""
    copies: dict[str, list] = {}
    for body, path in photos:
        original = load(path)
        copies.setdefault(body, []).append(original if operation is None else _jpeg(operation(original), 92))
    cells = []
    for body, pictures in sorted(copies.items()):
        scores = [pce(pooled_fingerprint(pictures[:count]), fingerprints[body]) for count in range(1, len(pictures) + 1)]
        cells.append(f"{body} " + "/".join(f"{score:.0f}" for score in scores))
    return f"{name:34s} " + "  ".join(cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--methods", nargs="*", help="which rows to measure (default: all)")
    parser.add_argument("--video", type=int, metavar="FRAMES",
                        help="measure clips of this many frames instead of photos (the accumulation: try 8 and 32)")
    parser.add_argument("--collection", action="store_true",
                        help="pool each camera's copies, as an analyst holding a source's whole collection would")
    args = parser.parse_args()
    table = VIDEO_METHODS if args.video else METHODS
    if args.collection:
        fingerprints, photos = cameras(args.corpus), queries(args.corpus)
        print(f"PCE of the pattern pooled from a camera's first 1/2/… copies, linked above {THRESHOLD:g}")
        for name in args.methods or ["original (no copy)", "plain safe copy (q92)", "mediavet --unlink-sensor normal",
                                     "mediavet --unlink-sensor strong"]:
            print(measure_collection(name, table[name], fingerprints, photos), flush=True)
        return 0
    started = time.perf_counter()
    fingerprints = cameras(args.corpus)
    photos = queries(args.corpus)
    what = (f"clips of {args.video} frames of each, linked = PCE of the clip's fingerprint > {THRESHOLD:g} "
            f"(no search: nothing moves the picture)") if args.video else (
            f"linked = PCE > {THRESHOLD:g} with the analyst's search ({len(SCALES)} scales × {len(ANGLES)} rotations)")
    print(f"{len(fingerprints)} camera fingerprints from 10 flat fields each ({time.perf_counter() - started:.0f} s); "
          f"{len(photos)} natural photos; {what}")
    print(f"{'method':34s} {'linked':>7s} {'own max':>8s} {'other max':>10s} {'SSIM (min)':>14s} {'PSNR':>7s} {'s/MP':>6s}")
    for name in args.methods or list(table):
        row = (measure_video(name, table[name], fingerprints, photos, args.video) if args.video
               else measure(name, table[name], fingerprints, photos))
        speed = f"{row['seconds_per_mp']:.2f}" if row["seconds_per_mp"] is not None else "–"
        print(f"{name:34s} {row['linked']:>3d}/{row['total']:<3d} {row['own_max']:8.0f} {row['other_max']:10.1f} "
              f"{row['ssim']:7.3f} ({row['ssim_min']:.3f}) {row['psnr']:6.1f} {speed:>6s}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
