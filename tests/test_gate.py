"""The gate never lies (issue #10): `audit` accounts for every entry under its paths, no
command writes over what it was given, and hostile inputs end cleanly. Each test rebuilds
one reported problem from a generated file or a scripted operator mistake."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from conftest import ROOT, run, verify_json
from generate import camera_jpeg, jpeg_bytes, scene
from mediavet.exitcodes import ExitCode
from mediavet.media import probe
from mediavet.redact.audit import audit_media

NO_REGIONS = ("--no-faces", "--no-text", "--no-codes")


def audit_json(*paths):
    result = run("audit", "--json", *paths)
    return result, {os.path.basename(f["path"]): f for f in json.loads(result.stdout)["files"]}


def findings(report) -> set:
    return {f["id"] for f in report["findings"]}


def test_audit_sees_hidden_files_sidecars_and_notes(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "safe-0001.jpg").write_bytes(jpeg_bytes(scene(1)))
    (shared / ".cache.jpg").write_bytes(camera_jpeg())  # hidden, with GPS
    (shared / "DJI_0001.SRT").write_text("1\n00:00:00,000 --> 00:00:00,033\n[latitude: 39.9042] [longitude: 116.4074]\n")
    (shared / "notes.json").write_text('{"source": "the name of the person who sent these"}')
    (shared / ".hidden").mkdir()
    (shared / ".hidden" / "tip.jpg").write_bytes(camera_jpeg())
    result, reports = audit_json(shared)
    assert result.exit_code == ExitCode.FINDINGS
    assert set(reports) == {"safe-0001.jpg", ".cache.jpg", "DJI_0001.SRT", "notes.json", "tip.jpg"}
    assert findings(reports["safe-0001.jpg"]) == set()
    assert "audit.gps" in findings(reports[".cache.jpg"]) and "audit.gps" in findings(reports["tip.jpg"])
    assert findings(reports["DJI_0001.SRT"]) == {"audit.not_media"} == findings(reports["notes.json"])


def test_audit_reports_a_folder_it_cannot_list(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    (shared / "locked").mkdir(parents=True)
    (shared / "safe-0001.jpg").write_bytes(jpeg_bytes(scene(1)))
    real_scandir = os.scandir

    def scandir(path="."):  # root reads any folder, so the refusal is scripted
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda path=".": scandir(path) and [])
    result, reports = audit_json(shared)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "Permission denied" in reports["locked"]["error"]["message"]


@pytest.mark.parametrize("command", [["verify"], ["audit"], ["redact", "-o", "{out}"], ["index", "add", "--db", "{db}"]])
def test_a_fifo_is_reported_and_never_opened(tmp_path, command):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.jpg").write_bytes(jpeg_bytes(scene(0)))
    os.mkfifo(inputs / "pipe.jpg")
    args = [a.format(out=tmp_path / "out", db=tmp_path / "index.db") for a in command]
    done = subprocess.run([sys.executable, "-m", "mediavet", *args, str(inputs)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert "pipe.jpg" in done.stderr + done.stdout and "FIFO" in done.stderr + done.stdout
    assert done.returncode == ExitCode.INPUT_ERROR, done.stderr


def test_verify_html_never_replaces_a_picture(tmp_path):
    """`verify --html tip1.jpg tip2.jpg`: the report name was forgotten."""
    tip1, tip2 = tmp_path / "tip1.jpg", tmp_path / "tip2.jpg"
    tip1.write_bytes(camera_jpeg())
    tip2.write_bytes(camera_jpeg(gps=None))
    before = tip1.read_bytes()
    result = run("verify", "--html", tip1, tip2)
    assert result.exit_code == ExitCode.USAGE and "not a report mediavet wrote" in result.output
    assert tip1.read_bytes() == before
    report = tmp_path / "report.html"
    assert run("verify", "--html", report, tip1, tip2, "--fail-on", "never").exit_code == 0
    assert run("verify", "--html", report, tip1, "--fail-on", "never").exit_code == 0  # its own report: replaced
    assert run("verify", "--html", tip2, tip2).exit_code == ExitCode.USAGE  # an input


@pytest.mark.parametrize("option", ["--manifest", "--plan-only"])
def test_redact_never_writes_its_manifest_or_plan_over_an_input(tmp_path, option):
    tip = tmp_path / "tip.jpg"
    tip.write_bytes(camera_jpeg())
    before = tip.read_bytes()
    args = ["redact", tmp_path / "other.jpg", option, tip, *NO_REGIONS]
    (tmp_path / "other.jpg").write_bytes(camera_jpeg(gps=None))
    result = run(*args, *(["-o", tmp_path / "out"] if option == "--manifest" else []))
    assert result.exit_code == ExitCode.USAGE and tip.read_bytes() == before


def test_copies_never_land_among_the_originals_or_replace_what_mediavet_did_not_write(tmp_path):
    folder = tmp_path / "tips"
    folder.mkdir()
    (folder / "tip.jpg").write_bytes(camera_jpeg())
    unrelated = folder / "safe-0001.jpg"
    unrelated.write_bytes(camera_jpeg(model="the source's own camera"))
    before = unrelated.read_bytes()
    result = run("redact", folder / "tip.jpg", "-o", folder, "--overwrite", *NO_REGIONS)
    assert result.exit_code == ExitCode.USAGE and "originals" in result.output
    assert unrelated.read_bytes() == before
    shared = tmp_path / "shared"
    shared.mkdir()
    dirty = shared / "safe-0001.jpg"
    dirty.write_bytes(camera_jpeg())  # not a copy mediavet wrote: it still has GPS
    result = run("redact", folder / "tip.jpg", "-o", shared, "--overwrite", *NO_REGIONS)
    assert result.exit_code == ExitCode.INPUT_ERROR and "not an earlier safe copy" in result.stderr
    assert dirty.read_bytes() == camera_jpeg()
    dirty.unlink()
    assert run("redact", folder / "tip.jpg", "-o", shared, *NO_REGIONS).exit_code == 0
    assert run("redact", folder / "tip.jpg", "-o", shared, "--overwrite", *NO_REGIONS).exit_code == 0  # its own copy


def test_a_folder_named_like_a_copy_costs_one_file_not_the_batch(tmp_path):
    (tmp_path / "a.jpg").write_bytes(camera_jpeg())
    (tmp_path / "b.jpg").write_bytes(camera_jpeg(gps=None))
    shared = tmp_path / "shared"
    (shared / "safe-0001.jpg").mkdir(parents=True)
    result = run("redact", tmp_path / "a.jpg", tmp_path / "b.jpg", "-o", shared, "--overwrite", *NO_REGIONS)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert (shared / "safe-0002.jpg").is_file() and (shared / "safe-0001.jpg").is_dir()


def test_previews_and_manifests_never_go_into_the_shared_folder(tmp_path):
    tip = tmp_path / "tip.jpg"
    tip.write_bytes(camera_jpeg())
    shared = tmp_path / "shared"
    for extra in (["--preview", shared], ["--preview", shared / "review"], ["--manifest", shared / "manifest.json"]):
        result = run("redact", tip, "-o", shared, *NO_REGIONS, *extra)
        assert result.exit_code == ExitCode.USAGE, extra
        assert not shared.exists() or list(shared.iterdir()) == []


def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.add(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stopped_midway(args, signum, wait: float, tmp_path):
    import time

    process = subprocess.Popen([sys.executable, "-m", "mediavet", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + wait
    workers = set()
    while time.monotonic() < deadline and process.poll() is None:
        workers |= children(process.pid)
        time.sleep(0.1)
    assert process.poll() is None, "the run ended before it could be stopped"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    time.sleep(0.5)
    return process.returncode, stderr, workers, [pid for pid in workers if alive(pid)]


@pytest.mark.parametrize("name, code", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_stopped_batch_leaves_no_workers_and_no_temporary_files(tmp_path, name, code):
    import signal

    inputs = tmp_path / "tips"
    inputs.mkdir()
    for number in range(24):
        scene(number % 4, (1600, 1200)).save(inputs / f"tip{number:02d}.jpg", quality=90)
    outdir = tmp_path / "shared"
    returncode, stderr, workers, orphans = stopped_midway(["redact", inputs, "-o", outdir, "--jobs", "2"],
                                                          getattr(signal, name), 6, tmp_path)
    assert returncode == code and f"stopped by {name}" in stderr, stderr
    assert workers and orphans == []
    # what finished before the stop stays (a rerun resumes after it): proven copies, named in
    # order from safe-0001, nothing hidden or half-written beside them
    left = sorted(p.name for p in outdir.iterdir()) if outdir.exists() else []
    assert left == [f"safe-{n:04d}.jpg" for n in range(1, len(left) + 1)]
    assert all(audit_media(probe(outdir / name)) == [] for name in left)


def test_a_stopped_clip_leaves_no_playable_unproven_copy(tmp_path):
    import signal

    from generate import moving_faces_clip

    source = tmp_path / "long.mp4"
    source.write_bytes(moving_faces_clip([scene(1, (120, 90)), scene(2, (80, 60))], size=(640, 360), frames=300)[0])
    outdir = tmp_path / "shared"
    returncode, stderr, _, _ = stopped_midway(["redact", source, "-o", outdir], signal.SIGTERM, 4, tmp_path)
    assert returncode == 143, stderr
    assert list(outdir.iterdir()) == []


def test_hostile_file_names_reach_the_terminal_as_text(tmp_path):
    """A name that would set the terminal's title, clear the screen and forge a line."""
    name = "tip\x1b]0;owned\x07\x1b[2J\nmediavet: all clean {task}.jpg"
    hostile = tmp_path / name
    hostile.write_bytes(b"not a picture")
    for args in (["verify", hostile], ["index", "add", hostile, "--db", tmp_path / "index.db"],
                 ["redact", hostile, "-o", tmp_path / "out", *NO_REGIONS], ["audit", hostile]):
        result = run(*args)
        text = result.stdout + result.stderr
        assert "\x1b" not in text and "\x07" not in text, args
        # the newline became U+FFFD (rich may still wrap a long line anywhere: those breaks are removed)
        assert "\ufffdmediavet: all clean" in text.replace("\n", ""), args


@pytest.mark.parametrize("broken", [
    {"regions": [1]}, {"path": None}, {"regions": [{"kind": "face", "box": [1, 1, 5, 5], "score": "high"}]},
    {"regions": "none"}, {"regions": [{"kind": ["face"], "box": [1, 1, 5, 5]}]},
])
def test_a_broken_plan_is_refused_with_its_reason(tmp_path, broken):
    tip = tmp_path / "tip.jpg"
    tip.write_bytes(jpeg_bytes(scene(0)))
    plan = tmp_path / "plan.json"
    assert run("redact", tip, "--plan-only", plan, *NO_REGIONS).exit_code == 0
    document = json.loads(plan.read_text())
    document["files"][0].update(broken)
    plan.write_text(json.dumps(document))
    result = run("redact", tip, "--plan", plan, "-o", tmp_path / "out", *NO_REGIONS)
    assert result.exit_code == ExitCode.USAGE and "--plan" in result.output, result.output
    preview = run("redact", tip, "--plan", plan, "-o", tmp_path / "out", "--preview", tmp_path / "p", *NO_REGIONS)
    assert preview.exit_code == ExitCode.USAGE


def test_a_full_disk_or_a_read_only_folder_is_one_line_and_exit_3(tmp_path, monkeypatch):
    import errno
    import tempfile

    tip = tmp_path / "tip.jpg"
    tip.write_bytes(camera_jpeg())
    real_mkstemp = tempfile.mkstemp

    def full(*args, **kwargs):
        handle, name = real_mkstemp(*args, **kwargs)  # the temporary file exists, then the disk is full
        os.close(handle)
        raise OSError(errno.ENOSPC, "No space left on device", name)

    monkeypatch.setattr(tempfile, "mkstemp", full)
    result = run("verify", tip, "--html", tmp_path / "report.html", "--fail-on", "never")
    assert result.exit_code == ExitCode.INPUT_ERROR and "No space left on device" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tip.jpg"]  # no report, no debris
    monkeypatch.undo()

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr("pathlib.Path.mkdir", read_only)
    result = run("redact", tip, "-o", tmp_path / "new" / "shared", *NO_REGIONS)
    assert result.exit_code == ExitCode.INPUT_ERROR and "Read-only file system" in result.stderr


def limited(code: str, megabytes: int = 1500) -> subprocess.CompletedProcess:
    """Run `code` in a fresh Python whose address space is capped: a hostile decode that
    tries to take gigabytes fails there instead of passing unnoticed."""
    prelude = (f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({megabytes} << 20, {megabytes} << 20))\n")
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_an_exif_thumbnail_obeys_the_pixel_budget(tmp_path):
    import io
    import struct

    huge = io.BytesIO()
    Image.new("L", (20000, 20000)).save(huge, "PNG", optimize=True)  # ~400 KB, 400 MP when decoded
    from generate import exif_block

    import zlib

    plain = io.BytesIO()
    scene(0).save(plain, "PNG")
    plain = plain.getvalue()
    exif = exif_block({0x010F: (2, "Canon")}, thumbnail=huge.getvalue())  # a PNG's eXIf chunk has no 64 KB limit
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif + struct.pack(">I", zlib.crc32(b"eXIf" + exif))
    at = plain.index(b"IDAT") - 4
    tip = tmp_path / "tip.png"
    tip.write_bytes(plain[:at] + chunk + plain[at:])
    done = limited(f"""
from mediavet.cli import main
import sys
sys.argv = ["mediavet", "verify", "--json", "--fail-on", "never", "--max-pixels", "1000000", "--html",
            {str(tmp_path / 'report.html')!r}, {str(tip)!r}]
main()
""", megabytes=900)
    assert done.returncode == 0, done.stderr[-2000:]
    finding = [f for f in json.loads(done.stdout)["files"][0]["findings"] if f["id"] == "exif.thumbnail_mismatch"]
    assert finding and "pixel budget" in finding[0]["message"]


def test_compressed_png_text_is_bounded_in_sum(tmp_path):
    import zlib

    from generate import png_with_text

    bomb = png_with_text(scene(0), {})
    chunk = b"Comment\x00\x00" + zlib.compress(b"A" * (1 << 20), 9)
    import struct

    chunks = b"".join(struct.pack(">I", len(chunk)) + b"zTXt" + chunk + struct.pack(">I", zlib.crc32(b"zTXt" + chunk))
                      for _ in range(3000))
    at = bomb.index(b"IDAT") - 4
    (tmp_path / "bomb.png").write_bytes(bomb[:at] + chunks + bomb[at:])
    done = limited(f"""
from mediavet.cli import main
import sys
sys.argv = ["mediavet", "audit", "--json", {str(tmp_path / 'bomb.png')!r}]
main()
""")
    assert done.returncode == ExitCode.INPUT_ERROR, done.stderr[-2000:]
    assert "inflate beyond" in done.stdout


def test_all_frames_obeys_the_pixel_budget_in_sum(tmp_path):
    import struct

    # written by hand: a 4000x4000 canvas and 1,000 one-pixel frames (23 KB; 64 GB as whole frames)
    gif = bytearray(b"GIF89a" + struct.pack("<HHBBB", 4000, 4000, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff")
    gif += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    for number in range(1000):
        gif += b"\x21\xf9\x04\x00\x01\x00\x00\x00"  # 10 ms
        gif += b"\x2c" + struct.pack("<HHHHB", number % 4000, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    gif += b"\x3b"
    (tmp_path / "long.gif").write_bytes(bytes(gif))
    done = limited(f"""
from mediavet.cli import main
import sys
sys.argv = ["mediavet", "redact", "--all-frames", "--no-faces", "--no-text", "--no-codes", "-o",
            {str(tmp_path / 'out')!r}, {str(tmp_path / 'long.gif')!r}]
main()
""")
    assert done.returncode == ExitCode.INPUT_ERROR and "together" in done.stderr, done.stderr[-2000:]


def test_a_huge_sidecar_is_read_only_in_part(tmp_path):
    tip = tmp_path / "DJI_0001.jpg"
    tip.write_bytes(camera_jpeg())
    with open(tmp_path / "DJI_0001.SRT", "wb") as sidecar:  # 6 GiB, sparse: nothing is written to disk
        sidecar.write(b"[latitude: 39.9042] [longitude: 116.4074]\n")
        sidecar.truncate(6 << 30)
    done = limited(f"""
from mediavet.cli import main
import sys
sys.argv = ["mediavet", "verify", "--json", "--fail-on", "never", {str(tip)!r}]
main()
""", megabytes=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    companion = [f for f in json.loads(done.stdout)["files"][0]["findings"] if f["id"] == "file.companion"]
    assert companion and companion[0]["evidence"]["positions"] == 1


def test_max_pixels_applies_to_video_frames(tmp_path):
    from generate import clip

    source = tmp_path / "clip.mp4"
    source.write_bytes(clip())  # 320x240
    result = run("redact", source, "-o", tmp_path / "out", "--max-pixels", "50000", *NO_REGIONS)
    assert result.exit_code == ExitCode.INPUT_ERROR and "beyond --max-pixels" in result.stderr
    added = run("index", "add", source, "--db", tmp_path / "index.db", "--max-pixels", "50000")
    assert added.exit_code == ExitCode.INPUT_ERROR and "beyond --max-pixels" in added.stderr


def test_text_in_a_gif_plain_text_extension_is_found(tmp_path):
    import io
    import struct

    plain = io.BytesIO()
    Image.new("P", (40, 30)).save(plain, "GIF")
    data = plain.getvalue()
    text = b"Li Wei, +86 138 0013 8000"
    header = struct.pack("<HHHHBBBB", 0, 0, 40, 30, 8, 8, 1, 0)  # grid position and size, cell size, colours
    extension = b"\x21\x01\x0c" + header + bytes([len(text)]) + text + b"\x00"
    (tmp_path / "badge.gif").write_bytes(data[:-1] + extension + data[-1:])
    result, reports = audit_json(tmp_path / "badge.gif")
    assert result.exit_code == ExitCode.FINDINGS
    assert "Li Wei" in json.dumps(reports["badge.gif"]["findings"])


def test_text_inside_a_webp_animation_frame_is_found(tmp_path):
    import io
    import struct

    out = io.BytesIO()
    frames = [scene(n, (64, 48)) for n in range(2)]
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    data = bytearray(out.getvalue())
    pos = data.index(b"ANMF")
    size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
    payload = b"Li Wei, dormitory 3\x00"  # an even length: no padding byte
    chunk = b"TEXT" + struct.pack("<I", len(payload)) + payload
    data[pos + 8 + size:pos + 8 + size] = chunk
    data[pos + 4:pos + 8] = struct.pack("<I", size + len(chunk))
    data[4:8] = struct.pack("<I", len(data) - 8)
    (tmp_path / "anim.webp").write_bytes(bytes(data))
    result, reports = audit_json(tmp_path / "anim.webp")
    assert result.exit_code == ExitCode.FINDINGS
    assert "inside the animation frame" in json.dumps(reports["anim.webp"]["findings"])


@pytest.mark.parametrize("where", ["jpeg comment", "png comment", "xmp tiff:Software", "second EXIF APP1"])
def test_an_editor_named_in_a_comment_or_tiff_software_is_found(tmp_path, where):
    from generate import app1_xmp, insert_segments, png_with_text, xmp_packet

    if where == "jpeg comment":
        path, data = tmp_path / "a.jpg", insert_segments(jpeg_bytes(scene(0)), (0xFE, b"Created with GIMP"))
    elif where == "second EXIF APP1":
        from generate import app1_exif, exif_block

        path = tmp_path / "a.jpg"
        data = insert_segments(jpeg_bytes(scene(0)), app1_exif(exif_block({0x010F: (2, "Canon")})),
                               app1_exif(exif_block({0x0131: (2, "Adobe Photoshop 25.0")})))
    elif where == "png comment":
        path, data = tmp_path / "a.png", png_with_text(scene(0), {"Comment": "Created with GIMP"})
    else:
        path = tmp_path / "a.jpg"
        data = insert_segments(jpeg_bytes(scene(0)), app1_xmp(xmp_packet(
            '<tiff:Software xmlns:tiff="http://ns.adobe.com/tiff/1.0/">Adobe Photoshop 25.0</tiff:Software>')))
    path.write_bytes(data)
    result = run("verify", "--json", "--fail-on", "never", path)
    found = {f["id"]: f for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert "exif.editing_software" in found, found


AI_AND_EDITOR = ('<xmp:CreatorTool>Adobe Photoshop 25.0</xmp:CreatorTool>'
                 '<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia'
                 '</Iptc4xmpExt:DigitalSourceType>')


def _xmp_placed(where: str) -> tuple[str, bytes]:
    import struct

    from generate import app1_xmp, insert_segments, png_with_text, xmp_packet

    packet = xmp_packet(AI_AND_EDITOR).encode("utf-8")
    plain = jpeg_bytes(scene(0))
    if where == "photoshop APP13":
        resource = b"8BIM" + struct.pack(">H", 0x0424) + b"\x00\x00" + struct.pack(">I", len(packet)) + packet
        return "jpg", insert_segments(plain, (0xED, b"Photoshop 3.0\x00" + resource + b"\x00" * (len(packet) % 2)))
    if where == "first of two XMP segments":
        return "jpg", insert_segments(plain, app1_xmp(xmp_packet(AI_AND_EDITOR)), app1_xmp(xmp_packet("")))
    if where == "after a comment with an empty rdf:RDF":
        decoy = "<!-- <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'></rdf:RDF> -->"
        return "jpg", insert_segments(plain, app1_xmp(decoy + xmp_packet(AI_AND_EDITOR)))
    if where == "ExtendedXMP":  # as the XMP specification has it: the main packet names the MD5 of the rest
        import hashlib

        guid = hashlib.md5(packet).hexdigest().upper().encode()
        main = xmp_packet(f'<xmpNote:HasExtendedXMP xmlns:xmpNote="http://ns.adobe.com/xmp/note/">{guid.decode()}'
                          '</xmpNote:HasExtendedXMP>')
        extended = b"http://ns.adobe.com/xmp/extension/\x00" + guid + struct.pack(">II", len(packet), 0) + packet
        return "jpg", insert_segments(plain, app1_xmp(main), (0xE1, extended))
    hexed = packet.hex()
    return "png", png_with_text(scene(0), {"Raw profile type xmp": f"\nxmp\n{len(packet):8d}\n{hexed}\n"})


@pytest.mark.parametrize("where", ["photoshop APP13", "first of two XMP segments",
                                   "after a comment with an empty rdf:RDF", "ExtendedXMP", "PNG raw profile"])
def test_xmp_is_read_wherever_exiftool_finds_it(tmp_path, where):
    extension, data = _xmp_placed(where)
    path = tmp_path / f"tip.{extension}"
    path.write_bytes(data)
    result = run("verify", "--json", "--fail-on", "never", path)
    found = {f["id"] for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert {"provenance.ai_generated", "exif.editing_software"} <= found, found

    if shutil.which("exiftool"):  # the oracle sees the same marker there
        shown = subprocess.run(["exiftool", "-s3", "-DigitalSourceType", str(path)], capture_output=True, text=True)
        assert "trainedAlgorithmicMedia" in shown.stdout


def test_content_credentials_deep_inside_an_mp4_are_found(corpus, tmp_path):
    """The C2PA box moved 5 MiB into the file, behind padding and with padding after it: the
    walk over the boxes finds it where a scan of the file's ends did not."""
    import struct

    data = (corpus / "c2pa" / "video1.mp4").read_bytes()
    pos, boxes = 0, []
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        boxes.append(data[pos:pos + length])
        pos += length
    store = next(box for box in boxes if box[4:8] == b"uuid" and box[8:24].hex() == "d8fec3d61b0e483c92975828877ec481")
    free = lambda size: struct.pack(">I", size) + b"free" + b"\0" * (size - 8)  # noqa: E731
    xmp = next(box for box in boxes if box[4:8] == b"uuid" and box is not store)  # its XMP points at the store
    moved = b"".join(free(len(box)) if box is store or box is xmp else box for box in boxes)  # same offsets: plays
    deep = tmp_path / "deep.mp4"
    deep.write_bytes(moved + free(5 << 20) + store + free(5 << 20))
    found = {f["id"] for f in verify_json(deep)[1]["files"][0]["findings"]}
    assert found & {"provenance.c2pa", "provenance.c2pa_invalid", "provenance.c2pa_untrusted"}, found


def _other_tools_mov() -> bytes:
    """A MOV as another tool's 'clean' copy leaves it: no tags FFmpeg shows, but a vendor code
    in the sample description, a track creation date, a named handler, and text in a free box."""
    import io
    import struct

    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, "w", format="mov", container_options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        stream.codec_context.flags |= av.codec.context.Flags.bitexact
        stream.metadata["handler_name"] = "GPAC ISO Video Handler"
        for n in range(3):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 40 * n, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = bytearray(out.getvalue())
    vendor = data.index(b"FFMP")
    data[vendor:vendor + 4] = b"appl"
    tkhd = data.index(b"tkhd")
    data[tkhd + 8:tkhd + 16] = struct.pack(">II", 3_660_000_000, 3_660_000_000)  # 2019-12-24
    text = b"Li Wei, dormitory 3, +86 138 0013 8000"
    return bytes(data) + struct.pack(">I", 8 + len(text)) + b"free" + text


def test_a_mov_from_another_tool_keeps_nothing_exiftool_sees(tmp_path):
    from mediavet.redact.video import leftovers

    mov = tmp_path / "copy.mov"
    mov.write_bytes(_other_tools_mov())
    result, reports = audit_json(mov)
    assert result.exit_code == ExitCode.FINDINGS
    items = json.dumps(reports["copy.mov"]["findings"])
    for expected in ("vendor appl", "tkhd creation time 2019-12-24", "GPAC ISO Video Handler", "free box holding"):
        assert expected in items, expected
    assert any("vendor appl" in problem for problem in leftovers(mov, [], False))  # a copy like it is refused
    if shutil.which("exiftool"):  # the oracle sees the same
        shown = subprocess.run(["exiftool", "-a", "-u", str(mov)], capture_output=True, text=True).stdout
        assert "Apple" in shown and "2019:12:24" in shown


def test_an_avif_from_another_tool_keeps_nothing_exiftool_sees(tmp_path):
    """An AVIF sequence as GPAC-style tools leave it: a 2020 creation date, named handlers, and
    an item property no image needs (FFmpeg's `pixi` renamed, same size)."""
    made = tmp_path / "seq.avif"
    encoded = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5",
                              "-t", "1", "-c:v", "libaom-av1", "-metadata", "creation_time=2020-03-01T10:00:00Z",
                              "-metadata:s:v", "handler_name=GPAC ISO Video Handler", str(made)],
                             capture_output=True) if shutil.which("ffmpeg") else None
    if encoded is None or encoded.returncode != 0:
        pytest.skip("ffmpeg with libaom-av1 is needed to write the AVIF")
    data = made.read_bytes()
    assert b"pixi" in data
    made.write_bytes(data.replace(b"pixi", b"xtra", 1))
    result, reports = audit_json(made)
    assert result.exit_code == ExitCode.FINDINGS
    items = json.dumps(reports["seq.avif"]["findings"])
    for expected in ("creation time 2020-03-01", "GPAC ISO Video Handler", "item property meta/iprp/ipco/xtra"):
        assert expected in items, expected


def test_text_padded_into_a_webp_bitstream_is_found(tmp_path):
    """Decoders ignore bytes after the last VP8 partition: the picture still decodes."""
    import io
    import struct

    out = io.BytesIO()
    scene(3, (96, 64)).save(out, "WEBP", quality=70)
    data = bytearray(out.getvalue())
    pos = data.index(b"VP8 ")
    size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
    text = b"Li Wei, +86 138 0013 8000"
    padded = text + b"\0" * ((size + len(text)) % 2)
    data[pos + 8 + size:pos + 8 + size] = padded
    data[pos + 4:pos + 8] = struct.pack("<I", size + len(padded))
    data[4:8] = struct.pack("<I", len(data) - 8)
    (tmp_path / "padded.webp").write_bytes(bytes(data))
    Image.open(tmp_path / "padded.webp").load()
    result, reports = audit_json(tmp_path / "padded.webp")
    assert result.exit_code == ExitCode.FINDINGS
    assert "Li Wei" in json.dumps(reports["padded.webp"]["findings"])


def test_a_tiny_file_declaring_a_huge_flat_picture_is_refused_at_once(tmp_path):
    """A 14000x14000 black lossless WebP: below the 200-MP limit, but 196 MP from a few bytes."""
    import time

    bomb = tmp_path / "black.webp"
    Image.new("L", (14000, 14000)).save(bomb, "WEBP", lossless=True)
    assert bomb.stat().st_size < 20_000
    started = time.monotonic()
    done = limited(f"""
from mediavet.cli import main
import sys
sys.argv = ["mediavet", "redact", "-o", {str(tmp_path / 'out')!r}, {str(bomb)!r}]
main()
""", megabytes=1500)
    assert done.returncode == ExitCode.INPUT_ERROR and "decompression bomb" in done.stderr, done.stderr[-2000:]
    assert time.monotonic() - started < 60


def test_a_report_or_plan_may_name_a_folder_not_made_yet(tmp_path):
    tip = tmp_path / "tip.jpg"
    tip.write_bytes(camera_jpeg())
    assert run("verify", tip, "--html", tmp_path / "reports" / "r.html", "--fail-on", "never").exit_code == 0
    assert run("redact", tip, "--plan-only", tmp_path / "review" / "plan.json", "--preview", tmp_path / "review",
               *NO_REGIONS).exit_code == 0
    assert (tmp_path / "reports" / "r.html").is_file() and (tmp_path / "review" / "plan.json").is_file()


def test_a_preview_label_at_the_right_edge_stays_inside_the_picture(tmp_path):
    tip = tmp_path / "tip.png"
    scene(0, (900, 600)).convert("L").convert("RGB").save(tip)  # grey: the label colour stands out
    result = run("redact", tip, "--plan-only", tmp_path / "plan.json", "--preview", tmp_path / "p",
                 "--region", "870,100,30,30", *NO_REGIONS)
    assert result.exit_code == 0
    preview = Image.open(tmp_path / "p" / "PREVIEW-NOT-REDACTED-0001-1.jpg").convert("RGB")
    band = preview.crop((0, 60, 860, 100)).load()  # above the box, left of it: where the label must be
    purple = [(x, y) for x in range(860) for y in range(40) if band[x, y][0] > 150 and band[x, y][1] < 80
              and band[x, y][2] > 180]
    assert purple, "the label of a region at the right edge was cut off"


def test_audit_messages_keep_whole_values():
    from mediavet.redact.audit import _finding

    items = [f"Tag{n}=value-{n:03d}-abcdefghij" for n in range(40)]
    finding = _finding("audit.exif", items)
    shown = finding.message.split(": ", 1)[1].split("; and ")[0].split("; ")
    assert all(item in items for item in shown)  # no value cut in the middle
    assert finding.message.endswith("more (all in the evidence)") and finding.evidence["items"] == items
