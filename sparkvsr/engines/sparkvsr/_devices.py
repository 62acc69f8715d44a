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


def available_memory(device: torch.device) -> int | None:
    """Bytes this process can still allocate on `device`; None (unlimited) off CUDA.

    The driver's free memory leaves out what PyTorch's caching allocator reserved and no tensor
    uses (freed blocks kept for reuse), so it depends on what ran before in the process; adding
    those blocks back gives the card's memory less live tensors and other processes' use."""
    if device.type != "cuda":
        return None
    free, _ = torch.cuda.mem_get_info(device)
    cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
    return free + cached
