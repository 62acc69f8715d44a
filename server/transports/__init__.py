"""The doors clients come through: the calls both transports share (`_service`), the gRPC
servicer (`_grpc`), the JSON gateway over HTTP and WebSocket (`_gateway`), and bearer-token
authentication (`_auth`)."""

from sparkvsr_server.transports._auth import TokenAuthInterceptor
from sparkvsr_server.transports._gateway import Gateway
from sparkvsr_server.transports._grpc import UpscaleServicer
from sparkvsr_server.transports._service import JobService

__all__ = ["Gateway", "JobService", "TokenAuthInterceptor", "UpscaleServicer"]
