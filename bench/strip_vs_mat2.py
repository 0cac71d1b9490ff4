"""Metadata stripping against mat2 (issue #4), on the corpus photos, in one run.

Both tools get private copies of the same photos. mat2 writes `<name>.cleaned.<ext>` beside
each file; mediavet writes safe copies to a directory. Then ExifTool (`-a -G1 -ee -u`) reads
every output, and every input a tool produced no output for, and counts the files where it
still finds identifying metadata: location, device, serials, people, dates, software,
thumbnails and previews, free text, XMP/IPTC/maker notes/C2PA (pattern below; structural
tags such as a TIFF's strip offsets or a HEIC's codec profile are not counted). A file a tool
left as it was counts when it had such metadata: that is what would be shared.

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
from mediavet.media import PHOTO_FORMATS, sniff  # noqa: E402

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


def leaks(paths: list[Path]) -> dict[str, list[str]]:
    """File name -> the identifying tags ExifTool still finds in it (files without any left out)."""
    if not paths:
        return {}
    proc = subprocess.run(["exiftool", "-a", "-G1", "-ee", "-u", "-j", "-q", "-q", *map(str, paths)],
                          capture_output=True, text=True)
    found = {}
    for record in json.loads(proc.stdout or "[]"):
        tags = sorted(k for k in record if k.split(":")[0] not in ("System", "File", "ExifTool", "Composite")
                      and (IDENTIFYING_GROUPS.match(k) or IDENTIFYING_TAGS.search(k)))
        if tags:
            telling = [t for t in tags if re.search(r"GPS|Make|Model|Serial|Date|Software|Thumbnail", t)] or tags
            found[Path(record["SourceFile"]).name] = telling
    return found


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    for tool in ("mat2", "exiftool"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian: apt-get install mat2 libimage-exiftool-perl)", file=sys.stderr)
            return 2
    inputs = photos(args.corpus)
    with tempfile.TemporaryDirectory(prefix="mediavet-bench-") as scratch:
        scratch = Path(scratch)
        for tool in ("mat2", "mediavet"):  # (a folder named mediavet would shadow the package)
            (scratch / f"in-{tool}").mkdir()
            for number, path in enumerate(inputs):
                shutil.copyfile(path, scratch / f"in-{tool}" / f"{number:03d}-{path.name}")
        originals = sorted((scratch / "in-mat2").iterdir())
        mat2_s, _ = timed(["mat2", *[p.name for p in originals]], scratch / "in-mat2")
        mat2_out, mat2_left = [], []
        for path in originals:
            cleaned = path.with_name(f"{path.stem}.cleaned{path.suffix}")
            (mat2_out if cleaned.exists() else mat2_left).append(cleaned if cleaned.exists() else path)
        mediavet = [sys.executable, "-m", "mediavet", "redact", "--no-faces", "--no-text", "--no-codes",
                    "--manifest", str(scratch / "manifest.json")]
        ours_s, _ = timed(mediavet + ["-o", str(scratch / "out"), "in-mediavet"], scratch)
        one_s, _ = timed(mediavet + ["-j", "1", "-o", str(scratch / "out1"), "in-mediavet"], scratch)
        manifest = json.loads((scratch / "manifest.json").read_text())["files"]
        ours_out = [Path(f["output"]) for f in manifest if f["output"]]
        ours_left = [f["input"] for f in manifest if not f["output"]]
        mat2_leaks = leaks(mat2_out + mat2_left)
        ours_leaks = leaks(ours_out)

    print(f"{len(inputs)} corpus photos, both tools in the same run")
    print(f"mat2 {subprocess.run(['mat2', '--version'], capture_output=True, text=True).stdout.split()[-1]}: "
          f"{mat2_s:6.1f} s, {len(mat2_out)} cleaned, {len(mat2_left)} left as they were, "
          f"{len(mat2_leaks)} files with identifying metadata left:")
    for name, tags in mat2_leaks.items():
        print(f"    {name}: {', '.join(tags[:4])}{' ...' if len(tags) > 4 else ''}")
    print(f"mediavet (2 workers): {ours_s:6.1f} s; single process: {one_s:6.1f} s; {len(ours_out)} copies, "
          f"{len(ours_left)} refused with an error (nothing written), {len(ours_leaks)} copies with identifying metadata left"
          + (f": {', '.join(ours_leaks)}" if ours_leaks else ""))
    print(f"ratio mediavet/mat2: {ours_s / mat2_s:.2f} (2 workers), {one_s / mat2_s:.2f} (single process); "
          "mediavet re-encodes JPEG at quality 92, mat2 at 75")
    met = ours_s <= mat2_s and not ours_leaks
    print("target (no slower than mat2, nothing left):", "met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
