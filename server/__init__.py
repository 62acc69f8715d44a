"""The SparkVSR server (import name `sparkvsr_server`): jobs, workers, auth, health.

Its rooms, each module named for the one thing in it:

- `_app`, `_config`, `cli`: the server's assembly and start-up, its settings, `sparkvsr serve`.
- `transports/`: the doors: one job service, the gRPC servicer and the JSON gateway over it, auth.
- `jobs/`: a job's state, the durable job store, the job manager, limits, media jobs.
- `windows/`: the engine window store (finished engine windows, reused) and the OpenFX handover
  (RunWindow's files and its output store).
- `scheduling/`: the round-robin queue of jobs and the per-device workers that run windows.
"""

from sparkvsr_server._app import BackgroundServer, create_server, serve
from sparkvsr_server._config import ServerConfig, config_from_env

__all__ = ["BackgroundServer", "ServerConfig", "config_from_env", "create_server", "serve"]
