"""Has this picture been seen before? Findings from the archive index and from the batch.

- `duplicate.exact` (warn): an archive entry with the same bytes or the same decoded pixels.
- `duplicate.match` (warn): an archive entry that looks like this picture (a hash within its
  threshold, or keypoints agreeing on one geometric transform); evidence names the label,
  the date it was added, the algorithm, distance and threshold, and keypoint inliers.
- `duplicate.in_batch` (info): another file of the same run shows the same picture.

Unlike the metadata checks these need more than the file: an index opened once per
process, and the fingerprints of every file of the batch.
"""

from __future__ import annotations

from functools import lru_cache

from mediavet.verify.finding import Finding, Severity

MAX_MATCHES = 5  # archive or batch matches reported per file, best first


@lru_cache(maxsize=4)
def _index(path: str):
    from mediavet.archive import open_index

    return open_index(path)


def duplicate_findings(media, options, report) -> list[Finding]:
    """Fingerprint the picture once; keep it on the report for the batch step; ask the archive."""
    if not (options.index or options.in_batch):
        return []
    from mediavet.archive import media_fingerprint

    try:
        fingerprint = media_fingerprint(media, for_lookup=True)
        if options.in_batch:
            report.fingerprint = fingerprint
        return archive_findings(media, fingerprint, options.index) if options.index else []
    except Exception as exc:  # the metadata findings still stand
        return [Finding("mediavet.check_error", Severity.WARN,
                        f"archive lookup failed: {type(exc).__name__}: {exc}"[:300],
                        {"check": "duplicate", "exception": type(exc).__name__})]


def archive_findings(media, fingerprint, index_path: str) -> list[Finding]:
    from mediavet.archive import pixel_digest

    archive = _index(index_path)
    findings = []
    same = archive.exact(media.sha256, pixel_digest(media))
    for entry in same:
        what = "this very file" if entry["same"] == "bytes" else "these exact pixels (in another file)"
        findings.append(Finding("duplicate.exact", Severity.WARN,
                                f"{what} is in the archive as {entry['label']!r}, added {entry['added']}",
                                {"label": entry["label"], "added": entry["added"], "same": entry["same"],
                                 "path": entry["path"]}))
    exact_labels = {(entry["label"], entry["added"]) for entry in same}
    matches = [m for m in archive.query(fingerprint) if (m.label, m.added) not in exact_labels]
    for match in matches[:MAX_MATCHES]:
        findings.append(Finding("duplicate.match", Severity.WARN,
                                f"looks like {match.label!r} from the archive, added {match.added} ({_how(match)})",
                                _evidence(match)))
    return findings


def _how(match) -> str:
    parts = []
    if match.distance is not None:
        parts.append(f"{match.algo} distance {match.distance} of at most {match.threshold}")
    if match.inliers:
        parts.append(f"{match.inliers} keypoints agree")
    return ", ".join(parts)


def _evidence(match) -> dict:
    from mediavet import keypoints

    evidence = {"label": match.label, "added": match.added, "algo": match.algo, "distance": match.distance,
                "threshold": match.threshold, "inliers": match.inliers, "score": match.score}
    if match.inliers is not None:
        evidence["min_inliers"] = keypoints.MIN_INLIERS
    if match.sha256:
        evidence["sha256"] = match.sha256
    return evidence


def batch_findings(reports) -> None:
    """Add `duplicate.in_batch` to every report whose picture another report of the batch shows."""
    import tempfile
    from pathlib import Path

    from mediavet.index import HashIndex

    with_prints = [r for r in reports if getattr(r, "fingerprint", None) is not None]
    if len(with_prints) < 2:
        return
    with tempfile.TemporaryDirectory(prefix="mediavet-batch-") as scratch:
        batch = HashIndex(Path(scratch) / "batch.db")
        owner = {}
        for report in with_prints:
            item = batch.add(report.sha256, report.fingerprint.as_entry(), label=report.path)
            owner[item] = report
        pairs = {}  # (earlier report number, later one) -> the best match seen either way
        number = {id(report): n for n, report in enumerate(with_prints)}
        for report in with_prints:
            for match in batch.query(report.fingerprint):
                other = owner[match.item]
                if other is not report:
                    key = tuple(sorted((number[id(report)], number[id(other)])))
                    if key not in pairs or match.score > pairs[key].score:
                        pairs[key] = match
        found = {n: [] for n in range(len(with_prints))}  # report number -> [(match, other number)]
        for (first, second), match in sorted(pairs.items()):
            found[first].append((match, second))
            found[second].append((match, first))
        for number, others in found.items():
            report = with_prints[number]
            others.sort(key=lambda pair: (-pair[0].score, pair[1]))
            for match, other_number in others[:MAX_MATCHES]:
                other = with_prints[other_number]
                evidence = _evidence(match)
                del evidence["label"], evidence["added"]
                evidence.update(other=other.path, files_alike=len(others))
                same_file = other.sha256 == report.sha256
                report.findings.append(Finding(
                    "duplicate.in_batch", Severity.INFO,
                    f"{'the same file as' if same_file else 'the same picture as'} {other.path} in this batch"
                    + ("" if same_file else f" ({_how(match)})"), evidence))
        batch.close()
    for report in with_prints:
        report.findings.sort(key=lambda f: (-f.severity, f.id, f.message))
