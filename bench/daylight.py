"""Light and clock (`exif.daylight_mismatch`, issue #13) on the corpus: false alarms on every
photo that has a position, an absolute time and its exposure fields, and what a forger's
moved clock would trip.

For each such photo: the sun at its stated time and place (an alarm there is a false alarm),
then the same photo with its clock moved by 6, 9 and 12 hours (the commonest lie: a photo
from another day or another part of the day). A moved clock is only detectable when the
photo was exposed for daylight (EV100 >= 12, no flash) and the sun at the new time is below
civil twilight; the table says how many of the daylight photos each shift exposes.

    python bench/daylight.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mediavet.inputs import expand  # noqa: E402
from mediavet.errors import MediaError  # noqa: E402
from mediavet.media import probe
from mediavet.verify.checks.daylight import DAYLIGHT_EV, absolute_time, contradicts, exposure, sun  # noqa: E402

FOLDERS = ["exif_jpeg", "exif_stubs", "heic", "faces", "text", "phash", "faces_hard"]
SHIFTS = (6, 9, 12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    checked, alarms, daylight, caught, no_zone = 0, [], 0, {shift: 0 for shift in SHIFTS}, 0
    for path in expand([args.corpus / folder for folder in FOLDERS if (args.corpus / folder).is_dir()]):
        try:
            media = probe(path)
            metadata = media.metadata
        except (MediaError, OSError):
            continue
        if media.is_video or metadata.exif.state != "ok" or not metadata.gps:
            continue
        light = exposure(metadata.exif)
        if light is None:
            continue
        when, _ = absolute_time(media)
        if when is None:
            no_zone += 1
            continue
        checked += 1
        lat, lon = metadata.gps["lat"], metadata.gps["lon"]
        elevation, _ = sun(lat, lon, when)
        if contradicts(light, elevation):
            alarms.append(f"{path.name} (EV {light['ev100']:.1f}, sun {elevation:.1f}°)")
        if light["ev100"] >= DAYLIGHT_EV and light["flash_fired"] is not True:
            daylight += 1
            for shift in SHIFTS:
                caught[shift] += contradicts(light, sun(lat, lon, when + timedelta(hours=shift))[0])
    print(f"{checked} corpus photos with GPS, an absolute time and exposure fields "
          f"({no_zone} more with a local time of unknown zone: not compared, and the finding says so)")
    print(f"false alarms at their stated time and place: {len(alarms)}/{checked}"
          + (f" ({'; '.join(alarms)})" if alarms else ""))
    print(f"{daylight} of them exposed for daylight (EV100 >= {DAYLIGHT_EV:g}, no flash); their clock moved by:")
    for shift in SHIFTS:
        print(f"  {shift:2d} h: {caught[shift]}/{daylight} caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
