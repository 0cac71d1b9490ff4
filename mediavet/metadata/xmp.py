"""XMP: parse an XMP packet into flat "prefix:Name" -> value pairs plus the edit history.

Prefixes are the conventional ones for the namespaces we know, whatever the packet
declared; unknown namespaces keep a prefix derived from their URI.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

MAX_VALUE_CHARS = 300
MAX_PACKET = 4 << 20

NAMESPACES = {
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#": "stRef",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/camera-raw-settings/1.0/": "crs",
    "http://ns.adobe.com/lightroom/1.0/": "lr",
    "http://ns.google.com/photos/1.0/camera/": "GCamera",
    "http://ns.google.com/photos/1.0/container/": "Container",
    "http://ns.google.com/photos/1.0/container/item/": "Item",
    "http://ns.adobe.com/xmp/note/": "xmpNote",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://www.metadataworkinggroup.com/schemas/regions/": "mwg-rs",
    "http://c2pa.org/": "c2pa",
}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_CONTAINERS = {f"{{{RDF}}}{name}" for name in ("Seq", "Bag", "Alt")}


@dataclass
class Xmp:
    state: str = "absent"  # absent | ok | corrupt
    error: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, str]] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)


def _prefixed(tag: str) -> str:
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    prefix = NAMESPACES.get(uri)
    if prefix is None:
        prefix = uri.rstrip("/#").rsplit("/", 1)[-1] or "ns"
    return f"{prefix}:{local}"


def read_xmp(packet: bytes | None, more=()) -> Xmp:
    """The main packet's fields, then those only the further packets hold (a second APP1,
    Photoshop's APP13, ExtendedXMP, a PNG raw profile): what ExifTool shows, mediavet reads.
    The state is the main packet's ("absent" when only further packets exist)."""
    xmp = _packet(packet) if packet else Xmp()
    for extra in more:
        found = _packet(extra)
        for key, value in found.fields.items():
            xmp.fields.setdefault(key, value)
        xmp.history.extend(found.history)
    return xmp


def _packet(packet: bytes) -> Xmp:
    text = _utf8(packet[:MAX_PACKET])
    text = re.sub(rb"<!--.*?-->", b"", text, flags=re.DOTALL)  # a comment may hold a decoy rdf:RDF
    start = text.find(b"<rdf:RDF")
    end = text.find(b"</rdf:RDF>", max(start, 0))
    if start < 0 or end < 0:
        return Xmp(state="corrupt", error="XMP packet has no complete rdf:RDF element")
    # the rdf:RDF element alone: its namespace must be declared on it or on x:xmpmeta
    head = text[:start]
    outer = head.rfind(b"<x:xmpmeta")
    if outer < 0:
        outer = head.rfind(b"<x:xapmeta")
    wrapper = text[outer:text.find(b">", outer) + 1] if outer >= 0 else b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
    closing = b"</" + wrapper[1:wrapper.find(b" ")] + b">" if b" " in wrapper else b"</x:xmpmeta>"
    try:
        root = ET.fromstring(wrapper + text[start:end + len(b"</rdf:RDF>")] + closing)
    except ET.ParseError as exc:
        return Xmp(state="corrupt", error=f"XMP is not well-formed XML: {exc}")
    xmp = Xmp(state="ok")
    for description in root.iter(f"{{{RDF}}}Description"):
        _collect(description, xmp)
    return xmp


def _utf8(packet: bytes) -> bytes:
    """XMP may be UTF-16 or UTF-32 (the xpacket BOM says so); ElementTree wants bytes it can sniff."""
    for prefix, codec in ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                          (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le")):
        if packet.startswith(prefix) or (b"\x00" in packet[:8] and prefix in packet[:8]):
            return packet.decode(codec, "replace").encode("utf-8")
    return packet


def _collect(description, xmp: Xmp) -> None:
    for name, value in description.attrib.items():
        if name.startswith("{") and not name.startswith(f"{{{RDF}}}"):
            xmp.fields.setdefault(_prefixed(name), value[:MAX_VALUE_CHARS])
    for prop in description:
        key = _prefixed(prop.tag)
        if key == "xmpMM:History":
            xmp.history.extend(_events(prop))
            continue
        items = [item for container in prop if container.tag in _CONTAINERS for item in container]
        if items:
            values = [(item.text or "").strip() for item in items if (item.text or "").strip()]
            if values:
                xmp.fields.setdefault(key, "; ".join(values)[:MAX_VALUE_CHARS])
        elif (prop.text or "").strip() and len(prop) == 0:
            xmp.fields.setdefault(key, prop.text.strip()[:MAX_VALUE_CHARS])
        resource = prop.get(f"{{{RDF}}}resource")
        if resource:
            xmp.fields.setdefault(key, resource[:MAX_VALUE_CHARS])


def _events(history) -> list[dict[str, str]]:
    events = []
    for item in history.iter(f"{{{RDF}}}li"):
        event = {_prefixed(k).split(":", 1)[-1]: v for k, v in item.attrib.items() if not k.startswith(f"{{{RDF}}}")}
        for child in item.iter():
            if child is not item and (child.text or "").strip() and len(child) == 0:
                event.setdefault(_prefixed(child.tag).split(":", 1)[-1], child.text.strip())
        event = {k: v[:MAX_VALUE_CHARS] for k, v in event.items() if k in ("action", "softwareAgent", "when", "changed")}
        if event:
            events.append(event)
    return events[:100]
