"""Has this picture (or this footage) been seen before? Findings from the archive index and
from the batch.

- `duplicate.exact` (warn): an archive entry with the same bytes or the same decoded pixels.
- `duplicate.match` (warn): an archive entry that looks like this picture, or like one of a
  clip's keyframes (a hash within its threshold, or keypoints agreeing on one geometric
  transform); evidence names the label, the date it was added, the algorithm, distance and
  threshold, keypoint inliers, and for video the keyframe's second (and the entry's).
- `duplicate.in_batch` (info): another file of the same run shows the same picture.

Unlike the metadata checks these need more than the file: an index opened once per
process, and the fingerprints of every file of the batch.
"""

from __future__ import annotations

from mediavet.verify.finding import Finding, Severity

MAX_MATCHES = 5  # archive or batch matches reported per file, best first


def duplicate_findings(media, options, report) -> list[Finding]:
    """Fingerprint the file once (per keyframe for video); keep the views on the report for
    the batch step; ask the archive."""
    if not (options.index or options.in_batch):
        return []
    from mediavet.archive.store import views

    try:
        seen = views(media, for_lookup=True)
        if options.in_batch:
            report.views = seen
        return archive_findings(media, seen, options.index) if options.index else []
    except Exception as exc:  # the metadata findings still stand
        return [Finding("mediavet.check_error", Severity.WARN,
                        f"archive lookup failed: {type(exc).__name__}: {exc}"[:300],
                        {"check": "duplicate", "exception": type(exc).__name__})]


def best_matches(archive, seen, size, max_distance: int | None = None) -> list[tuple]:
    """(match, query second) per archive entry, best first, over every view; each match's
    region cut to the picture's `size`."""
    from dataclasses import replace

    from mediavet.archive.hashing import within

    best: dict[int, tuple] = {}
    for seconds, lookup in seen:
        for match in archive.query(lookup, max_distance):
            if match.region:
                match = replace(match, region=within(match.region, size))
            if match.item not in best:
                best[match.item] = (match, seconds)
            else:  # the second of the stronger view; the region of the better-framing one
                kept, at = best[match.item]
                merged = kept.merged(match)
                best[match.item] = (merged, at if merged.score == kept.score and merged.inliers == kept.inliers
                                    else seconds)
    return sorted(best.values(), key=lambda pair: (-pair[0].score, -(pair[0].inliers or 0), pair[0].item))


def archive_findings(media, seen, index_path: str) -> list[Finding]:
    from mediavet.archive.store import pixel_digest, reader

    archive = reader(index_path)
    findings = []
    same = archive.exact(media.sha256, None if media.is_video else pixel_digest(media))
    for entry in same:
        what = "this very file" if entry["same"] == "bytes" else "these exact pixels (in another file)"
        findings.append(Finding("duplicate.exact", Severity.WARN,
                                f"{what} is in the archive as {_named(entry['label'], entry['path'], entry['sha256'])}, "
                                f"added {entry['added']}",
                                {"label": entry["label"], "added": entry["added"], "same": entry["same"],
                                 "path": entry["path"], "sha256": entry["sha256"]}))
    exact_entries = {entry["sha256"] for entry in same}
    reported = set()
    for match, seconds in best_matches(archive, seen, media.size):
        key = match.sha256 or match.item  # one archived file: a clip's other keyframes say nothing new
        if key in exact_entries or key in reported:
            continue
        reported.add(key)
        where = "" if seconds is None else f" at {seconds:.1f} s"
        findings.append(Finding("duplicate.match", Severity.WARN,
                                f"{_part(match, media.size)}looks like {_named(match.label, match.path, match.sha256)}"
                                f"{_entry_at(match)} from the archive{where}, added {match.added} ({_how(match)})",
                                _evidence(match, seconds, media.size)))
        if len(reported) >= MAX_MATCHES:
            break
    return findings


def _named(label, path, sha256) -> str:
    """Which archived picture: its path when the archive kept it, else its label and the start
    of its sha256 (a label is often shared by a whole batch)."""
    if path:
        return repr(path)
    return f"{label!r} (sha256 {sha256[:12]}…)" if sha256 else repr(label)


def _part(match, size) -> str:
    """"A part of it (x, y, w×h) " when the archived picture fills only part of this one (a
    screenshot's post, a collage's tile), else nothing."""
    if not match.region or match.region[2] * match.region[3] >= 0.8 * size[0] * size[1]:
        return ""
    x, y, w, h = match.region
    return f"a part of it ({w}×{h} at {x},{y}) "


def _entry_at(match) -> str:
    return "" if match.at is None else f" (at {match.at:.1f} s)"


def _how(match) -> str:
    parts = []
    if match.distance is not None:
        parts.append(f"{match.algo} distance {match.distance} of at most {match.threshold}")
    if match.inliers:
        parts.append(f"{match.inliers} keypoints agree")
    return ", ".join(parts)


def _evidence(match, seconds=None, size=None) -> dict:
    from mediavet.archive import keypoints

    evidence = {"label": match.label, "added": match.added, "algo": match.algo, "distance": match.distance,
                "threshold": match.threshold, "inliers": match.inliers, "score": match.score}
    if match.inliers is not None:
        evidence["min_inliers"] = keypoints.MIN_INLIERS
    if match.sha256:
        evidence["sha256"] = match.sha256
    if match.path:  # kept only when the archive was filled with --store-path
        evidence["path"] = match.path
    if size and _part(match, size):  # the part of this picture it was found in: x, y, width, height
        evidence["region"] = list(match.region)
    if seconds is not None:
        evidence["at"] = seconds
    if match.at is not None:
        evidence["entry_at"] = match.at
    return evidence


def batch_findings(reports) -> dict[int, list[Finding]]:
    """`duplicate.in_batch` findings per report number (0-based) for every report whose
    picture another report of the batch shows. `reports()` gives the batch's reports with
    their views, in order; it is walked twice (add, then ask), so the fingerprints may stay
    on disk (report/spool.py) and only a temporary index of them is kept."""
    import tempfile
    from pathlib import Path

    from mediavet.archive.index import HashIndex

    files = {}  # report number -> (path, sha256), for the reports with views
    with tempfile.TemporaryDirectory(prefix="mediavet-batch-") as scratch:
        batch = HashIndex(Path(scratch) / "batch.db")
        owner = {}
        for number, report in enumerate(reports()):
            if report.views:
                files[number] = (report.path, report.sha256)
                for seconds, lookup in report.views:
                    owner[batch.add(report.sha256, lookup.as_entry(), label=report.path, at=seconds)] = number
        pairs = {}  # (earlier report number, later one) -> the best match seen either way
        if len(files) >= 2:
            for number, report in enumerate(reports()):
                for seconds, lookup in report.views or ():
                    for match in batch.query(lookup):
                        other = owner[match.item]
                        if other != number:
                            key = tuple(sorted((number, other)))
                            if key not in pairs or match.score > pairs[key].score:
                                pairs[key] = match
        batch.close()
    found = {}  # report number -> [(match, other number)]
    for (first, second), match in sorted(pairs.items()):
        found.setdefault(first, []).append((match, second))
        found.setdefault(second, []).append((match, first))
    findings = {}
    for number, others in sorted(found.items()):
        path, sha256 = files[number]
        others.sort(key=lambda pair: (-pair[0].score, pair[1]))
        for match, other_number in others[:MAX_MATCHES]:
            other_path, other_sha256 = files[other_number]
            evidence = _evidence(match)
            del evidence["label"], evidence["added"]
            evidence.pop("entry_at", None)
            evidence.update(other=other_path, files_alike=len(others))
            same_file = other_sha256 == sha256
            findings.setdefault(number, []).append(Finding(
                "duplicate.in_batch", Severity.INFO,
                f"{'the same file as' if same_file else 'the same picture as'} {other_path} in this batch"
                + ("" if same_file else f" ({_how(match)})"), evidence))
    return findings
