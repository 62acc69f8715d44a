"""Client API for a SparkVSR server (no torch, no OpenCV: safe inside an editor's Python)."""

from sparkvsr.client._client import Client, UpscaleRun
from sparkvsr.info import ServerInfo

__all__ = ["Client", "ServerInfo", "UpscaleRun"]
