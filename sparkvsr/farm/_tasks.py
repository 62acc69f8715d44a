"""The kinds of farm task: restore a clip's keyframes, run some of its windows, and assemble its
stored windows into its output; all derive the same plan from the same job."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sparkvsr.content_key import file_key
from sparkvsr.engines import Engine, EngineInfo, load_engine
from sparkvsr.errors import InvalidInputError
from sparkvsr.farm._source import MediaSource
from sparkvsr.farm._store import WindowStore, clip_key
from sparkvsr.media import VideoInfo
from sparkvsr.pipeline import Assembler, pack_window, run_windows, unpack_window
from sparkvsr.runners import LocalRunner
from sparkvsr.settings import FileJob
from sparkvsr.specs import FrameRange, JobSpec, OutputFrame
from sparkvsr.upscale_file import (
    FileJobResult,
    Progress,
    check_file_job,
    file_job_spec,
    keyframe_images,
    keyframe_indices,
    user_stills,
    write_output,
)
from sparkvsr.window_plan import Window, plan_windows, window_chains

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipWork:
    """A file job as the farm sees it: its engine job, window plan and where its windows go."""

    job: FileJob
    info: VideoInfo
    frames: FrameRange
    rules: EngineInfo
    keyframes: tuple[int, ...]
    """Keyframes as source frame indices."""
    spec: JobSpec
    plan: Sequence[Window]
    store: WindowStore


def clip_work(job: FileJob, work_dir: str) -> ClipWork:
    """Checks the job and plans it exactly as `sparkvsr upscale` would (keyframes chosen, none
    restored yet)."""
    with LocalRunner() as runner:  # for the engine's rules only: no engine is loaded
        info, frames, rules = check_file_job(job, runner)
    indices = keyframe_indices(job, frames, rules)
    spec = file_job_spec(job, info, frames, rules, [index - frames.start for index in indices])
    sources = _keyframe_sources(job, frames, indices)
    store = WindowStore(Path(work_dir) / clip_key(job, spec, sources))
    plan = plan_windows(spec, rules)
    return ClipWork(job, info, frames, rules, tuple(indices), spec, plan, store)


def _check_keyframes_can_be_supplied(job: FileJob, frames: FrameRange, indices) -> None:
    """Fails as `sparkvsr upscale` does when restoring: a keyframe with no still, no provider."""
    stills = user_stills(job, frames)
    missing = [index for index in indices if index not in stills]
    if missing and job.settings.provider is None:
        raise InvalidInputError(
            f"keyframe {missing[0]} has no still; give one, or restore it with --provider"
        )


def _keyframe_sources(job: FileJob, frames: FrameRange, indices: list[int]) -> dict[int, str]:
    """Where each keyframe comes from, for the clip key: a still by its content (the same file
    edited is another keyframe), else the provider, by its settings, that restores it."""
    stills = user_stills(job, frames)
    restorer = _provider_key(job.settings.provider)
    return {
        index: f"still {file_key(stills[index])} fit={job.settings.fit}"
        if index in stills
        else f"restored by {restorer}"
        for index in indices
    }


def _provider_key(provider) -> str | None:
    """The provider by its settings, its files by their content: each session of a farm job has
    its own path to the same service config."""
    if provider is None:
        return None
    config = provider.api_config
    config = config and (file_key(config) if os.path.isfile(config) else os.path.basename(config))
    named = [provider.pisa_python, provider.pisa_script]
    tools = [path and os.path.basename(path) for path in named]
    return f"{provider.name} {provider.model} {config} {tools}"


def windows_from(plan: Sequence[Window], first: int, count: int) -> list[int]:
    """The windows of every chain that starts at windows first..first+count-1: the task of a
    window range. Each window belongs to one chain and each chain starts once, so the tasks of
    `0-N:count` run every window exactly once, chains whole and in order."""
    chains = [chain for chain in window_chains(plan) if first <= chain[0] < first + count]
    return [index for chain in chains for index in chain]


WindowProgress = Callable[[int, int], None]
"""Called with (windows done, windows to run) after each stored window."""


def run_clip_windows(
    work: ClipWork,
    windows: Iterable[int] | None = None,
    engine: Engine | None = None,
    progress: WindowProgress | None = None,
) -> list[int]:
    """Runs the clip's windows `windows` (None = all) that are not stored yet and stores each as
    it finishes; returns those it ran. Windows they depend on must be stored or among them.

    Raises:
        InvalidInputError: a window index out of the plan, or a dependency neither stored nor
            asked for (groups from window_groups never have one).
    """
    plan = work.plan
    wanted = sorted(set(range(len(plan)) if windows is None else windows))
    if wanted and not 0 <= wanted[0] <= wanted[-1] < len(plan):
        raise InvalidInputError(f"windows must be within 0..{len(plan) - 1}, got {wanted}")
    missing = [index for index in wanted if not work.store.has(index)]
    if not missing:
        return []
    known = {}
    for index in missing:
        for before in plan[index].depends_on:
            if before in missing or before in known:
                continue
            if not work.store.has(before):
                raise InvalidInputError(
                    f"window {index} continues window {before}, which is neither stored nor "
                    "among the windows asked for"
                )
            known[before] = _load(work, before)
    source = _source(work, missing)
    engine = engine or load_engine(work.spec.engine)
    ran = run_windows(work.spec, engine, plan, missing, source, known)
    for done, (index, output) in enumerate(ran, start=1):
        work.store.save(index, pack_window(output, plan[index].shared, _depth(work)))
        logger.info("window %d (frames %s) stored", index, plan[index].frames)
        if progress:
            progress(done, len(missing))
    return missing


def restore_keyframes(work: ClipWork) -> int:
    """Restores the clip's keyframes that have no still into its windows' folder (the keyframe
    step's outputs, which every upscale task downloads): each is restored once, and every task
    uses that image. Returns how many keyframes the provider supplied."""
    stills = user_stills(work.job, work.frames)
    restored = [index for index in work.keyframes if index not in stills]
    if restored:
        job = _restored_keyframes_in(work.job, work.store.folder / "keyframes")
        keyframe_images(job, work.info, work.frames, restored)
    return len(restored)


def _depth(work: ClipWork) -> int:
    return work.spec.source_layout.bit_depth


def _load(work: ClipWork, index: int):
    return unpack_window(work.store.load(index), work.plan[index].shared, _depth(work))


def _source(work: ClipWork, windows: list[int]) -> MediaSource:
    """The media, and the images of the keyframes those windows reach (restored only now)."""
    start = work.frames.start
    reached = {start + key for index in windows for key in work.plan[index].keyframes}
    job = _restored_keyframes_in(work.job, work.store.folder / "keyframes")
    images = keyframe_images(job, work.info, work.frames, list(work.keyframes), reached)
    return MediaSource(work.job.source, start, work.spec, images)


def _restored_keyframes_in(job: FileJob, folder: Path) -> FileJob:
    """The job with its provider's restorations kept in the job's work folder, even where the
    user turned keyframe caching off: each keyframe is restored once for all tasks, which all
    use that one image (tasks on other machines have other caches, and a service may answer
    differently each time)."""
    provider = job.settings.provider
    if provider is None:
        return job
    shared = replace(provider, cache_dir=str(folder), use_cache=True)
    return replace(job, settings=replace(job.settings, provider=shared))


def stored_frames(work: ClipWork) -> Iterable[OutputFrame]:
    """The clip's finished frames, in order, blended from its stored windows by the one
    assembler.

    Raises:
        InvalidInputError: a window is missing (its task has not run, or failed).
    """
    assembler = Assembler(work.spec, work.plan)
    for window in work.plan:
        if not work.store.has(window.index):
            raise InvalidInputError(
                f"window {window.index} of {work.job.source} is not in {work.store.folder}; "
                "run its task first"
            )
        assembler.add(window.index, _load(work, window.index))
        yield from assembler.finished()


def assemble_file(job: FileJob, work_dir: str, progress: Progress | None = None) -> FileJobResult:
    """Writes a file job's output (movie with timecode and audio, or image sequence) from its
    stored windows: the same frames `upscale_file` writes for the job."""
    work = clip_work(job, work_dir)
    _check_keyframes_can_be_supplied(job, work.frames, work.keyframes)
    missing = [w.index for w in work.plan if not work.store.has(w.index)]
    if missing:
        raise InvalidInputError(
            f"{len(missing)} windows of {job.source} are not in {work.store.folder} "
            f"(first: {missing[0]}); run their tasks first"
        )
    written = write_output(job, work.info, work.frames, work.spec, stored_frames(work), progress)
    return FileJobResult(job.output, written, work.info, work.spec)
