"""The calls the gRPC servicer and the gateway share, free of either transport: they take and
return v1 messages and raise library errors, which each transport maps once."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.errors import EngineUnavailableError, InvalidInputError
from sparkvsr.info import ServerInfo
from sparkvsr.media import probe_video
from sparkvsr.sidecar import sidecar_path
from sparkvsr_server._config import ServerConfig
from sparkvsr_server.jobs import JobManager, ManagerRunner, MediaJob, start_media_job
from sparkvsr_server.windows import WindowCache, WindowStore


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
        self._media: dict[str, MediaJob] = {}
        store = WindowStore(cache_root / "windows", config.window_cache_bytes)
        self.windows = WindowCache(store, manager, loop)

    def server_info(self) -> pb.GetServerInfoResponse:
        return wire.server_info_to_proto(self.info)

    def find(self, job_id: str):
        """The engine job or media job with this id."""
        self._expire_media_jobs()
        if job_id in self._media:
            return self._media[job_id]
        return self._manager.get(job_id)

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
        message = request.spec
        if not message.source_path:
            raise InvalidInputError("the media job names no source_path")
        info = await asyncio.to_thread(probe_video, message.source_path)
        engine = self._manager.engine_infos.get(message.settings.engine or self.default_engine)
        settings = wire.job_settings_from_proto(
            message.settings, engine.default_scale if engine else 4
        )
        job = wire.media_job_from_proto(message, settings, info.frame_count)
        runner = ManagerRunner(self._manager, self._loop)
        media_job = await start_media_job(job, runner, self._loop)
        self._media[media_job.id] = media_job
        return pb.StartMediaJobResponse(
            job_id=media_job.id,
            output_path=os.path.abspath(job.output),
            sidecar_path=os.path.abspath(sidecar_path(job.output)),
        )

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

    def _expire_media_jobs(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._media.items()):
            if job.finished_at is not None and now - job.finished_at > self._config.job_ttl_s:
                del self._media[job_id]
