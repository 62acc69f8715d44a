"""Which markers mark keyframes, and which high-resolution still a marker names."""

from __future__ import annotations

import os
from dataclasses import dataclass

import opentimelineio as otio

STILL_SUFFIXES = (".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg")
DEFAULT_MARKER_PREFIX = "SparkVSR"


@dataclass(frozen=True)
class MarkerConvention:
    """How an editor marks a keyframe: by marker name, colour, or any marker at all.

    Names match case-insensitively because the CMX 3600 adapter upper-cases them; colour alone is
    never required because the FCP7 XML adapter can lose it.
    """

    name_prefix: str | None = DEFAULT_MARKER_PREFIX
    """A marker whose name starts with this counts; None = names do not decide."""
    colors: tuple[str, ...] = ()
    """A marker of one of these colours (OTIO colour names, for example "RED") counts too."""
    any_marker: bool = False
    """Every marker counts, whatever its name and colour."""

    def matches(self, marker: otio.schema.Marker) -> bool:
        if self.any_marker:
            return True
        if self.name_prefix and (marker.name or "").lower().startswith(self.name_prefix.lower()):
            return True
        return (marker.color or "").upper() in {color.upper() for color in self.colors}


def still_named_by(marker: otio.schema.Marker) -> str | None:
    """The still a marker's note names, if any: its comment, `metadata["sparkvsr"]["still"]`, or
    the note an editor's export put in metadata (Resolve, FCP7 XML). A note counts as a still
    when it ends with an image suffix; `~` is expanded."""
    metadata = marker.metadata
    notes = [
        _nested(metadata, "sparkvsr", "still"),
        marker.comment,
        _nested(metadata, "Resolve_OTIO", "Note"),
        _nested(metadata, "fcp_xml", "comment"),
    ]
    for note in notes:
        if isinstance(note, str) and note.strip().lower().endswith(STILL_SUFFIXES):
            return os.path.expanduser(note.strip())
    return None


def _nested(metadata, *keys):
    for key in keys:
        if not hasattr(metadata, "get"):
            return None
        metadata = metadata.get(key)
    return metadata
