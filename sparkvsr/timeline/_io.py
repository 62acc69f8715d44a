"""Reading and writing timelines through OTIO's adapters, with clear errors and stated losses."""

from __future__ import annotations

import logging
import os
from fractions import Fraction
from xml.etree import ElementTree

import opentimelineio as otio

from sparkvsr.atomic import atomic_path
from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.media import probe_video
from sparkvsr.timeline._paths import PathMapping, map_path

logger = logging.getLogger(__name__)

# What each interchange adapter cannot carry, checked against the adapters in the tests.
ADAPTER_LOSSES = {
    "cmx_3600": "CMX 3600 EDLs keep one video track and drop timeline markers and marker notes",
    "fcp_xml": "FCP7 XML drops marker notes (so still paths in notes) and SparkVSR metadata",
}


def _adapter_name(path: str) -> str:
    try:
        return otio.adapters.from_filepath(path).name
    except otio.exceptions.NoKnownAdapterForExtensionError:
        known = sorted(
            {
                suffix
                for adapter in otio.plugins.ActiveManifest().adapters
                for suffix in adapter.suffixes
            }
        )
        raise InvalidInputError(
            f"no OpenTimelineIO adapter reads or writes {os.path.basename(path)!r}; installed "
            f"adapters handle: {', '.join('.' + s for s in known)} (AAF and FCPX XML need "
            "otio-aaf-adapter and otio-fcpx-xml-adapter)"
        ) from None


def read_timeline(
    path: str, *, rate: Fraction | None = None, path_map: tuple[PathMapping, ...] = ()
) -> otio.schema.Timeline:
    """Reads a timeline from any file an installed OTIO adapter reads.

    Args:
        rate: frame rate for formats that do not record one (CMX 3600 EDLs); None = the rate of
            the EDL's media files, found through `path_map`.

    Raises:
        NotFoundError: no such file.
        InvalidInputError: no adapter for it, the adapter cannot read it, it holds no
            timeline, or an EDL's rate cannot be known.
    """
    if not os.path.exists(path):
        raise NotFoundError(f"no such timeline: {path}")
    adapter = _adapter_name(path)
    if adapter == "cmx_3600":
        rate = rate or edl_rate(path, path_map)
    result = _read(path, adapter, rate)
    if isinstance(result, otio.schema.Timeline):
        return result
    timelines = [item for item in result if isinstance(item, otio.schema.Timeline)]
    if not timelines:
        raise InvalidInputError(f"{path} holds no timeline")
    if len(timelines) > 1:
        logger.warning(
            "%s holds %d timelines; using the first, %r", path, len(timelines), timelines[0].name
        )
    return timelines[0]


def _read(path: str, adapter: str, rate: Fraction | None):
    options = {"rate": float(rate)} if adapter == "cmx_3600" else {}
    try:
        return otio.adapters.read_from_file(path, adapter_name=adapter, **options)
    except Exception as error:  # adapters raise anything from ValueError to their own types
        if adapter == "fcp_xml" and "No top-level sequences" in str(error):
            raise InvalidInputError(_why_no_sequence(path)) from None
        hint = f" (read at {rate} fps: if it is at another rate, give it with --rate)"
        raise InvalidInputError(
            f"cannot read {path} as a timeline ({adapter}): {error}"
            + (hint if adapter == "cmx_3600" else "")
        ) from None


# Any SMPTE rate reads every EDL timecode; only the media references are wanted from this read.
_TRIAL_RATE = Fraction(60)


def edl_rate(path: str, path_map: tuple[PathMapping, ...] = ()) -> Fraction:
    """The frame rate of an EDL's media files (EDLs do not record their own).

    Raises:
        InvalidInputError: no media file of the EDL is here, or they disagree.
    """
    ask = "give the EDL's frame rate with --rate (for example --rate 25 or --rate 24000/1001)"
    try:
        trial = otio.adapters.read_from_file(path, "cmx_3600", rate=float(_TRIAL_RATE))
    except Exception as error:
        raise InvalidInputError(f"cannot read {path} as an EDL: {error}") from None
    files = {
        map_path(clip.media_reference.target_url, path_map)
        for clip in trial.find_clips()
        if isinstance(clip.media_reference, otio.schema.ExternalReference)
    }
    rates = {probe_video(file).frame_rate for file in sorted(files) if os.path.exists(file)}
    if not rates:
        raise InvalidInputError(
            f"cannot tell the frame rate of {path}: EDLs do not record one and none of its "
            f"{len(files)} media files is here (see --map-path); {ask}"
        )
    if len(rates) > 1:
        listed = ", ".join(str(rate) for rate in sorted(rates))
        raise InvalidInputError(f"the media of {path} have different rates ({listed}); {ask}")
    (rate,) = rates
    logger.info("%s: read at %s fps, the rate of its media", os.path.basename(path), rate)
    return rate


def _why_no_sequence(path: str) -> str:
    """Why the FCP7 XML reader found nothing: sequences elsewhere than it looks, or none."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        return f"{path} is not well-formed XML: {error}"
    parents = {child: parent for parent in root.iter() for child in parent}
    nested = [element for element in root.iter("sequence") if element is not root]
    if not nested:
        return f"{path} holds no <sequence>: export the sequence itself as FCP7 XML"
    inside = sorted({parents[element].tag for element in nested})
    return (
        f"{path} holds {len(nested)} <sequence> element(s), but only inside "
        f"<{'>, <'.join(inside)}>, where the FCP7 XML reader does not look (it reads sequences "
        "at the top of the file or in a project or bin): export the sequence itself, not a "
        "clip or effect that nests it"
    )


def write_timeline(timeline: otio.schema.Timeline, path: str) -> None:
    """Writes a timeline in the format its suffix names, warning about what that format loses."""
    adapter = _adapter_name(path)
    if adapter in ADAPTER_LOSSES:
        logger.warning("%s: %s", os.path.basename(path), ADAPTER_LOSSES[adapter])
    try:
        with atomic_path(path) as partial:
            otio.adapters.write_to_file(timeline, str(partial), adapter_name=adapter)
    except Exception as error:
        raise InvalidInputError(f"cannot write {path} ({adapter}): {error}") from None
