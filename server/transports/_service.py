"""The calls the gRPC servicer and the gateway share, free of either transport: they take and
return v1 messages and raise library errors, which each transport maps once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

from google.protobuf import json_format

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.errors import EngineUnavailableError, InvalidInputError
from sparkvsr.info import ServerInfo
from sparkvsr.media import probe_video
from sparkvsr.settings import FileJob
from sparkvsr.sidecar import sidecar_path
from sparkvsr_server._config import ServerConfig
from sparkvsr_server.jobs import JobManager, MediaJobRegistry
from sparkvsr_server.windows import OutputStore, WindowHandover


class JobService:
    """Server info, jobs by id (engine jobs and media jobs alike), media jobs and windows."""

    def __init__(
        self,
        config: ServerConfig,
        manager: JobManager,
        info: ServerInfo,
        loop: asyncio.AbstractEventLoop,
        cache_root: Path,
    ):
        self._config = config
        self._manager = manager
        self.info = info
        """What GetServerInfo answers; the server replaces it when an engine fails to load."""
        self._loop = loop
        self._media = MediaJobRegistry(manager, loop, cache_root / "media-jobs", config.job_ttl_s)
        store = OutputStore(cache_root / "windows", config.window_cache_bytes)
        self.windows = WindowHandover(store, manager, loop)

    def server_info(self) -> pb.GetServerInfoResponse:
        return wire.server_info_to_proto(self.info)

    def find(self, job_id: str):
        """The engine job or media job with this id."""
        return self._media.get(job_id) or self._manager.get(job_id)

    def get_job(self, request: pb.GetJobRequest) -> pb.GetJobResponse:
        return pb.GetJobResponse(
            progress=wire.job_status_to_proto(self.find(request.job_id).status())
        )

    def cancel_job(self, request: pb.CancelJobRequest) -> pb.CancelJobResponse:
        job = self.find(request.job_id)
        job.cancel("cancelled by a client")
        return pb.CancelJobResponse(progress=wire.job_status_to_proto(job.status()))

    async def watch_job(self, request: pb.WatchJobRequest) -> AsyncIterator[pb.JobProgress]:
        """The job's progress now and after every change, ending with its final state."""
        job = self.find(request.job_id)
        while True:
            seen = job.version
            status = job.status()
            yield wire.job_status_to_proto(status)
            if status.state.finished:
                return
            await job.wait_for_change(seen)

    async def start_media_job(self, request: pb.StartMediaJobRequest) -> pb.StartMediaJobResponse:
        self._check_accepting()
        job = await self._file_job(request.spec)
        media_job = await self._media.start(job, json_format.MessageToDict(request))
        return pb.StartMediaJobResponse(
            job_id=media_job.id,
            output_path=os.path.abspath(job.output),
            sidecar_path=os.path.abspath(sidecar_path(job.output)),
        )

    async def resume_media_jobs(self) -> None:
        """Brings back the media jobs a server that stopped on this spool left (same ids)."""
        await self._media.resume(
            lambda stored: self._file_job(
                json_format.ParseDict(stored, pb.StartMediaJobRequest()).spec
            )
        )

    async def finish_media_jobs(self, deadline: float) -> None:
        """Lets media jobs finish until `deadline` (time.monotonic()); stops the rest, to run
        again after a restart."""
        await self._media.finish(deadline)

    async def _file_job(self, message: pb.MediaJobSpec) -> FileJob:
        if not message.source_path:
            raise InvalidInputError("the media job names no source_path")
        info = await asyncio.to_thread(probe_video, message.source_path)
        engine = self._manager.engine_infos.get(message.settings.engine or self.default_engine)
        settings = wire.job_settings_from_proto(
            message.settings, engine.default_scale if engine else 4
        )
        return wire.media_job_from_proto(message, settings, info.frame_count)

    async def run_window(self, request: pb.RunWindowRequest) -> pb.RunWindowResponse:
        self._check_accepting()
        return await self.windows.run(request)

    def close(self) -> None:
        """Frees what outlives a request: the windows' outputs (in memory where possible)."""
        self.windows.store.close()

    @property
    def default_engine(self) -> str:
        return self._manager.default_engine

    def _check_accepting(self) -> None:
        if not self._manager.accepting:
            raise EngineUnavailableError("the server is shutting down")
