"""What one review holds: the tips, each verified and planned in the background, the
regions a person edits, and the safe copies made from the reviewed plan.

The plan is the contract (redact/plan.py): edits land in each tip's regions, marked
`"by": "reviewer"`; what the detectors found stays in `detected`, so a deleted region is a
decision, not a gap. Making copies writes the reviewed plan and runs the usual fail-closed
pipeline with it; what the re-check still finds comes back as new review candidates.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from mediavet.redact.regions import Region, inside_problem

PICTURE_SIDE = 1600  # the rendering the editor draws on (boxes stay in the original's pixels)
FRAME_SIDE = 960
FIGURE_SIDE = 480  # the evidence pictures beside the findings
MAX_FRAMES = 120  # a clip is reviewed on at most this many evenly sampled frames
MAX_REGIONS = 5000


@dataclass
class Tip:
    number: int
    path: Path
    state: str = "queued"  # queued, verifying, detecting, ready, error
    report: object = None  # the verify FileReport
    entry: dict | None = None  # the plan entry (sha256, size, frames, fps, detected)
    regions: list[Region] = field(default_factory=list)
    error: str | None = None
    picture: bytes | None = None  # metadata-free JPEG of the upright picture (first frame of a clip)
    frames: dict[int, bytes] = field(default_factory=dict)  # a clip: sampled frame number -> JPEG
    figures: list = field(default_factory=list)  # (caption, JPEG): where the findings' evidence lies
    result: dict | None = None  # the last copy made: status, name, message
    edited: bool = False

    @property
    def is_video(self) -> bool:
        return bool(self.entry and self.entry.get("frames") is not None)

    def summary(self) -> dict:
        from mediavet.report.summary import next_step, top_findings, verdict

        report = self.report
        regions = self.regions
        undecided = {("track", r.track) if r.track is not None else ("region", n)
                     for n, r in enumerate(regions) if r.action == "review"}  # a clip's track counts once
        return {"number": self.number, "name": self.path.name, "state": self.state, "error": self.error,
                "verdict": verdict(report) if report else None,
                "findings": top_findings(report) if report else [],
                "next": next_step(report) if report else None,
                "matches": _matches(report) if report else [],
                "video": self.is_video,
                "regions": len(regions), "undecided": len(undecided),
                "result": self.result, "edited": self.edited}


def _matches(report) -> list[dict]:
    """Archive matches: which archived picture (its label, when it was added, its path when kept)."""
    return [{"label": f.evidence.get("label"), "added": f.evidence.get("added"), "path": f.evidence.get("path"),
             "distance": f.evidence.get("distance"), "exact": f.id == "duplicate.exact",
             "region": f.evidence.get("region")}
            for f in report.findings if f.id in ("duplicate.match", "duplicate.exact")]


class Review:
    """The tips of one `mediavet review` run, worked on by one background thread."""

    def __init__(self, paths: list[Path], outdir: Path, plan_path: Path, redact_options, verify_options,
                 plan: dict | None = None):
        self.tips = [Tip(number, Path(path)) for number, path in enumerate(paths, start=1)]
        self.outdir, self.redact_options, self.verify_options = outdir, redact_options, verify_options
        self.given_plan, self.plan_path = plan or {}, plan_path
        self.lock = threading.RLock()
        self.busy = False  # copies being made
        self.worker = threading.Thread(target=self._work, name="mediavet-review", daemon=True)

    def start(self) -> None:
        self.worker.start()

    def tip(self, number: int) -> Tip:
        if not 1 <= number <= len(self.tips):
            raise KeyError(number)
        return self.tips[number - 1]

    def progress(self) -> dict:
        with self.lock:
            done = sum(1 for t in self.tips if t.state in ("ready", "error"))
            return {"done": done, "total": len(self.tips), "busy": self.busy}

    def ranked(self) -> list[dict]:
        """Every tip, worst first (unreadable, HIGH, WARN, INFO, clean; those not verified yet last)."""
        order = {"unreadable": 0, "HIGH": 1, "WARN": 2, "INFO": 3, "clean": 4, None: 5}
        with self.lock:
            summaries = [t.summary() for t in self.tips]
        return sorted(summaries, key=lambda s: (order[s["verdict"]], s["number"]))

    # the background work: verify, then detect, one tip at a time

    def _work(self) -> None:
        for tip in self.tips:
            try:
                self._prepare(tip)
            except Exception as exc:  # one tip's failure must not stop the review
                with self.lock:
                    tip.state, tip.error = "error", f"{type(exc).__name__}: {exc}"[:300]

    def _prepare(self, tip: Tip) -> None:
        from mediavet.redact import PLANNED, plan_file
        from mediavet.verify import verify_file

        with self.lock:
            tip.state = "verifying"
        report = verify_file(tip.path, self.verify_options)
        with self.lock:
            tip.report, tip.state = report, "detecting"
        given = self.given_plan.get(str(tip.path.resolve()))
        if given is not None:  # a plan given on the command line: its regions, not new ones
            from mediavet.redact.plan import check_inputs

            problems = check_inputs(self.given_plan, [tip.path])
            if problems:
                raise ValueError(problems[0])
            entry = {"path": str(tip.path), "sha256": given["sha256"], "size": list(given["size"]),
                     "detected": [{"kind": r.kind, "box": list(r.box)} | ({"frames": list(r.frames)} if r.frames else {})
                                  for r in given["decided"]]}
            if given.get("frames") is not None:
                entry.update(frames=given["frames"], fps=given.get("fps"))
            regions = list(given["regions"])
        else:
            outcome = plan_file(tip.path, self.redact_options)
            if outcome.status != PLANNED:
                with self.lock:
                    tip.state, tip.error = "error", outcome.message
                return
            entry, regions = outcome.plan, list(outcome.found)
        pictures = self._render(tip.path, entry)
        figures = self._figures(tip.path, report)
        with self.lock:
            tip.entry, tip.regions = entry, regions
            tip.picture, tip.frames = pictures
            tip.figures = figures
            tip.state = "ready"

    def _render(self, path: Path, entry: dict) -> tuple[bytes, dict[int, bytes]]:
        from mediavet.media import probe
        from mediavet.rendering import jpeg

        media = probe(path, max_pixels=self.redact_options.max_pixels)
        if entry.get("frames") is None:
            from mediavet.redact.encode import decode

            return jpeg(decode(media).frames[0], PICTURE_SIDE, 85), {}
        from mediavet.redact.video import frames_at

        count = entry["frames"]
        picks = sorted({round(i * (count - 1) / max(1, MAX_FRAMES - 1)) for i in range(min(count, MAX_FRAMES))})
        frames = {number: jpeg(image, FRAME_SIDE, 80) for number, image, _ in frames_at(path, picks)}
        middle = sorted(frames)[len(frames) // 2]  # a clip's first frame is often black
        return frames[middle], frames

    def _figures(self, path: Path, report) -> list[tuple[str, bytes]]:
        """The pictures that show where the findings' evidence lies (mediavet/report/figures.py)."""
        from mediavet.errors import MediaError
        from mediavet.media import probe
        from mediavet.rendering import jpeg
        from mediavet.report.figures import evidence_figures

        try:
            media = probe(path, max_pixels=self.redact_options.max_pixels)
            return [(caption, jpeg(image, FIGURE_SIDE)) for caption, image in
                    evidence_figures(media, report.findings, FIGURE_SIDE * 2)]
        except (MediaError, OSError):
            return []

    def copy_picture(self, number: int) -> bytes | None:
        """A rendering of the safe copy last written for this tip (a clip: its middle frame)."""
        from mediavet.errors import MediaError
        from mediavet.media import probe
        from mediavet.rendering import jpeg

        tip = self.tip(number)
        name = (tip.result or {}).get("copy")
        if not name:
            return None
        try:
            copy = probe(self.outdir / name, max_pixels=self.redact_options.max_pixels)
            if copy.is_video:
                from mediavet.redact.video import frames_at

                picked = frames_at(copy.path, [tip.entry["frames"] // 2])
                return jpeg(picked[0][1], 480) if picked else None
            return jpeg(copy.image(max_side=960), 480)
        except (MediaError, OSError):
            return None

    def match_picture(self, number: int, k: int) -> bytes | None:
        """A rendering of the k-th (1-based) archived picture this tip matches, if its path was kept."""
        from mediavet.errors import MediaError
        from mediavet.media import probe
        from mediavet.rendering import jpeg

        tip = self.tip(number)
        matches = _matches(tip.report) if tip.report else []
        if not 1 <= k <= len(matches) or not matches[k - 1]["path"]:
            return None
        try:
            archived = probe(matches[k - 1]["path"], max_pixels=self.redact_options.max_pixels)
            return None if archived.is_video else jpeg(archived.image(max_side=640))
        except (MediaError, OSError):
            return None

    def match_part(self, number: int, k: int) -> bytes | None:
        """The part of the tip's picture where its k-th (1-based) archive match was found."""
        from mediavet.errors import MediaError
        from mediavet.media import probe
        from mediavet.rendering import jpeg
        from mediavet.report.figures import matched_part

        tip = self.tip(number)
        matches = _matches(tip.report) if tip.report else []
        if not 1 <= k <= len(matches) or not matches[k - 1]["region"] or tip.path is None:
            return None
        try:
            return jpeg(matched_part(probe(tip.path, max_pixels=self.redact_options.max_pixels),
                                     matches[k - 1]["region"], 640))
        except (MediaError, OSError):
            return None

    # edits

    def set_regions(self, number: int, items: list) -> list[str]:
        """Replace a tip's regions with the editor's list; a region that is new or changed is
        marked by the reviewer. Returns the problems (nothing changes when there are any)."""
        tip = self.tip(number)
        with self.lock:
            if tip.state != "ready":
                return ["this tip is not ready yet"]
            if not isinstance(items, list) or len(items) > MAX_REGIONS:
                return [f"regions must be a list of at most {MAX_REGIONS}"]
            size, frames = tuple(tip.entry["size"]), tip.entry.get("frames")
            known = {_key(region) for region in tip.regions}
            regions, problems = [], []
            for position, item in enumerate(items, start=1):
                try:
                    region = Region.from_json(item)
                except ValueError as exc:
                    problems.append(f"region {position}: {exc}")
                    continue
                problem = inside_problem(region.box, size)
                if problem is None and frames is not None and region.frames and region.frames[1] >= frames:
                    problem = f"frames {list(region.frames)} go past the clip's {frames} frames"
                if problem:
                    problems.append(f"region {position}: {problem}")
                    continue
                if frames is not None and region.frames is None:
                    region = replace(region, frames=(0, frames - 1))
                if _key(region) not in known:
                    region = replace(region, by="reviewer", reason=None if region.action != "review" else region.reason)
                regions.append(region)
            if problems:
                return problems
            tip.regions, tip.edited, tip.result = regions, True, None
            return []

    def track(self, number: int, frame: int, box: tuple[int, int, int, int], action: str) -> list[Region]:
        """A box drawn on one frame of a clip, followed through it with the redaction's own
        tracker (optical flow, as faces are followed between detections); the new regions are
        added to the tip and returned."""
        from mediavet.redact.video import followed

        tip = self.tip(number)
        with self.lock:
            if tip.state != "ready" or not tip.is_video:
                raise ValueError("tracking needs a clip that is ready")
            count, size, fps = tip.entry["frames"], tuple(tip.entry["size"]), tip.entry.get("fps") or 30.0
            if not 0 <= frame < count:
                raise ValueError(f"frame {frame} is not in the clip's {count} frames")
            problem = inside_problem(box, size)
            if problem:
                raise ValueError(problem)
        seed = Region("manual", tuple(box), None, "manual", action, by="reviewer", frames=(frame, frame))
        found = followed(tip.path, seed, count, size, fps)
        with self.lock:
            track = 1 + max((r.track or 0 for r in tip.regions), default=0)
            new = [replace(r, track=track, by="reviewer") for r in [seed] + found]
            tip.regions = tip.regions + new
            tip.edited, tip.result = True, None
        return new

    # the plan and the copies

    def plan_document(self) -> dict:
        from mediavet import __version__
        from mediavet.redact.plan import document, entry, now

        protect = self.redact_options.protect
        settings = {"mediavet": __version__, "kinds": list(protect.kinds), "strict": protect.strict,
                    "turned": protect.turned, "action": protect.action, "shape": protect.shape}
        entries = []
        with self.lock:
            for tip in self.tips:
                if tip.state != "ready":
                    continue
                made = entry(tip.path, tip.entry["sha256"], tuple(tip.entry["size"]), tip.regions,
                             frames=tip.entry.get("frames"), fps=tip.entry.get("fps"))
                made["detected"] = tip.entry["detected"]  # what the detectors found, whatever was edited
                entries.append(made)
        return document(entries, settings, reviewed={"at": now(), "by": "mediavet review"})

    def make_copies(self) -> list[dict]:
        """Write the reviewed plan, then a safe copy of every ready tip with it (fail closed).
        What the re-check still finds is added to the tip as review candidates."""
        from mediavet import jobs
        from mediavet.atomic import write_atomic
        from mediavet.jobs.engine import local
        from mediavet.jobs.ledger import Ledger, beside
        from mediavet.jobs.operations import Redact
        from mediavet.redact import UNCHANGED, WRITTEN, discard
        from mediavet.redact.names import Namer
        from mediavet.redact.plan import load
        from mediavet.report.json_report import dumps

        with self.lock:
            if self.busy:
                raise RuntimeError("copies are already being made")
            self.busy = True
        try:
            from mediavet import signals

            document = self.plan_document()
            self.outdir.mkdir(parents=True, exist_ok=True)
            signals.watch(self.outdir)  # a stopped server sweeps the copies it was making
            write_atomic(self.plan_path, (dumps(document) + "\n").encode("utf-8"))
            entries, _settings = load(self.plan_path)
            ready = [tip for tip in self.tips if tip.state == "ready"]
            # the batch API, as `mediavet redact --plan` runs it: the ledger beside OUTDIR keeps
            # a copy whose plan entry did not change, and a changed one replaces its old copy
            operation = Redact(replace(self.redact_options, plan=entries), self.outdir, Namer(self.outdir))
            ledger = Ledger(beside(self.outdir), operation.name, operation.settings())
            results = []
            try:
                for done in jobs.run(jobs.Job(operation, [str(tip.path) for tip in ready]), local(1), ledger):
                    outcome, tip = done.value, ready[done.number]
                    discard(outcome)
                    made = outcome.status in (WRITTEN, UNCHANGED)
                    result = {"number": tip.number, "status": outcome.status, "message": outcome.message,
                              "copy": Path(outcome.output).name if made else None}
                    if made:
                        result["audit"] = _audit(Path(outcome.output))
                    with self.lock:
                        tip.result = result
                        size = tuple(tip.entry["size"])
                        for region in outcome.missed or []:  # with the margins a detection gets
                            grown = self.redact_options.protect.widened(region, size)
                            tip.regions.append(replace(grown, action="review",
                                                       reason="found by the re-check after review: decide"))
                    results.append(result)
            finally:
                ledger.close()
            return results
        finally:
            with self.lock:
                self.busy = False


def _key(region: Region) -> tuple:
    """What a reviewer can change about a region (scores and names travel through the page as
    they were, but JavaScript writes 1.0 as 1)."""
    return region.kind, region.box, region.action, region.shape, region.frames, region.track


def _audit(path: Path) -> str:
    from mediavet.redact.audit import audit_file

    report = audit_file(path)
    if report.error:
        return "unreadable: " + report.error["message"]
    return "clean" if not report.findings else "not clean: " + "; ".join(f.id for f in report.findings)
