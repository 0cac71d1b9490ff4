"""Batches: killed runs resume with exactly the rest, workers that die do not lose files, and
a Dask cluster gives the same results as the local pool."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import NOW, ROOT
from generate import jpeg_bytes, scene
from mediavet import jobs
from mediavet.jobs import engine
from mediavet.media import probe
from mediavet.redact.audit import audit_media

NO_REGIONS = ("--no-faces", "--no-text", "--no-codes")


def tips(folder, count, size=(640, 480)):
    """`count` different small photos (scene has two variants; the sizes make them differ)."""
    folder.mkdir()
    for n in range(count):
        (folder / f"tip{n:03d}.jpg").write_bytes(jpeg_bytes(scene(n % 2, size=(size[0] + 8 * n, size[1]))))
    return folder


def mediavet(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "mediavet", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, **kwargs)


def killed_when(args, ready, limit: float = 120):
    """Start mediavet, SIGKILL it (the driver only, as the OOM killer or a power cut would)
    once `ready()` is true."""
    process = subprocess.Popen([sys.executable, "-m", "mediavet", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + limit
    while not ready():
        assert process.poll() is None, "the run ended before it could be killed: " + process.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=30)
    time.sleep(1)  # its workers notice and go


def rows(ledger) -> int:
    if not ledger.exists():
        return 0
    db = sqlite3.connect(ledger, timeout=30)
    try:
        return db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def test_a_killed_redaction_resumes_with_exactly_the_rest(tmp_path):
    inputs = tips(tmp_path / "tips", 14)
    shared = tmp_path / "shared"

    def copies():
        return sorted(p.name for p in shared.iterdir() if not p.name.startswith(".")) if shared.exists() else []

    killed_when(["redact", inputs, "-o", shared, "--jobs", "2", *NO_REGIONS], lambda: len(copies()) >= 4)
    before = copies()
    assert 4 <= len(before) < 14 and before == [f"safe-{n:04d}.jpg" for n in range(1, len(before) + 1)]
    again = mediavet("redact", inputs, "-o", shared, "--jobs", "2", "--manifest", tmp_path / "manifest.json",
                     *NO_REGIONS)
    assert again.returncode == 0, again.stderr
    assert f"{14 - len(before)} written" in again.stdout + again.stderr
    assert f"{len(before)} already there from an earlier run" in again.stdout + again.stderr
    after = sorted(p.name for p in shared.iterdir())  # no .part debris of the killed run either
    assert after == [f"safe-{n:04d}.jpg" for n in range(1, 15)]
    assert all(audit_media(probe(shared / name)) == [] for name in after)
    manifest = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert sorted(os.path.basename(f["output"]) for f in manifest) == after  # one copy per input, none twice
    assert [f["input"] for f in manifest] == [str(p) for p in sorted(inputs.iterdir())]
    assert (tmp_path / ".mediavet" / "shared.ledger").is_file()  # beside OUTDIR, never inside it
    third = mediavet("redact", inputs, "-o", shared, *NO_REGIONS)
    assert third.returncode == 0 and "0 written" in third.stdout + third.stderr


def test_a_killed_verify_resumes_from_its_ledger(tmp_path):
    inputs = tips(tmp_path / "tips", 300, size=(96, 64))
    ledger = tmp_path / "verify.ledger"
    args = ["verify", inputs, "--now", NOW, "--jsonl", "--fail-on", "never", "--jobs", "1"]
    killed_when([*args, "--ledger", ledger], lambda: rows(ledger) >= 64)
    done = rows(ledger)
    assert 64 <= done < 300
    resumed = mediavet(*args, "--ledger", ledger)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done} of 300 files done by an earlier run" in resumed.stderr
    fresh = mediavet(*args)
    assert resumed.stdout == fresh.stdout  # every report, the resumed ones as the first run wrote them
    assert rows(ledger) == 300
    other = mediavet(*args[:3], "2025-01-01T00:00:00Z", *args[4:], "--ledger", ledger)  # another --now: afresh
    assert "done by an earlier run" not in other.stderr


def test_a_killed_index_add_resumes_without_adding_twice(tmp_path):
    inputs = tips(tmp_path / "tips", 30, size=(320, 240))
    ledger, db = tmp_path / "add.ledger", tmp_path / "index.db"
    killed_when(["index", "add", inputs, "--db", db, "--ledger", ledger], lambda: rows(ledger) >= 3)
    done = rows(ledger)
    resumed = mediavet("index", "add", inputs, "--db", db, "--ledger", ledger)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done} done by an earlier run" in resumed.stdout
    stats = json.loads(mediavet("index", "stats", "--json", "--db", db).stdout)
    assert stats["items"] == 30


def test_failures_are_kept_until_retried(tmp_path):
    inputs = tips(tmp_path / "tips", 2, size=(96, 64))
    (inputs / "broken.jpg").write_bytes(jpeg_bytes(scene(0))[:200])
    ledger = tmp_path / "v.ledger"
    args = ["verify", inputs, "--now", NOW, "--json", "--ledger", ledger]
    first = mediavet(*args)
    assert first.returncode == 3
    (inputs / "broken.jpg").write_bytes(jpeg_bytes(scene(0)))  # mended: a changed file is done again
    assert mediavet(*args).returncode == 0
    (inputs / "broken.jpg").write_bytes(b"")
    assert mediavet(*args).returncode == 3
    kept = mediavet(*args)  # the failure is reported again from the ledger, not retried
    assert kept.returncode == 3 and "3 of 3 files done by an earlier run" in kept.stderr
    retried = mediavet(*args, "--retry-failed")
    assert retried.returncode == 3 and "2 of 3 files done by an earlier run" in retried.stderr


def _dies_on(item, marker=None):
    """A task whose worker dies on item 3 (every time, or only the first time when `marker`
    names a file to leave behind)."""
    if item == 3 and not (marker and os.path.exists(marker)):
        if marker:
            open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 10


def test_a_local_worker_that_dies_has_its_files_run_again(tmp_path):
    pool = engine.local(2)
    lost = lambda item, why: ("lost", item, why)  # noqa: E731
    once = list(engine.ordered(pool, _dies_on, range(10), lost, heavy=True, marker=str(tmp_path / "died")))
    assert once == [(n, n * 10) for n in range(10)]
    always = dict(engine.ordered(pool, _dies_on, range(10), lost, heavy=True))
    assert always[3] == ("lost", 3, "the worker processing it died twice")
    assert all(always[n] == n * 10 for n in range(10) if n != 3)


dask = pytest.importorskip("distributed", reason="dask[distributed] is an optional extra")


@pytest.fixture(scope="module")
def cluster():
    cluster = dask.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield cluster
    cluster.close()


def _without_times(text):
    return [json.loads(line) for line in text.splitlines()]


def test_a_dask_cluster_gives_what_the_local_pool_gives(tmp_path, cluster):
    inputs = tips(tmp_path / "tips", 12, size=(320, 240))
    address = cluster.scheduler_address
    args = ["verify", inputs, "--now", NOW, "--jsonl", "--fail-on", "never", "--in-batch"]
    local, remote = mediavet(*args, "--jobs", "2"), mediavet(*args, "--scheduler", address)
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert _without_times(local.stdout) == _without_times(remote.stdout)
    shipped = mediavet(*args, "--scheduler", address, "--ship-bytes")
    assert _without_times(shipped.stdout) == _without_times(local.stdout)
    copies = {}
    for way in ("local", "cluster", "shipped"):
        extra = {"local": ["--jobs", "2"], "cluster": ["--scheduler", address],
                 "shipped": ["--scheduler", address, "--ship-bytes"]}[way]
        done = mediavet("redact", inputs, "-o", tmp_path / way, *extra)
        assert done.returncode == 0, done.stderr
        copies[way] = {p.name: p.read_bytes() for p in (tmp_path / way).iterdir()}
    assert len(copies["local"]) == 12 and copies["local"] == copies["cluster"] == copies["shipped"]
    for way in ("local", "cluster"):
        extra = ["--jobs", "2"] if way == "local" else ["--scheduler", address]
        assert mediavet("index", "add", inputs, "--db", tmp_path / f"{way}.db", *extra).returncode == 0
    query = [json.loads(mediavet("index", "query", inputs, "--json", "--db", tmp_path / f"{way}.db").stdout)
             for way in ("local", "cluster")]
    found = [[(r["path"], sorted({m["sha256"] for m in r["matches"]})) for r in answer["results"]] for answer in query]
    assert found[0] == found[1] and all(shas for _path, shas in found[0])  # the same entries, each file found
    # index query through the same engines: one process, the local pool, the cluster (it reads the index too)
    (inputs / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a picture")
    answers = []
    for extra in (["--jobs", "1"], ["--jobs", "2"], ["--scheduler", address]):
        done = mediavet("index", "query", inputs, "--json", "--db", tmp_path / "local.db", *extra)
        assert done.returncode == 3 and "broken.jpg" in done.stderr, done.stderr
        answers.append(json.loads(done.stdout)["results"])
    assert answers[0] == answers[1] == answers[2] and len(answers[0]) == 12


def test_a_dask_worker_killed_mid_run_loses_no_file(tmp_path, cluster):
    from mediavet.jobs.operations import Verify
    from mediavet.verify import VerifyOptions
    from datetime import datetime, timezone

    inputs = sorted(tips(tmp_path / "tips", 40, size=(480, 360)).iterdir())
    client = dask.Client(cluster)
    running = jobs.engine.Engine(client=client)
    options = VerifyOptions(now=datetime(2026, 1, 1, tzinfo=timezone.utc), forensics=True)  # heavy: one file a task
    pids = list(client.run(os.getpid).values())
    results = []
    for result in jobs.run(jobs.Job(Verify(options), inputs), running):
        results.append(result)
        if len(results) == 2:
            os.kill(pids[0], signal.SIGKILL)  # the nanny starts another; the scheduler re-runs its tasks
    client.close()
    assert [r.path for r in results] == [str(p) for p in inputs]
    assert all(r.value.error is None and r.value.sha256 for r in results)


def test_an_edited_plan_redoes_the_copies_it_changes(tmp_path):
    """The ledger's settings carry the plan's contents, not only that there is one: a region
    a reviewer adds must reach the copy when redact runs again into the same OUTDIR."""
    inputs = tips(tmp_path / "tips", 2)
    plan, out = tmp_path / "plan.json", tmp_path / "out"
    assert mediavet("redact", inputs, "--plan-only", plan, *NO_REGIONS).returncode == 0
    assert mediavet("redact", inputs, "--plan", plan, "-o", out, *NO_REGIONS).returncode == 0
    before = (out / "safe-0001.jpg").read_bytes()
    again = mediavet("redact", inputs, "--plan", plan, "-o", out, *NO_REGIONS)
    assert "2 already there from an earlier run" in again.stdout  # the same plan: nothing to redo
    edited = json.loads(plan.read_text())
    edited["files"][0]["regions"].append({"kind": "manual", "box": [10, 10, 200, 120], "action": "fill",
                                          "shape": "rect"})
    plan.write_text(json.dumps(edited))
    redone = mediavet("redact", inputs, "--plan", plan, "-o", out, *NO_REGIONS)
    assert redone.returncode == 0, redone.stderr
    assert "1 already there from an earlier run" in redone.stdout  # the file the edit changed is redone
    after = out / "safe-0001.jpg"
    assert after.read_bytes() != before
    assert audit_media(probe(after)) == []
    assert sorted(p.name for p in out.iterdir()) == ["safe-0001.jpg", "safe-0002.jpg"]
    # other settings redo every file: each new copy takes its old copy's name, none is left beside it
    second = (out / "safe-0002.jpg").read_bytes()
    other = mediavet("redact", inputs, "--plan", plan, "-o", out, "--quality", "60", *NO_REGIONS)
    assert other.returncode == 0 and "2 written" in other.stdout, other.stdout
    assert sorted(p.name for p in out.iterdir()) == ["safe-0001.jpg", "safe-0002.jpg"]
    assert (out / "safe-0002.jpg").read_bytes() != second
