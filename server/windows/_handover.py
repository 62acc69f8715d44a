"""Engine windows handed over as files (the OpenFX sidecar's transport), with their outputs
cached by the content of their inputs and settings: asking again runs no engine. A probe finds a
window's output by one of its frames (where the client says where the window starts)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections import OrderedDict

import numpy as np

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.content_key import ContentKey, each_frame_key
from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.keyframes import UserStills
from sparkvsr.settings import JobSettings
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame
from sparkvsr_server.jobs import JobManager, ManagerRunner
from sparkvsr_server.windows._output_store import OutputStore

logger = logging.getLogger(__name__)

_PROBE_ENTRIES = 1 << 16  # frames whose windows probes can find (some 150 bytes each)


class WindowHandover:
    """Runs RunWindow requests on the job manager; one engine run per distinct window."""

    def __init__(self, store: OutputStore, manager: JobManager, loop: asyncio.AbstractEventLoop):
        self.store = store
        self._manager = manager
        self._loop = loop
        self._running: dict[str, asyncio.Task] = {}  # window key -> its computation
        self._probes: OrderedDict[str, str] = OrderedDict()  # probe key -> window key

    async def run(self, request: pb.RunWindowRequest) -> pb.RunWindowResponse:
        """The window's output file, computed once for each distinct input and settings.

        Raises:
            InvalidInputError, NotFoundError: a bad layout, input file or keyframe still.
        """
        layout = wire.layout_from_proto(request.layout)
        settings = wire.job_settings_from_proto(request.settings)
        engine = settings.engine or self._manager.default_engine
        scaled = layout.scaled(settings.scale)
        output_layout, size = wire.layout_to_proto(scaled), request.frame_count * scaled.nbytes
        if request.probe:
            probe = await asyncio.to_thread(_read_probe, request, engine, layout)
            output = self.store.lookup(self._probes.get(probe, ""))
            return pb.RunWindowResponse(
                output_path=str(output or ""), output_layout=output_layout, cached=bool(output)
            )
        keys, frames = await asyncio.to_thread(_read_window, request, engine, layout)
        key = keys.window
        if request.HasField("window_start"):
            self._index(keys, request.window_start, key)
        computing = self._running.get(key)
        joined = computing is not None  # the same window asked again while it runs: wait for it
        if not joined:
            if output := self.store.lookup(key):
                return _window_reply(output, output_layout)
            computing = self._loop.create_task(
                self._compute_once(request, frames, layout, settings, engine, key, size)
            )
            computing.add_done_callback(_retrieved)
            self._running[key] = computing
        # Shielded: a caller that goes away (its socket closed) leaves the window running for
        # the others and the store; a second run of it would write the same file meanwhile.
        output, job_id = await asyncio.shield(computing)
        return _window_reply(output, output_layout, "" if joined else job_id)

    async def _compute_once(self, request, frames, layout, settings, engine, key, size):
        """The window's output and the engine job that made it, for every request for it."""
        try:
            result = await asyncio.to_thread(
                self._compute, request, frames, layout, settings, engine, key, size
            )
        finally:
            del self._running[key]
        # The next window's memory, allocated while this one's client reads its output (not
        # once the server stops: its executor then takes no more work).
        with contextlib.suppress(RuntimeError):
            self._loop.run_in_executor(None, self.store.prepare_spare, size)
        return result

    def _index(self, keys: WindowKeys, start: int, key: str) -> None:
        """Lets probes find the window's output by any of its frames (the oldest entries go
        first past _PROBE_ENTRIES; a probe for an output the store dropped misses)."""
        for offset, frame in enumerate(keys.frames):
            probe = keys.probe(start, offset, frame)
            self._probes[probe] = key
            self._probes.move_to_end(probe)
        while len(self._probes) > _PROBE_ENTRIES:
            self._probes.popitem(last=False)

    def _compute(
        self,
        request: pb.RunWindowRequest,
        frames: np.ndarray,
        layout: FrameLayout,
        settings: JobSettings,
        engine: str,
        key: str,
        size: int,
    ) -> tuple[str, str]:
        upright = dataclasses.replace(layout, row_order="top_down")
        keyframes = _keyframes(request, frames, upright.scaled(settings.scale), settings)
        spec = JobSpec(
            frame_count=request.frame_count,
            source_layout=upright,
            scale=settings.scale,
            engine=engine,
            keyframe_indices=tuple(key.index for key in keyframes),
            chunk_length=settings.chunk_length,
            chunk_overlap=settings.chunk_overlap,
        )
        items = [*keyframes, *(SourceFrame(i, frame) for i, frame in enumerate(frames))]
        runner = ManagerRunner(self._manager, self._loop)
        images = (frame.image for frame in runner.run(spec, items))
        output = self.store.write(key, images, size, bottom_up=layout.row_order == "bottom_up")
        logger.info("window %s computed by job %s", key[:12], runner.current.id)
        return output, runner.current.id


def _read_window(request: pb.RunWindowRequest, engine: str, layout: FrameLayout):
    """The window's keys and its frames (top-down), both from one mapping of the input."""
    data = _map_input(request.input_path, request.frame_count, layout)
    frames = data.reshape(request.frame_count, *layout.shape)
    flat = data.reshape(request.frame_count, -1)
    digests = each_frame_key(flat)  # side by side: hashing lets go of the GIL
    keys = WindowKeys(_settings_key(request, engine, layout), digests)
    return keys, frames[:, ::-1] if layout.row_order == "bottom_up" else frames


@dataclasses.dataclass(frozen=True)
class WindowKeys:
    """A window's cache key, in two parts: everything but the frames, and each frame's digest."""

    settings: str
    frames: list[str]

    @property
    def window(self) -> str:
        """What the output is stored under: a hash of everything it depends on."""
        return ContentKey(self.settings, self.frames).hexdigest()

    def probe(self, start: int, offset: int, frame: str) -> str:
        """What a probe for the frame at `offset` of the window at `start` looks up."""
        return ContentKey(self.settings, start, offset, frame).hexdigest()


def _window_reply(output, layout: pb.FrameLayout, job_id: str = "") -> pb.RunWindowResponse:
    """A window's output: computed by `job_id` for this request, else one already there."""
    return pb.RunWindowResponse(
        output_path=str(output), output_layout=layout, cached=not job_id, job_id=job_id
    )


def _retrieved(task: asyncio.Task) -> None:
    """Marks a computation's error as seen: every caller may have gone (each got its own)."""
    if not task.cancelled():
        task.exception()


def _settings_key(request: pb.RunWindowRequest, engine: str, layout: FrameLayout) -> str:
    """A hash of everything the output depends on but the frames: settings, layout, frame count,
    the Refresh count and each keyframe's still (or the provider that will restore it)."""
    settings = pb.JobSettings()
    settings.CopyFrom(request.settings)
    settings.engine = engine
    key = ContentKey()
    for part in (settings, wire.layout_to_proto(layout)):
        key.add(part.SerializeToString(deterministic=True))
    key.add(f"frames={request.frame_count}")
    if request.refresh:  # absent from plain requests, so their keys stay as they were
        key.add(f"refresh={request.refresh}")
    for keyframe in sorted(request.keyframes, key=lambda k: k.offset):
        key.add(f"keyframe={keyframe.offset}")
        if keyframe.still_path:
            _add_file(key, keyframe.still_path, f"keyframe {keyframe.offset} still")
    return key.hexdigest()


def _read_probe(request: pb.RunWindowRequest, engine: str, layout: FrameLayout) -> str:
    """The index key a probe looks up: its one frame, at its offset of its window."""
    if not request.HasField("window_start") or request.probe_offset >= request.frame_count:
        raise InvalidInputError(
            "a probe needs window_start and a probe_offset below frame_count "
            f"(got offset {request.probe_offset} of {request.frame_count})"
        )
    (frame,) = each_frame_key([_map_input(request.input_path, 1, layout)])
    keys = WindowKeys(_settings_key(request, engine, layout), [])
    return keys.probe(request.window_start, request.probe_offset, frame)


def _add_file(key: ContentKey, path: str, what: str) -> None:
    try:
        key.add_file(path)
    except FileNotFoundError:
        raise NotFoundError(f"{what} {path} does not exist") from None
    except OSError as error:
        raise InvalidInputError(f"cannot read {what} {path}: {error.strerror}") from None


def _map_input(path: str, count: int, layout: FrameLayout) -> np.ndarray:
    """The client's file, mapped rather than copied (it stays unchanged until the reply)."""
    if count < 1:
        raise InvalidInputError("frame_count must be at least 1")
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise NotFoundError(f"window input {path} does not exist") from None
    if size != count * layout.nbytes:
        raise InvalidInputError(
            f"window input {path} holds {size} bytes; {count} frames of "
            f"{layout.width}x{layout.height}x{layout.channels} {layout.dtype} need "
            f"{count * layout.nbytes}"
        )
    return np.memmap(path, dtype=layout.dtype, mode="r")


def _keyframes(request, frames: np.ndarray, target: FrameLayout, settings: JobSettings):
    stills = {key.offset: key.still_path for key in request.keyframes if key.still_path}
    restored = sorted(key.offset for key in request.keyframes if not key.still_path)
    for offset in [*stills, *restored]:
        if not 0 <= offset < len(frames):
            raise InvalidInputError(f"keyframe offset {offset} is outside the window's frames")
    if restored and settings.provider is None:
        raise InvalidInputError(
            f"keyframe {restored[0]} has no still_path and the settings name no keyframe_provider"
        )
    user = UserStills(stills, fit=settings.fit)
    provider = settings.provider.build() if restored else None
    keyframes = [Keyframe(offset, user.provide(offset, None, target)) for offset in stills]
    keyframes += [Keyframe(o, provider.provide(o, frames[o], target)) for o in restored]
    return sorted(keyframes, key=lambda key: key.index)
