"""C2PA Content Credentials, read and validated offline with c2pa-python.

Remote manifests and OCSP are never fetched; trust anchors come only from a PEM file the
user names. The result is a plain dict the provenance checks read:

    {"state": "none" | "valid" | "trusted" | "invalid" | "remote" | "unreadable",
     "codes": [validation codes], "error": str | None, "remote_url": str | None,
     "active": {"signer", "issuer", "time", "claim_generator", "title", "actions",
                "digital_source_types", "ingredients"} | None}
"""

from __future__ import annotations

import json
from functools import lru_cache

INTACT = {"valid", "trusted"}


@lru_cache(maxsize=4)
def _settings(trust_anchors: str | None) -> dict:
    verify = {"remote_manifest_fetch": False, "ocsp_fetch": False, "verify_trust": trust_anchors is not None}
    settings = {"verify": verify}
    if trust_anchors is not None:
        with open(trust_anchors, encoding="utf-8") as handle:
            settings["trust"] = {"trust_anchors": handle.read()}
    return settings


def _context(trust_anchors: str | None):
    """A fresh context per read: a c2pa context does not survive a fork (worker processes)."""
    import c2pa

    return c2pa.Context(c2pa.Settings.from_dict(_settings(trust_anchors)))


def read_c2pa(path, trust_anchors: str | None = None) -> dict:
    import c2pa

    result = {"state": "none", "codes": [], "error": None, "remote_url": None, "active": None}
    try:
        reader = c2pa.Reader(str(path), context=_context(trust_anchors))
    except Exception as exc:  # c2pa raises its own classes per cause
        message = " ".join(str(exc).split())
        if "ManifestNotFound" in type(exc).__name__ or "ManifestNotFound" in message:
            return result
        if message.startswith("Remote"):
            result.update(state="remote", remote_url=message.rsplit(" ", 1)[-1])
            return result
        result.update(state="unreadable", error=message[:300])
        return result
    with reader:
        data = json.loads(reader.json())
    state = (data.get("validation_state") or "").lower()
    result["codes"] = [status.get("code") for status in data.get("validation_status") or [] if status.get("code")]
    result["state"] = state if state in ("valid", "trusted", "invalid") else "invalid"
    active = data.get("manifests", {}).get(data.get("active_manifest") or "")
    if active:
        result["active"] = _summary(active)
    return result


def _summary(manifest: dict) -> dict:
    signature = manifest.get("signature_info") or {}
    generator = manifest.get("claim_generator")
    if not generator and manifest.get("claim_generator_info"):
        info = manifest["claim_generator_info"][0]
        generator = " ".join(str(part) for part in (info.get("name"), info.get("version")) if part)
    actions, sources = [], []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions") or []:
                agent = action.get("softwareAgent")
                if isinstance(agent, dict):
                    agent = agent.get("name")
                actions.append({"action": action.get("action"), "software": agent, "when": action.get("when")})
                if action.get("digitalSourceType"):
                    sources.append(action["digitalSourceType"])
    return {"signer": signature.get("common_name"), "issuer": signature.get("issuer"), "time": signature.get("time"),
            "claim_generator": generator, "title": manifest.get("title"), "actions": actions,
            "digital_source_types": sorted(set(sources)),
            "ingredients": [{"title": i.get("title"), "relationship": i.get("relationship"),
                             "failures": [v.get("code") for v in i.get("validation_status") or []
                                          if v.get("code") and not _success(v["code"])]}
                            for i in manifest.get("ingredients") or []]}


def _success(code: str) -> bool:
    return code.endswith((".validated", ".trusted", ".insideValidity", ".match")) and "mismatch" not in code
