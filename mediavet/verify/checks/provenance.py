"""Content Credentials (C2PA): what the manifest says, whether it is intact, who vouches for it."""

from __future__ import annotations

from mediavet.formats import PHOTO_FORMATS, VIDEO_FORMATS
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

FORMATS = PHOTO_FORMATS + VIDEO_FORMATS


def credentials(media, options) -> dict:
    """Read once per file (the checks below share it)."""
    cache = media.__dict__.setdefault("_c2pa", {})
    key = options.trust_anchors
    if key not in cache:
        from mediavet.metadata.provenance import read_c2pa

        cache[key] = read_c2pa(media.path, options.trust_anchors) if media.metadata.c2pa or _reference(media) \
            else {"state": "none", "codes": [], "error": None, "remote_url": None, "active": None}
    return cache[key]


@check("provenance.c2pa", FORMATS)
def summary(media, options):
    found = credentials(media, options)
    active = found["active"]
    if found["state"] == "remote":
        return [Finding("provenance.c2pa", Severity.INFO,
                        f"Content Credentials are kept online at {found['remote_url']}; not fetched (mediavet "
                        "works offline), so nothing about them is known here", {"remote_url": found["remote_url"]})]
    if not active:
        return []
    actions = ", ".join(a["action"] or "?" for a in active["actions"][:6]) or "none stated"
    parts = [f"signed by {active['signer'] or '?'} ({active['issuer'] or 'issuer unknown'})",
             f"on {active['time']}" if active["time"] else "signing time not stated",
             f"made with {active['claim_generator'] or '?'}", f"actions: {actions}"]
    if active["ingredients"]:
        parts.append(f"{len(active['ingredients'])} ingredient(s)")
    return [Finding("provenance.c2pa", Severity.INFO, "Content Credentials: " + "; ".join(parts),
                    {"state": found["state"], **active})]


@check("provenance.c2pa_invalid", FORMATS)
def invalid(media, options):
    found = credentials(media, options)
    if found["state"] == "invalid":
        return [Finding("provenance.c2pa_invalid", Severity.HIGH,
                        "the Content Credentials do not match this file or their signature is broken: "
                        f"{', '.join(found['codes']) or 'validation failed'}",
                        {"codes": found["codes"], "signer": (found["active"] or {}).get("signer")})]
    if found["state"] == "unreadable":
        return [Finding("provenance.c2pa_invalid", Severity.HIGH,
                        f"a Content Credentials manifest is present but cannot be validated: {found['error']}",
                        {"error": found["error"]})]
    broken = [i for i in (found["active"] or {}).get("ingredients", []) if i["failures"]]
    if broken:
        return [Finding("provenance.c2pa_invalid", Severity.WARN,
                        "the file's own credentials are intact, but an ingredient's are broken: "
                        + "; ".join(f"{i['title']}: {', '.join(i['failures'])}" for i in broken),
                        {"ingredients": broken})]
    return []


@check("provenance.c2pa_untrusted", FORMATS)
def untrusted(media, options):
    found = credentials(media, options)
    if found["state"] != "valid":
        return []
    signer = (found["active"] or {}).get("signer") or "the signer"
    anchors = "your --trust-anchors" if options.trust_anchors else "any trust anchor (none were given)"
    return [Finding("provenance.c2pa_untrusted", Severity.WARN,
                    f"the credentials are intact (the file has not changed since {signer} signed them), but "
                    f"{signer}'s certificate does not lead to {anchors}: this shows what the signer claims, "
                    "not who the signer really is", {"signer": signer, "trust_anchors": options.trust_anchors,
                                                     "codes": found["codes"]})]


@check("provenance.c2pa_stripped", FORMATS)
def stripped(media, options):
    found = credentials(media, options)
    reference = _reference(media)
    if found["state"] != "none" or not reference or not str(reference).startswith("self#jumbf"):
        return []
    return [Finding("provenance.c2pa_stripped", Severity.WARN,
                    "the XMP says this file carries Content Credentials, but the manifest has been removed",
                    {"xmp_reference": reference})]


def _reference(media) -> str | None:
    """Where the XMP says the manifest is (dcterms:provenance), if it says so."""
    return media.metadata.xmp.get("dcterms:provenance") or media.metadata.xmp.get("terms:provenance")
