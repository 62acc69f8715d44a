"""What compute devices this machine offers the engines."""

from __future__ import annotations

import importlib.util
import os
import platform


def list_devices() -> list[dict]:
    """The CPU, plus each CUDA device when torch is installed and sees one."""
    memory = (
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    )
    devices = [
        {
            "name": "cpu",
            "description": f"{platform.machine()} with {os.cpu_count()} cores",
            "memory_bytes": memory,
        }
    ]
    if importlib.util.find_spec("torch") is None:
        return devices
    import torch  # only where installed: the base install has no torch

    for index in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
        properties = torch.cuda.get_device_properties(index)
        devices.append(
            {
                "name": f"cuda:{index}",
                "description": properties.name,
                "memory_bytes": properties.total_memory,
            }
        )
    return devices
