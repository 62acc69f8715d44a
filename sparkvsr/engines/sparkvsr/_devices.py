"""The CUDA devices torch sees: listed here, inside the one engine that needs torch."""

from __future__ import annotations

import torch

from sparkvsr.engines._base import DeviceInfo


def cuda_devices() -> tuple[DeviceInfo, ...]:
    """Each CUDA device with its name and memory; empty without CUDA."""
    if not torch.cuda.is_available():
        return ()
    devices = []
    for index in range(torch.cuda.device_count()):
        properties = torch.cuda.get_device_properties(index)
        devices.append(DeviceInfo(f"cuda:{index}", properties.name, properties.total_memory))
    return tuple(devices)
