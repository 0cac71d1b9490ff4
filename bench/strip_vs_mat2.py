"""Metadata stripping against mat2 and `exiftool -all=` (issues #4 and #11), in one run:
the corpus photos and clips, plus one generated file of every camera format the corpus
lacks (JPEG XL, AVIF, JPEG 2000, BMP, PPM, BigTIFF, DNG, AVCHD .mts/.m2ts with MDPM, WMV,
FLV, DV, a damaged GIF).

Each tool gets private copies of the same files. mat2 writes `<name>.cleaned.<ext>` beside
each file, ExifTool writes `-all=` copies to a directory, mediavet writes safe copies to a
directory. Then ExifTool (`-a -G1 -ee -u`) reads every output, and every input a tool
produced no output for, and counts the files where it still finds identifying metadata:
location, device, serials, people, dates, software, thumbnails and previews, free text,
XMP/IPTC/maker notes/C2PA (pattern below; structural tags such as a TIFF's strip offsets
or a HEIC's codec profile are not counted). A file a tool left as it was counts when it had
such metadata: that is what would be shared.

Per format (sniffed from the bytes) and tool: cleaned (an output with nothing identifying),
leaking (an output, or a file left as it was, with identifying metadata), unsupported (no
output, nothing identifying to leave). Speed is compared with mat2 on the photos.

    python bench/strip_vs_mat2.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mediavet.inputs import expand  # noqa: E402
from mediavet.formats import PHOTO_FORMATS, VIDEO_FORMATS, sniff  # noqa: E402

FOLDERS = ["exif_jpeg", "exif_stubs", "heic", "png_webp", "c2pa", "faces", "text", "phash", "manipulation"]


def photos(corpus: Path) -> list[Path]:
    found = []
    for path in expand([corpus / folder for folder in FOLDERS]):
        with open(path, "rb") as handle:
            if sniff(handle.read(64)) in PHOTO_FORMATS and not path.name.endswith("_gt.png"):
                found.append(path)
    return found


IDENTIFYING_GROUPS = re.compile(r"^(GPS|XMP-.*|IPTC|Photoshop|IFD1|MPF.*|PreviewIFD|JUMBF|C2PA|CBOR|MakerNotes|Apple|"
                                r"Canon.*|Nikon.*|Sony|FujiFilm|Olympus|Panasonic|Pentax|Samsung.*|Casio|Kodak|"
                                r"Ricoh|Sanyo|Minolta|GoPro|DJI|FLIR|Motorola|Google|HTC|LG|Huawei|Sigma):")
IDENTIFYING_TAGS = re.compile(r":(.*GPS.*|Make|Model|.*Serial.*|Artist|Copyright.*|.*Owner.*|DateTime.*|.*Date|"
                              r"CreateDate|ModifyDate|Software|CreatorTool|.*Thumbnail.*|.*Preview.*|.*Comment.*|"
                              r".*Description|Author|Title|Keywords|Lens.*|HostComputer|.*UniqueID|DocumentID|"
                              r"InstanceID|History.*|Parameters|Prompt|Workflow|Location.*|City|Country.*|Creator.*|"
                              r"GeoTiff.*|ModelTiePoint|PixelScale|ModelTransform|Geo.*Params|Warning)$")


def _structural(key: str, value) -> bool:
    """What every MP4/MOV/ASF writer puts there and says nothing: zero dates, the movie
    header's preview and poster times, sample-group and codec descriptions, a handler named
    for its kind."""
    from mediavet.redact.audit import GENERIC_HANDLERS

    text = str(value)
    return (text.startswith("0000:00:00")
            or key.split(":")[1] in ("PreviewTime", "PreviewDuration", "PosterTime", "SampleGroupDescription",
                                     "VideoCodecDescription", "AudioCodecDescription")
            or (key.endswith(":HandlerDescription") and text in GENERIC_HANDLERS))


def leaks(paths: list[Path]) -> dict[str, list[str]]:
    """File name -> the identifying tags ExifTool still finds in it (files without any left out)."""
    if not paths:
        return {}
    proc = subprocess.run(["exiftool", "-a", "-G1", "-ee", "-u", "-j", "-q", "-q", *map(str, paths)],
                          capture_output=True, text=True)
    found = {}
    for record in json.loads(proc.stdout or "[]"):
        tags = sorted(k for k in record if k.split(":")[0] not in ("System", "File", "ExifTool", "Composite")
                      and (IDENTIFYING_GROUPS.match(k) or IDENTIFYING_TAGS.search(k)) and not _structural(k, record[k]))
        if tags:
            telling = [t for t in tags if re.search(r"GPS|Make|Model|Serial|Date|Software|Thumbnail", t)] or tags
            found[Path(record["SourceFile"]).name] = telling
    return found


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def clips(corpus: Path) -> list[Path]:
    found = []
    for path in expand([corpus / "video"]):
        with open(path, "rb") as handle:
            if sniff(handle.read(64)) in VIDEO_FORMATS:
                found.append(path)
    return found


def generated(folder: Path) -> list[Path]:
    """One file of every camera format the corpus lacks, with identifying metadata wherever
    the format can hold it (samples/generate.py's camera EXIF, titles and dates in clips)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "samples"))
    import pillow_jxl  # noqa: F401  (registers JPEG XL with Pillow)
    from generate import avchd_clip, camera_exif, dng, scene

    folder.mkdir()
    exif = b"Exif\x00\x00" + camera_exif(thumbnail_variant=None)
    picture = scene(0, (640, 480))
    for name, fmt, options in (("tip.jxl", "JXL", {"exif": exif}), ("tip.avif", "AVIF", {"exif": exif}),
                               ("tip.tif", "TIFF", {"big_tiff": True, "exif": exif}), ("tip.jp2", "JPEG2000", {}),
                               ("tip.bmp", "BMP", {}), ("tip.ppm", "PPM", {})):
        picture.save(folder / name, fmt, **options)
    gif = folder / "damaged.gif"
    picture.convert("P").save(gif, comment=b"Li Wei, dormitory 3")
    gif.write_bytes(gif.read_bytes()[:-1])  # no trailer: damaged after a whole picture
    (folder / "DSC_0042.dng").write_bytes(dng())
    (folder / "00001.mts").write_bytes(avchd_clip())
    (folder / "00002.m2ts").write_bytes(avchd_clip(m2ts=True))
    for name, options in (("clip.wmv", ["-c:v", "wmv2", "-f", "asf"]), ("clip.flv", ["-c:v", "flv", "-f", "flv"]),
                          ("clip.dv", ["-s", "720x576", "-r", "25", "-pix_fmt", "yuv420p", "-c:v", "dvvideo", "-f", "dv"])):
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1",
                        "-metadata", "title=Li Wei, dormitory 3", "-metadata", "artist=Li Wei",
                        "-metadata", "creation_time=2025-06-14T23:40:00Z", *options, str(folder / name)], check=True)
    return sorted(folder.iterdir())


def format_of(path: Path) -> str:
    from mediavet.formats import describe

    with open(path, "rb") as handle:
        head = handle.read(4096)
    return sniff(head) or describe(head)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    for tool in ("mat2", "exiftool", "ffmpeg"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian: apt-get install mat2 libimage-exiftool-perl ffmpeg)",
                  file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="mediavet-bench-") as scratch:
        scratch = Path(scratch)
        sets = {"photos": photos(args.corpus), "others": clips(args.corpus) + generated(scratch / "generated")}
        inputs, results, seconds = {}, {}, {}
        for tool in ("mat2", "exiftool", "mediavet"):  # (a folder named mediavet would shadow the package)
            for part, paths in sets.items():
                folder = scratch / f"in-{tool}" / part
                folder.mkdir(parents=True)
                for number, path in enumerate(paths):
                    copy = folder / f"{part[0]}{number:03d}-{path.name}"
                    shutil.copyfile(path, copy)
                    inputs.setdefault(tool, {})[copy.resolve()] = path
        for part in sets:
            folder = scratch / "in-mat2" / part
            seconds["mat2", part], _ = timed(["mat2", *sorted(p.name for p in folder.iterdir())], folder)
            for copy in [c for c in inputs["mat2"] if c.parent == folder]:
                cleaned = copy.with_name(f"{copy.stem}.cleaned{copy.suffix}")
                results.setdefault("mat2", {})[copy] = cleaned if cleaned.exists() else None
            out = scratch / "out-exiftool" / part
            out.mkdir(parents=True)
            folder = scratch / "in-exiftool" / part
            seconds["exiftool", part], _ = timed(["exiftool", "-all=", "-q", "-q", "-o", f"{out}/", "."], folder)
            for copy in [c for c in inputs["exiftool"] if c.parent == folder]:
                written = out / copy.name
                results.setdefault("exiftool", {})[copy] = written if written.exists() else None
            folder = scratch / "in-mediavet" / part
            manifest = scratch / f"manifest-{part}.json"
            seconds["mediavet", part], _ = timed([sys.executable, "-m", "mediavet", "redact", "--no-faces", "--no-text",
                                                  "--no-codes", "--manifest", str(manifest), "-o",
                                                  str(scratch / "out-mediavet" / part), str(folder)], scratch)
            for entry in json.loads(manifest.read_text())["files"]:
                results.setdefault("mediavet", {})[Path(entry["input"]).resolve()] = \
                    Path(entry["output"]) if entry["output"] else None
        table: dict[str, dict[str, list[int]]] = {}
        named: dict[str, list[str]] = {}
        for tool, produced in results.items():
            found = leaks([p for p in produced.values() if p is not None])
            for copy, output in produced.items():
                original = inputs[tool][copy]
                row = table.setdefault(format_of(original), {}).setdefault(tool, [0, 0, 0])
                if output is None:
                    row[2] += 1
                elif output.name in found:
                    row[1] += 1
                    named.setdefault(tool, []).append(f"{original.name} ({', '.join(found[output.name][:3])})")
                else:
                    row[0] += 1

    count = {part: len(paths) for part, paths in sets.items()}
    print(f"{count['photos']} corpus photos and {count['others']} corpus clips and generated files, the three tools "
          "in the same run; per tool: cleaned / leaking / unsupported (no output)")
    tools = ("mediavet", "mat2", "exiftool")
    print(f"{'format':<34s}" + "".join(f"{tool:>16s}" for tool in tools))
    for fmt in sorted(table, key=lambda f: (-sum(sum(r) for r in table[f].values()), f)):
        cells = ["/".join(str(n) for n in table[fmt].get(tool, [0, 0, 0])) for tool in tools]
        print(f"{fmt[:33]:<34s}" + "".join(f"{cell:>16s}" for cell in cells))
    totals = {tool: [sum(table[f].get(tool, [0, 0, 0])[i] for f in table) for i in range(3)] for tool in tools}
    print(f"{'all':<34s}" + "".join(f"{'/'.join(map(str, totals[tool])):>16s}" for tool in tools))
    for tool in tools:
        if named.get(tool):
            print(f"  {tool} leaks: {'; '.join(named[tool][:12])}{' ...' if len(named[tool]) > 12 else ''}")
    version = subprocess.run(["mat2", "--version"], capture_output=True, text=True).stdout.split()[-1]
    print(f"time on the photos: mediavet {seconds['mediavet', 'photos']:.1f} s (2 workers), mat2 {version} "
          f"{seconds['mat2', 'photos']:.1f} s, exiftool {seconds['exiftool', 'photos']:.1f} s; "
          f"ratio mediavet/mat2 {seconds['mediavet', 'photos'] / seconds['mat2', 'photos']:.2f} "
          "(mediavet decodes and re-encodes every picture, JPEG at quality 92; mat2 at 75; exiftool copies bytes)")
    met = totals["mediavet"][1] == 0
    print("target (mediavet leaves nothing identifying in any copy):", "met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
