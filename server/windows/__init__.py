"""Windows kept and handed over: the engine window store that caches finished engine windows on
disk (`_engine_store`), and the OpenFX handover transport: RunWindow's file handover
(`_handover`) and the store of its outputs, in memory where there is some (`_output_store`)."""

from sparkvsr_server.windows._engine_store import EngineWindowStore
from sparkvsr_server.windows._handover import WindowHandover
from sparkvsr_server.windows._output_store import OutputStore

__all__ = ["EngineWindowStore", "OutputStore", "WindowHandover"]
