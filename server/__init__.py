"""The SparkVSR gRPC server (import name `sparkvsr_server`): jobs, workers, auth, health."""

from sparkvsr_server._app import BackgroundServer, create_server, serve
from sparkvsr_server._config import ServerConfig, config_from_env

__all__ = ["BackgroundServer", "ServerConfig", "config_from_env", "create_server", "serve"]
