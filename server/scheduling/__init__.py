"""Scheduling on the devices: jobs waiting their turn, round-robin across clients
(`_fair_queue`), and one worker per device running jobs' engine windows (`_window_scheduler`)."""

from sparkvsr_server.scheduling._fair_queue import FairQueue
from sparkvsr_server.scheduling._window_scheduler import EngineFactory, WindowScheduler, load_on

__all__ = ["EngineFactory", "FairQueue", "WindowScheduler", "load_on"]
