"""Server settings, validated up front, and the one function that reads the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sparkvsr import environment
from sparkvsr.connection import is_loopback
from sparkvsr.engines import DEFAULT_ENGINE
from sparkvsr.errors import InvalidInputError
from sparkvsr.wire import DEFAULT_MAX_MESSAGE_BYTES


@dataclass(frozen=True)
class ServerConfig:
    """How the server listens, authenticates and schedules."""

    host: str = "127.0.0.1"
    """Address to bind; anything but loopback needs a token or TLS with client certificates."""
    port: int = 50051
    """TCP port; 0 picks a free one."""
    token: str | None = None
    """Shared secret clients send as `authorization: Bearer <token>`."""
    tls_cert: str | None = None
    """PEM server certificate chain (with tls_key) to serve TLS."""
    tls_key: str | None = None
    """PEM private key of tls_cert."""
    tls_client_ca: str | None = None
    """PEM CA bundle; when set, clients must present a certificate it signed."""
    default_engine: str = DEFAULT_ENGINE
    """Engine used when a job names none."""
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    """Largest gRPC message accepted or sent; frames travel in parts below it."""
    max_queued_jobs: int = 8
    """Jobs that may wait for a worker before new ones get RESOURCE_EXHAUSTED (running jobs
    whose clients have gone quiet count here too: at most `workers + max_queued_jobs` run)."""
    workers: int = 1
    """Worker threads, one per device."""
    devices: tuple[str, ...] = ()
    """Torch devices, one worker each (`cuda:0`, ...); empty = `workers` workers on the
    engines' default device."""
    job_ttl_s: float = 3600.0
    """How long a finished job's frames stay fetchable (then they are collected); stored windows
    are kept as long after their last use."""
    spool_dir: str | None = None
    """The durable job store: inputs, finished frames and windows. A server restarted on the same
    folder resumes its jobs; one server at a time keeps a folder. None = a temporary folder
    removed at shutdown (`config_from_env`, and so `sparkvsr serve`, default to the per-user state
    folder instead)."""
    max_spool_bytes: int | None = None
    """Most disk the job store may take for the jobs it keeps (their inputs, frames and engine
    windows); a job that would take it further is refused at once (RESOURCE_EXHAUSTED). None =
    half of the disk space free where the spool is when the server starts."""
    shutdown_grace_s: float = 30.0
    """On SIGTERM, how long running jobs and their readers may take before they are cancelled."""
    max_frame_pixels: int = 8192 * 8192
    """Largest output frame (width * height) a job may ask for."""
    max_frames_per_job: int = 1_000_000
    """Most frames one job may have."""
    max_chunk_length: int = 256
    """Longest engine chunk (frames) a client may ask for."""
    max_job_buffer_bytes: int = 16 * 2**30
    """Most memory one job's frames may take in a worker (its window of source frames, keyframes
    and engine output) or in flight (frame parts being assembled)."""
    max_buffer_bytes: int = 4 * 2**30
    """Most memory frame parts being assembled may take across all jobs."""
    stream_idle_s: float = 60.0
    """How long a running job may wait for its client's next input before it fails (while it
    waits, the devices run other jobs)."""
    gateway_port: int | None = None
    """Port of the JSON gateway (HTTP and WebSocket) for clients that cannot speak gRPC; 0 picks
    a free one; None = no gateway (`sparkvsr serve` opens it next to the gRPC port: 50052)."""

    window_cache_bytes: int = 4 << 30
    """Bytes of RunWindow outputs kept for reuse (in /dev/shm where there is one), the least
    recently used dropped first."""

    def __post_init__(self) -> None:
        if self.window_cache_bytes < 1:
            raise InvalidInputError(
                f"window_cache_bytes must be at least 1, got {self.window_cache_bytes}"
            )
        if not 0 <= self.port <= 65535:
            raise InvalidInputError(f"port must be 0..65535, got {self.port}")
        if self.gateway_port is not None and not 0 <= self.gateway_port <= 65535:
            raise InvalidInputError(f"gateway port must be 0..65535, got {self.gateway_port}")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise InvalidInputError("TLS needs both --tls-cert and --tls-key")
        if self.tls_client_ca and not self.tls_cert:
            raise InvalidInputError("--tls-client-ca needs --tls-cert and --tls-key")
        if not is_loopback(self.host) and not (self.token or self.tls_client_ca):
            raise InvalidInputError(
                f"refusing to listen on {self.host}: anything but loopback needs a token "
                "(--token or SPARKVSR_TOKEN) or TLS with client certificates (--tls-client-ca)"
            )
        if self.max_message_bytes < 64 * 1024:
            raise InvalidInputError("max_message_bytes must be at least 65536")
        if self.workers < 1 or self.max_queued_jobs < 0:
            raise InvalidInputError("workers must be >= 1 and max_queued_jobs >= 0")
        if self.devices and len(self.devices) != self.workers:
            raise InvalidInputError(
                f"{len(self.devices)} devices need {len(self.devices)} workers, not {self.workers}"
            )
        for name in (
            "max_frame_pixels",
            "max_frames_per_job",
            "max_chunk_length",
            "max_job_buffer_bytes",
            "max_buffer_bytes",
        ):
            if getattr(self, name) < 1:
                raise InvalidInputError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.max_spool_bytes is not None and self.max_spool_bytes < 1:
            raise InvalidInputError(f"max_spool_bytes must be >= 1, got {self.max_spool_bytes}")
        for name in ("job_ttl_s", "shutdown_grace_s", "stream_idle_s"):
            if not 0 <= getattr(self, name) < float("inf"):
                raise InvalidInputError(f"{name} must be seconds >= 0, got {getattr(self, name)}")


def parse_devices(text: str) -> tuple[str, ...]:
    """`all` (every GPU an engine here sees), or indices and names: `0,1` = cuda:0, cuda:1."""
    if text.strip() == "all":
        from sparkvsr.info import list_devices

        found = tuple(d.name for d in list_devices() if d.name != "cpu")
        if not found:
            raise InvalidInputError("--devices all: no GPU found here (torch sees none)")
        return found
    devices = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        devices.append(f"cuda:{part}" if part.isdigit() else part)
    if not devices or len(set(devices)) != len(devices):
        raise InvalidInputError(
            f"--devices expects all, or distinct indices like 0,1; got {text!r}"
        )
    return tuple(devices)


def config_from_env(environ: Mapping[str, str] | None = None, **settings) -> ServerConfig:
    """A ServerConfig from `settings`, with the environment filling what they leave unset: the
    token, and the spool (the per-user state folder's `server`, so a plain restart resumes)."""
    if not settings.get("token"):
        settings["token"] = environment.token(environ)
    if not settings.get("spool_dir"):
        settings["spool_dir"] = str(environment.user_state_dir(environ) / "server")
    return ServerConfig(**settings)
