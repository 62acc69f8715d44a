"""Jobs: a streamed job's state (`_job`), its durable store on disk (`_store`) in the server's
spool folder (`_spool`), the registry that admits and runs jobs (`_manager`) within the server's
limits (`_limits`), media jobs named by path (`_media_job`), journalled (`_media_store`) and kept
by id (`_media_registry`), and the library's Runner over this
server's own jobs (`_runner`)."""

from sparkvsr_server.jobs._job import Job
from sparkvsr_server.jobs._manager import JobManager
from sparkvsr_server.jobs._media_job import MediaJob, start_media_job
from sparkvsr_server.jobs._media_registry import MediaJobRegistry
from sparkvsr_server.jobs._runner import ManagerRunner
from sparkvsr_server.jobs._spool import Spool
from sparkvsr_server.jobs._store import JobFiles, JobStore

__all__ = [
    "Job",
    "JobFiles",
    "JobManager",
    "JobStore",
    "ManagerRunner",
    "MediaJob",
    "MediaJobRegistry",
    "Spool",
    "start_media_job",
]
