"""`mediavet review` in a real browser (headless Chromium driven by Selenium), against the real
server: the gate (token, cookie, Host, CSRF), the tips worst first, a region switched to keep,
a region drawn, safe copies made from the reviewed plan. Screenshots go to test-artifacts/
(or $MEDIAVET_ARTIFACTS) for a person to look at."""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import CORPUS, ROOT, SAMPLES

ARTIFACTS = Path(os.environ.get("MEDIAVET_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


@contextlib.contextmanager
def start_review(work: Path, tips: Path, *flags):
    """`mediavet review` as the CLI runs it; yields its addresses, stops it afterwards."""
    process = subprocess.Popen([sys.executable, "-m", "mediavet", "review", str(tips), "--no-browser",
                                "-o", str(work / "shared"), "--save-plan", str(work / "plan.json"), *flags],
                               cwd=work, stderr=subprocess.PIPE, text=True)
    address = None
    deadline = time.time() + 120
    while time.time() < deadline and address is None:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        address = re.search(r"(http://127\.0\.0\.1:\d+)/start\?token=\S+", line)
    if address is None:
        process.kill()
        pytest.fail(f"mediavet review printed no address: {process.stderr.read()[-2000:]}")
    try:
        yield {"start": address.group(0), "origin": address.group(1), "work": work, "tips": tips}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A review of three tips (a HIGH sample, a clean camera sample, two faces from the corpus),
    faces only."""
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    work = tmp_path_factory.mktemp("review")
    tips = work / "tips"
    tips.mkdir()
    shutil.copy(SAMPLES / "provenance_ai_generated.jpg", tips / "a-generated.jpg")
    shutil.copy(SAMPLES / "clean_camera.jpg", tips / "b-camera.jpg")
    Image.open(CORPUS / "faces" / "deepface_couple.jpg").convert("RGB").save(tips / "c-couple.jpg", quality=95)
    with start_review(work, tips, "--no-text", "--no-codes") as running:
        yield running


def request(url, cookie=None, host=None, method="GET", headers=None):
    req = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    if cookie:
        req.add_header("Cookie", cookie)
    if host:
        req.add_header("Host", host)
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with DIRECT.open(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_nothing_is_served_without_the_token(server):
    for path in ("/", "/api/tips", "/api/tip/1/picture", "/static/tip.js", "/start?token=wrong"):
        status, _ = request(server["origin"] + path)
        assert status == 403, path


@pytest.fixture(scope="module")
def browser(server):
    if not (CHROMIUM and DRIVER):
        pytest.skip("Chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--no-first-run", "--disable-background-networking", "--no-proxy-server"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait_for(condition, timeout=180, every=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def test_review_in_a_browser_decides_and_makes_safe_copies(server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(server["start"])  # the token becomes a cookie, the address is used up
    assert browser.current_url == server["origin"] + "/"
    wait_for(lambda: "all 3 tips ready" in browser.find_element(By.ID, "progress").text)
    time.sleep(1)
    rows = browser.find_elements(By.CSS_SELECTOR, "#tips tbody tr")
    verdicts = [row.get_attribute("data-verdict") for row in rows]
    assert verdicts[0] == "HIGH" and "a-generated.jpg" in rows[0].text  # worst first
    rank = {"unreadable": 0, "HIGH": 1, "WARN": 2, "INFO": 3, "clean": 4}
    assert [rank[v] for v in verdicts] == sorted(rank[v] for v in verdicts)
    assert "treat it as not a photograph" in rows[0].text
    browser.save_screenshot(str(ARTIFACTS / "review-tips.png"))

    couple = next(row for row in rows if "c-couple.jpg" in row.text)
    couple.find_element(By.TAG_NAME, "a").click()
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "g.region.face")) >= 2)
    wait_for(lambda: browser.execute_script("return document.getElementById('picture').complete"))
    faces = browser.find_elements(By.CSS_SELECTOR, "g.region.face.cover rect")
    kept = faces[0]
    kept_box = [int(float(kept.get_attribute(k))) for k in ("x", "y", "width", "height")]
    kept.click()  # cover -> keep
    wait_for(lambda: browser.find_element(By.ID, "saved").text == "saved in the plan")
    assert browser.find_elements(By.CSS_SELECTOR, "g.region.face.keep")

    overlay = browser.find_element(By.ID, "overlay")
    size = overlay.size
    start = (-size["width"] * 0.45, size["height"] * 0.30)  # from the centre: the lower left, a shoulder
    ActionChains(browser).move_to_element_with_offset(overlay, *start).click_and_hold() \
        .move_by_offset(size["width"] * 0.12, size["height"] * 0.12).release().perform()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "g.region.manual"))
    wait_for(lambda: browser.find_element(By.ID, "saved").text == "saved in the plan")
    browser.save_screenshot(str(ARTIFACTS / "review-tip.png"))

    browser.find_element(By.ID, "apply").click()
    results = wait_for(lambda: browser.find_element(By.ID, "results").text.count("written") >= 3 and
                       browser.find_element(By.ID, "results"))
    assert "audit: clean" in results.text
    shown = browser.find_elements(By.CSS_SELECTOR, "#results img.copy")  # each safe copy itself
    assert len(shown) == 3
    wait_for(lambda: all(browser.execute_script("return arguments[0].naturalWidth", img) > 0 for img in shown), 30)
    browser.save_screenshot(str(ARTIFACTS / "review-copies.png"))
    made = {p.name: p.read_bytes() for p in (server["work"] / "shared").iterdir()}
    browser.find_element(By.ID, "apply").click()  # pressed again: the ledger keeps every copy as it is
    again = wait_for(lambda: browser.find_element(By.ID, "results").text.count("unchanged") >= 3 and
                     browser.find_element(By.ID, "results"))
    assert "written" not in again.text and again.text.count("audit: clean") == 3
    shown = browser.find_elements(By.CSS_SELECTOR, "#results img.copy")
    assert len(shown) == 3
    wait_for(lambda: all(browser.execute_script("return arguments[0].naturalWidth", img) > 0 for img in shown), 30)
    browser.save_screenshot(str(ARTIFACTS / "review-copies-again.png"))
    assert {p.name: p.read_bytes() for p in (server["work"] / "shared").iterdir()} == made

    plan = json.loads((server["work"] / "plan.json").read_text())
    assert plan["mediavet_plan"] == 2 and plan["reviewed"]["by"] == "mediavet review"
    entry = next(e for e in plan["files"] if e["path"].endswith("c-couple.jpg"))
    keep = next(r for r in entry["regions"] if r["action"] == "keep")
    assert keep["kind"] == "face" and keep["by"] == "reviewer" and keep["box"] == kept_box
    untouched = [r for r in entry["regions"] if r["kind"] == "face" and r["action"] != "keep"]
    assert untouched and all("by" not in r for r in untouched)  # only what the reviewer changed is marked
    assert len(entry["detected"]) >= 2  # what the detectors found stays on record
    drawn = next(r for r in entry["regions"] if r["kind"] == "manual")
    assert drawn["by"] == "reviewer" and drawn["action"] == "fill"

    number = sorted(p.name for p in server["tips"].iterdir()).index("c-couple.jpg") + 1
    copy = np.asarray(Image.open(server["work"] / "shared" / f"safe-{number:04d}.jpg").convert("L"), dtype=float)
    original = np.asarray(Image.open(server["tips"] / "c-couple.jpg").convert("L"), dtype=float)
    x, y, w, h = drawn["box"]
    assert copy[y:y + h, x:x + w].mean() < 20  # the drawn region is covered
    x, y, w, h = keep["box"]
    inner = (slice(y + h // 4, y + 3 * h // 4), slice(x + w // 4, x + 3 * w // 4))
    assert np.abs(copy[inner] - original[inner]).mean() < 8  # the kept face is left as it was
    audit = subprocess.run([sys.executable, "-m", "mediavet", "audit", str(server["work"] / "shared")],
                           capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout + audit.stderr

    # the session cookie is the only key, and only from the loopback address, with the CSRF token
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    assert request(server["origin"] + "/api/tips", cookie)[0] == 200
    assert request(server["origin"] + "/api/tips")[0] == 403
    assert request(server["start"])[0] == 403  # the address was good once
    port = server["origin"].rsplit(":", 1)[1]
    assert request(server["origin"] + "/api/tips", cookie, host=f"rebound.example:{port}")[0] == 403
    assert request(server["origin"] + "/api/apply", cookie, method="POST")[0] == 403  # no CSRF token
    assert request(server["origin"] + "/api/apply", cookie, method="POST",
                   headers={"X-CSRF-Token": "guess", "Content-Type": "application/json"})[0] == 403
    csrf = browser.find_element(By.CSS_SELECTOR, 'meta[name="csrf"]').get_attribute("content")
    bad = urllib.request.Request(server["origin"] + f"/api/tip/{number}/regions", method="POST",
                                 data=json.dumps({"regions": [{"kind": "manual", "box": [0, 0, 99999, 10]}]}).encode(),
                                 headers={"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        DIRECT.open(bad, timeout=30)
    assert refused.value.code == 422 and b"not inside" in refused.value.read()
    status, body = request(server["origin"] + "/api/tip/1/picture", cookie)
    assert status == 200 and body[:2] == b"\xff\xd8" and b"Exif" not in body[:4096]  # a rendering, not the file
    assert body != (server["tips"] / "a-generated.jpg").read_bytes()


def test_a_clip_is_reviewed_by_track_and_a_drawn_box_is_followed(tmp_path, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from generate import encoded_clip

    shop = Image.open(CORPUS / "text" / "immich_japanese-shop.jpg").convert("RGB")  # signs: text tracks
    shop.thumbnail((640, 640))
    tips = tmp_path / "tips"
    tips.mkdir()
    pan = [(shop.crop((4 * n, 0, 4 * n + 400, 300)), []) for n in range(40)]  # texture the tracker can follow
    (tips / "pan.mp4").write_bytes(encoded_clip(pan, (400, 300))[0])
    with start_review(tmp_path, tips, "--no-faces", "--no-codes") as server:
        browser.get(server["start"])
        wait_for(lambda: "all 1 tips ready" in browser.find_element(By.ID, "progress").text)
        browser.get(server["origin"] + "/tip/1")
        rows = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#timeline .row"))
        track = rows[0].get_attribute("data-track")
        rows[0].click()  # the whole track: cover -> keep
        wait_for(lambda: browser.find_element(By.ID, "saved").text == "saved in the plan")
        scrub = browser.find_element(By.ID, "scrub")
        browser.execute_script("arguments[0].value = 20; arguments[0].dispatchEvent(new Event('input'))", scrub)
        overlay = browser.find_element(By.ID, "overlay")
        size = overlay.size
        ActionChains(browser).move_to_element_with_offset(overlay, -size["width"] * 0.4, size["height"] * 0.2) \
            .click_and_hold().move_by_offset(size["width"] * 0.15, size["height"] * 0.15).release().perform()
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "g.region.manual"))
        wait_for(lambda: browser.find_element(By.ID, "saved").text == "saved in the plan")
        browser.find_element(By.ID, "track").click()
        wait_for(lambda: "followed" in browser.find_element(By.ID, "saved").text, timeout=120)
        browser.save_screenshot(str(ARTIFACTS / "review-clip.png"))
        browser.find_element(By.ID, "apply").click()
        wait_for(lambda: "written" in browser.find_element(By.ID, "results").text, timeout=300)
        entry = json.loads((tmp_path / "plan.json").read_text())["files"][0]
        number = int(track.split()[-1])
        kept = [r for r in entry["regions"] if r.get("track") == number and r["kind"] == "text"]
        assert kept and all(r["action"] == "keep" and r["by"] == "reviewer" for r in kept)
        drawn = [r for r in entry["regions"] if r["kind"] == "manual"]
        spans = [r["frames"] for r in drawn]
        assert any(first <= 20 <= last for first, last in spans)
        assert min(first for first, _ in spans) < 20 < max(last for _, last in spans)  # followed both ways
        assert len({r["track"] for r in drawn}) == 1 and all(r["by"] == "reviewer" for r in drawn)


def test_where_a_photo_was_changed_is_shown_beside_the_findings(tmp_path, browser):
    """A local edit the thumbnail contradicts, and a clone (with --forensics): the page shows
    the outlined area, the thumbnail and the difference map, and the clone's two areas."""
    from selenium.webdriver.common.by import By

    from test_thumbnail_local import edited

    tips = tmp_path / "tips"
    tips.mkdir()
    painted, _ = edited(CORPUS / "exif_jpeg" / "Canon_40D.jpg", "paint", 0.2, seed=1)
    (tips / "a-painted.jpg").write_bytes(painted)
    shutil.copy(SAMPLES / "forensics_copy_move.jpg", tips / "b-cloned.jpg")
    with start_review(tmp_path, tips, "--forensics", "--no-faces", "--no-text", "--no-codes") as server:
        browser.get(server["start"])
        wait_for(lambda: "all 2 tips ready" in browser.find_element(By.ID, "progress").text)
        expected = {1: ["the area that differs from its thumbnail", "embedded EXIF thumbnail",
                        "difference from the thumbnail"], 2: ["copy-move: two areas"]}
        for number, captions in expected.items():
            browser.get(server["origin"] + f"/tip/{number}")
            figures = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#figures figure"))
            shown = [figure.text for figure in figures]
            assert len(shown) == len(captions) and all(c in s for c, s in zip(captions, shown)), shown
            images = browser.find_elements(By.CSS_SELECTOR, "#figures img")
            wait_for(lambda: all(browser.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images), 30)
            browser.save_screenshot(str(ARTIFACTS / f"review-evidence-{number}.png"))
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
        status, body = request(server["origin"] + "/api/tip/2/figure/1", cookie)
        assert status == 200 and body[:2] == b"\xff\xd8"
        assert request(server["origin"] + "/api/tip/2/figure/2", cookie)[0] == 404
        assert request(server["origin"] + "/api/tip/2/figure/1")[0] == 403


def test_what_the_recheck_still_finds_comes_back_to_decide(tmp_path):
    """A plan made without faces, applied from the review: refused, and the faces the check
    found are on the tip as review candidates; decided (covered), the copy is written."""
    from datetime import datetime, timezone

    from mediavet.redact import RedactOptions
    from mediavet.redact.plan import load
    from mediavet.review.session import Review
    from mediavet.verify import VerifyOptions

    from conftest import run

    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    tip = tmp_path / "couple.jpg"
    Image.open(CORPUS / "faces" / "deepface_couple.jpg").convert("RGB").save(tip)
    assert run("redact", tip, "--plan-only", tmp_path / "first.json", "--no-faces").exit_code == 0
    entries, _ = load(tmp_path / "first.json")
    review = Review([tip], tmp_path / "shared", tmp_path / "plan.json", RedactOptions(),
                    VerifyOptions(now=datetime.now(timezone.utc)), entries)
    review._work()  # what the background thread does
    (result,) = review.make_copies()
    assert result["status"] == "refused" and "face" in result["message"]
    candidates = [r for r in review.tips[0].regions if r.reason and "re-check" in r.reason]
    assert candidates and all(r.kind == "face" and r.action == "review" for r in candidates)
    decided = [r.to_json() | ({"action": "fill"} if r in candidates else {}) for r in review.tips[0].regions]
    assert review.set_regions(1, decided) == []
    (result,) = review.make_copies()
    assert result["status"] == "written" and result["audit"] == "clean"


def test_an_archive_match_shows_the_archived_picture(tmp_path):
    from datetime import datetime, timezone

    from mediavet.redact import RedactOptions
    from mediavet.redact.protect import ProtectOptions
    from mediavet.review.session import Review
    from mediavet.verify import VerifyOptions

    from conftest import run

    archived = tmp_path / "archive" / "old.jpg"
    archived.parent.mkdir()
    shutil.copy(SAMPLES / "clean_camera.jpg", archived)
    index = tmp_path / "index.db"
    assert run("index", "add", archived, "--db", index, "--store-path", "--label", "flood 2019").exit_code == 0
    tip = tmp_path / "tips" / "tip.jpg"
    tip.parent.mkdir()
    Image.open(archived).resize((300, 225)).save(tip, quality=80)  # recycled: resized and resaved
    review = Review([tip], tmp_path / "shared", tmp_path / "plan.json",
                    RedactOptions(protect=ProtectOptions(kinds=())),
                    VerifyOptions(now=datetime.now(timezone.utc), index=str(index)))
    review._work()
    (summary,) = review.ranked()
    (match,) = summary["matches"]
    assert match["label"] == "flood 2019" and match["path"] == str(archived.resolve())
    picture = review.match_picture(1, 1)
    assert picture[:2] == b"\xff\xd8" and b"NIKON" not in picture  # a rendering, not the archived file
    assert review.match_picture(1, 2) is None


def test_a_photo_found_inside_a_screenshot_is_shown_beside_the_archived_one(tmp_path, browser):
    """The tips page shows the part of the screenshot that matched next to the archived
    picture, and says where the part is."""
    from selenium.webdriver.common.by import By

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import dup_accuracy as scenes

    from conftest import run

    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    archived = tmp_path / "archive" / "old.jpg"
    archived.parent.mkdir()
    picture = scenes.load(CORPUS, "exif_jpeg/exiforg_nikon-e950.jpg")
    picture.save(archived, quality=95)
    index = tmp_path / "index.db"
    assert run("index", "add", archived, "--db", index, "--store-path", "--label", "flood 2019").exit_code == 0
    tips = tmp_path / "tips"
    tips.mkdir()
    shot, box = scenes.screenshot_post(picture, 0.4, seed=3)
    shot.save(tips / "screenshot.jpg", quality=90)
    with start_review(tmp_path, tips, "--index", str(index), "--no-faces", "--no-text", "--no-codes") as server:
        browser.get(server["start"])
        wait_for(lambda: "all 1 tips ready" in browser.find_element(By.ID, "progress").text)
        match = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "p.match"))[0]
        assert match.text.startswith("a part (") and "flood 2019" in match.text, match.text
        images = match.find_elements(By.CSS_SELECTOR, "img")
        assert len(images) == 2  # the part of the tip, the archived picture
        wait_for(lambda: all(browser.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images), 30)
        part = images[0]
        width, height = (browser.execute_script(f"return arguments[0].natural{side}", part) for side in ("Width", "Height"))
        assert abs(width / height - box[2] / box[3]) < 0.1  # the part has the picture's shape, not the screenshot's
        browser.save_screenshot(str(ARTIFACTS / "review-match-part.png"))


def test_making_copies_again_keeps_what_the_plan_did_not_change(tmp_path):
    """The review makes copies through the batch API and its ledger: pressed again, nothing is
    rewritten; a tip whose regions changed gets its copy replaced under the same name."""
    from datetime import datetime, timezone

    from generate import jpeg_bytes, scene
    from mediavet.redact import RedactOptions
    from mediavet.review.session import Review
    from mediavet.verify import VerifyOptions

    tips = []
    for n in range(2):
        tips.append(tmp_path / f"tip{n}.jpg")
        tips[-1].write_bytes(jpeg_bytes(scene(n, size=(480 + 16 * n, 360))))
    shared = tmp_path / "shared"
    review = Review(tips, shared, tmp_path / "plan.json", RedactOptions(), VerifyOptions(now=datetime.now(timezone.utc)))
    review._work()
    first = review.make_copies()
    assert [r["status"] for r in first] == ["written", "written"], first
    made = {p.name: p.read_bytes() for p in shared.iterdir()}
    assert sorted(made) == ["safe-0001.jpg", "safe-0002.jpg"]
    again = review.make_copies()
    assert [(r["status"], r["copy"], r["audit"]) for r in again] == [
        ("unchanged", "safe-0001.jpg", "clean"), ("unchanged", "safe-0002.jpg", "clean")]
    assert {p.name: p.read_bytes() for p in shared.iterdir()} == made
    regions = [r.to_json() for r in review.tips[0].regions]
    assert review.set_regions(1, regions + [{"kind": "manual", "box": [20, 20, 160, 100], "action": "fill",
                                             "shape": "rect"}]) == []
    edited = review.make_copies()
    assert [(r["status"], r["copy"]) for r in edited] == [("written", "safe-0001.jpg"), ("unchanged", "safe-0002.jpg")]
    now = {p.name: p.read_bytes() for p in shared.iterdir()}
    assert sorted(now) == ["safe-0001.jpg", "safe-0002.jpg"]
    assert now["safe-0001.jpg"] != made["safe-0001.jpg"] and now["safe-0002.jpg"] == made["safe-0002.jpg"]
