"""Reading and writing timelines through OTIO's adapters, with clear errors and stated losses."""

from __future__ import annotations

import logging
import os
from fractions import Fraction

import opentimelineio as otio

from sparkvsr.errors import InvalidInputError, NotFoundError

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


def read_timeline(path: str, *, rate: Fraction = Fraction(24)) -> otio.schema.Timeline:
    """Reads a timeline from any file an installed OTIO adapter reads.

    Args:
        rate: frame rate for formats that do not record one (CMX 3600 EDLs).

    Raises:
        NotFoundError: no such file.
        InvalidInputError: no adapter for it, the adapter cannot read it, or it holds no
            timeline.
    """
    if not os.path.exists(path):
        raise NotFoundError(f"no such timeline: {path}")
    adapter = _adapter_name(path)
    options = {"rate": float(rate)} if adapter == "cmx_3600" else {}
    try:
        result = otio.adapters.read_from_file(path, adapter_name=adapter, **options)
    except Exception as error:  # adapters raise anything from ValueError to their own types
        raise InvalidInputError(f"cannot read {path} as a timeline ({adapter}): {error}") from None
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


def write_timeline(timeline: otio.schema.Timeline, path: str) -> None:
    """Writes a timeline in the format its suffix names, warning about what that format loses."""
    adapter = _adapter_name(path)
    if adapter in ADAPTER_LOSSES:
        logger.warning("%s: %s", os.path.basename(path), ADAPTER_LOSSES[adapter])
    partial = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.partial")
    try:
        otio.adapters.write_to_file(timeline, partial, adapter_name=adapter)
    except Exception as error:
        if os.path.exists(partial):
            os.remove(partial)
        raise InvalidInputError(f"cannot write {path} ({adapter}): {error}") from None
    os.replace(partial, path)
