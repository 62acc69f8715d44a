"""Which frames should be keyframes: strategies over a video, combined with explicit choices."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import av
import numpy as np

from sparkvsr.errors import InvalidInputError
from sparkvsr.media import probe_video
from sparkvsr.specs import FrameRange
from sparkvsr.window_plan import plan_chunks

logger = logging.getLogger(__name__)

STRATEGIES = ("iframes", "scenes[:THRESHOLD]", "uniform:N", "ends", "random:N:SEED")
DEFAULT_SCENE_THRESHOLD = 0.35


@dataclass(frozen=True)
class KeyframeChoice:
    """A frame chosen as a keyframe, and why."""

    frame: int
    reason: str


def suggest_keyframes(
    path: str,
    strategy: str,
    *,
    min_gap: int = 1,
    explicit: tuple[int, ...] = (),
    chunk: tuple[int, int] | None = None,
    frames: FrameRange | None = None,
) -> list[KeyframeChoice]:
    """Keyframes for a video by `strategy`, merged with `explicit` ones (which win).

    Args:
        path: the video.
        strategy: one of STRATEGIES, for example "uniform:32" or "scenes:0.4".
        min_gap: smallest distance the engine allows between keyframes; closer candidates are
            dropped with a warning naming them (explicit keyframes are never dropped).
        explicit: frames the user chose.
        chunk: (length, overlap) of the engine's chunk plan, to add a keyframe to every chunk
            that has none; None leaves chunks alone.
        frames: only choose within these frames (uniform, ends and random count from its
            start); None = the whole video.

    Raises:
        InvalidInputError: unknown strategy or bad parameters.
    """
    frames = frames or FrameRange(0, probe_video(path).frame_count)
    candidates = [KeyframeChoice(f, "explicit") for f in sorted(set(explicit))]
    candidates += [c for c in _by_strategy(path, strategy, frames) if c.frame in frames]
    chosen = _respect_gap(candidates, min_gap)
    if chunk is not None:
        chosen = _cover_chunks(chosen, frames, *chunk, min_gap)
    return sorted(chosen, key=lambda choice: choice.frame)


def _by_strategy(path: str, strategy: str, frames: FrameRange) -> list[KeyframeChoice]:
    name, _, arguments = strategy.partition(":")
    first, last = frames.start, frames.stop - 1
    try:
        if name == "iframes" and not arguments:
            return [KeyframeChoice(f, "codec I-frame") for f in codec_keyframes(path)]
        if name == "scenes":
            threshold = float(arguments) if arguments else DEFAULT_SCENE_THRESHOLD
            return [KeyframeChoice(first, "first frame")] + [
                KeyframeChoice(f, f"first frame after a scene cut (change {score:.2f})")
                for f, score in scene_cuts(path, threshold)
            ]
        if name == "uniform":
            step = int(arguments)
            if step < 1:
                raise ValueError
            every = range(first, frames.stop, step)
            return [KeyframeChoice(f, f"every {step} frames") for f in every]
        if name == "ends" and not arguments:
            ends = sorted({first, (first + last) // 2, last})
            reasons = {first: "first frame", last: "last frame"}
            return [KeyframeChoice(f, reasons.get(f, "middle frame")) for f in ends]
        if name == "random":
            count, seed = (int(part) for part in arguments.split(":"))
            rng = np.random.default_rng(seed)
            picks = first + rng.choice(len(frames), size=min(count, len(frames)), replace=False)
            return [KeyframeChoice(int(f), f"random (seed {seed})") for f in sorted(picks)]
    except ValueError:
        pass
    raise InvalidInputError(
        f"unknown keyframe strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}"
    )


def _respect_gap(candidates: list[KeyframeChoice], min_gap: int) -> list[KeyframeChoice]:
    """Keeps candidates in order of priority (explicit first) that are `min_gap` from all kept."""
    kept: list[KeyframeChoice] = []
    for candidate in candidates:
        clash = next((k for k in kept if abs(k.frame - candidate.frame) < min_gap), None)
        if clash is None:
            kept.append(candidate)
        elif clash.frame != candidate.frame and candidate.reason != "explicit":
            logger.warning(
                "not using frame %d (%s): it is %d frames from keyframe %d; the engine needs %d",
                candidate.frame,
                candidate.reason,
                abs(clash.frame - candidate.frame),
                clash.frame,
                min_gap,
            )
        elif clash.frame != candidate.frame:
            raise InvalidInputError(
                f"keyframes {min(clash.frame, candidate.frame)} and "
                f"{max(clash.frame, candidate.frame)} are {abs(clash.frame - candidate.frame)} "
                f"frames apart; the engine needs at least {min_gap}"
            )
    return kept


def _cover_chunks(
    chosen: list[KeyframeChoice], frames: FrameRange, length: int, overlap: int, min_gap: int
) -> list[KeyframeChoice]:
    """Adds the middle frame of every chunk that holds no keyframe, where the gap rule allows."""
    result = list(chosen)
    for planned in plan_chunks(len(frames), length, overlap):
        chunk = FrameRange(planned.start + frames.start, planned.stop + frames.start)
        if any(choice.frame in chunk for choice in result):
            continue
        middle = (chunk.start + chunk.stop - 1) // 2
        if all(abs(choice.frame - middle) >= min_gap for choice in result):
            reason = f"middle of chunk {chunk.start}..{chunk.stop - 1}, which had none"
            result.append(KeyframeChoice(middle, reason))
    return result


def codec_keyframes(path: str) -> list[int]:
    """Frame indices the codec coded as I-frames, read from packet flags without decoding."""
    info = probe_video(path)
    with av.open(path) as container:
        stream = container.streams.video[0]
        origin = stream.start_time or 0
        ticks_per_frame = 1 / (stream.time_base * info.frame_rate)
        frames = [
            round((packet.pts - origin) / ticks_per_frame)
            for packet in container.demux(stream)
            if packet.is_keyframe and packet.pts is not None
        ]
    return sorted(f for f in frames if 0 <= f < info.frame_count)


def scene_cuts(path: str, threshold: float) -> list[tuple[int, float]]:
    """(first frame of a new shot, change score) for each cut, from small colour histograms.

    The score is half the L1 distance between consecutive frames' normalised joint colour
    histograms: 0 for identical colour content, 1 for disjoint.
    """
    if not 0 < threshold < 1:
        raise InvalidInputError(f"scene threshold must be between 0 and 1, got {threshold}")
    cuts, previous = [], None
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            small = frame.reformat(width=64, height=36, format="rgb24").to_ndarray()
            bins = (small // 64).reshape(-1, 3).astype(np.int64)  # 4 levels per channel
            histogram = np.bincount(bins[:, 0] * 16 + bins[:, 1] * 4 + bins[:, 2], minlength=64)
            histogram = histogram / histogram.sum()
            if previous is not None:
                score = 0.5 * float(np.abs(histogram - previous).sum())
                if score > threshold:
                    cuts.append((index, score))
            previous = histogram
    return cuts
