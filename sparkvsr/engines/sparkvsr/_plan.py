"""Pure shape rules of SparkVSR: padding, latent slots of keyframes, the odd-latent rule, tiles."""

from __future__ import annotations

import math

from sparkvsr.errors import InvalidInputError
from sparkvsr.specs import FrameRange
from sparkvsr.window_plan import plan_chunks

SCALE = 4
# The VAE packs 4 frames per latent frame after the first (causal): 8k+1 frames -> 2k+1 latents.
TEMPORAL_COMPRESSION = 4
SPATIAL_COMPRESSION = 8
# Keyframes closer than this would share a latent slot (slot = index // 4).
MIN_KEYFRAME_GAP = 4
# Low-resolution sides are padded to this multiple, so that x4 sides are multiples of 16 (patchify).
LR_MULTIPLE = 4


def padded_frame_count(frames: int) -> int:
    """Frames after repeating the last one up to the next 8k + 1."""
    if frames < 1:
        raise InvalidInputError("a chunk needs at least one frame")
    return 8 * math.ceil((frames - 1) / 8) + 1


def padded_side(pixels: int) -> int:
    """A low-resolution side after zero padding (bottom/right) to a multiple of 4."""
    return LR_MULTIPLE * math.ceil(pixels / LR_MULTIPLE)


def latent_frame_count(frames: int) -> int:
    """Latent frames the VAE makes of `frames` (already 8k + 1) video frames."""
    return (frames - 1) // TEMPORAL_COMPRESSION + 1


def keyframe_slot(index: int) -> int:
    """The latent frame a keyframe at chunk frame `index` occupies."""
    return index // TEMPORAL_COMPRESSION


def keyframe_slots(indices: tuple[int, ...], frames: int) -> tuple[int, ...]:
    """Slots of keyframes in a chunk of `frames` frames; rejects two that share a slot."""
    slots = tuple(keyframe_slot(i) for i in indices)
    if any(not 0 <= i < frames for i in indices):
        raise InvalidInputError(
            f"keyframes {list(indices)} are not all within the chunk's {frames} frames"
        )
    if len(set(slots)) != len(slots):
        raise InvalidInputError(
            f"keyframes {list(indices)} share a latent slot: they must be at least "
            f"{MIN_KEYFRAME_GAP} frames apart"
        )
    return slots


def needs_odd_prepend(latent_frames: int) -> bool:
    """The transformer patches 2 latent frames at a time: an odd count gets frame 0 prepended."""
    return latent_frames % 2 == 1


def plan_tiles(size: int, tile: int, overlap: int) -> tuple[FrameRange, ...]:
    """Spatial tiles along one low-resolution side (already a multiple of 4): spans of `tile`
    pixels overlapping by at least `overlap`, every edge on a multiple of 4."""
    if size % LR_MULTIPLE or tile % LR_MULTIPLE or tile < LR_MULTIPLE:
        raise ValueError(f"size {size} and tile {tile} must be multiples of {LR_MULTIPLE}")
    if size <= tile:
        return (FrameRange(0, size),)
    units = plan_chunks(size // LR_MULTIPLE, tile // LR_MULTIPLE, math.ceil(overlap / LR_MULTIPLE))
    return tuple(FrameRange(u.start * LR_MULTIPLE, u.stop * LR_MULTIPLE) for u in units)
