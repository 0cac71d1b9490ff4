"""Content Credentials on the corpus's C2PA fixtures: each gets the verdict c2pa-rs's own
test suite expects (test certificates, so never trusted without anchors)."""

import json

import pytest

from conftest import run, verify_json

VERDICTS = {  # file -> provenance findings expected (id: severity)
    "C.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "CA.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "CACA.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "CIE-sig-CA.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn", "provenance.c2pa_invalid": "warn"},
    "E-sig-CA.jpg": {"provenance.c2pa": "info", "provenance.c2pa_invalid": "high"},
    "XCA.jpg": {"provenance.c2pa": "info", "provenance.c2pa_invalid": "high"},
    "no_manifest.jpg": {"provenance.c2pa_stripped": "warn"},
    "cloud.jpg": {"provenance.c2pa": "info"},
    "IMG_0003.jpg": {},
    "earth_apollo17.jpg": {},
    "prerelease.jpg": {"provenance.c2pa_invalid": "high"},
    "no_alg.jpg": {"provenance.c2pa_invalid": "high"},
    "CA_ct.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "CACAE-uri-CA.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "C_with_CAWG_data.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "boxhash.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "legacy_ingredient_hash.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "ocsp.jpg": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
    "video1.mp4": {"provenance.c2pa": "info", "provenance.c2pa_untrusted": "warn"},
}


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_fixture_verdicts(corpus, name):
    _, document = verify_json(corpus / "c2pa" / name)
    found = {f["id"]: f["severity"] for f in document["files"][0]["findings"]
             if f["id"].startswith("provenance.c2pa")}
    assert found == VERDICTS[name]


def test_summary_evidence_and_plain_words(corpus):
    _, document = verify_json(corpus / "c2pa" / "ocsp.jpg")
    findings = {f["id"]: f for f in document["files"][0]["findings"]}
    summary = findings["provenance.c2pa"]["evidence"]
    assert summary["signer"] == "Adobe C2PA" and summary["time"].startswith("2025-08-13")
    assert "Adobe_Photoshop" in summary["claim_generator"] and summary["actions"]
    assert "not who the signer really is" in findings["provenance.c2pa_untrusted"]["message"]
    assert findings["provenance.ai_generated"]["evidence"]["found"][0]["field"] == "C2PA action digitalSourceType"
    tampered = verify_json(corpus / "c2pa" / "XCA.jpg")[1]["files"][0]["findings"]
    assert "assertion.dataHash.mismatch" in [f for f in tampered if f["id"] == "provenance.c2pa_invalid"][0]["evidence"]["codes"]


def test_remote_manifest_is_never_fetched(corpus):
    _, document = verify_json(corpus / "c2pa" / "cloud.jpg")
    (finding,) = [f for f in document["files"][0]["findings"] if f["id"] == "provenance.c2pa"]
    assert finding["evidence"]["remote_url"].startswith("https://") and "not fetched" in finding["message"]


def test_unrelated_trust_anchors_do_not_make_a_signer_trusted(corpus, tmp_path):
    cryptography = pytest.importorskip("cryptography")
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Newsroom test root")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    anchors = tmp_path / "anchors.pem"
    anchors.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    result = run("verify", "--json", "--fail-on", "never", "--trust-anchors", anchors, corpus / "c2pa" / "CA.jpg")
    findings = {f["id"]: f for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert "provenance.c2pa_untrusted" in findings or "provenance.c2pa_invalid" in findings
    assert cryptography
