"""Client API for a SparkVSR server (no torch, no OpenCV: safe inside an editor's Python)."""

from sparkvsr.client._client import Client, ServerInfo, UpscaleRun

__all__ = ["Client", "ServerInfo", "UpscaleRun"]
