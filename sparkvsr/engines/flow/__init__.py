"""The `flow` engine: blind upscale plus keyframe detail carried by optical flow, on the CPU.

Output = blind base + confidence-weighted detail of nearby keyframes. A keyframe's detail is what
it holds beyond the blind base of its own source frame, so colour and low frequencies come from
the target frame and only detail from the keyframe. Motion is estimated on the low-resolution
frames and applied at high resolution; confidence falls with forward-backward flow disagreement,
photometric mismatch and temporal distance, and where it is zero the output is exactly the blind
base.
"""

from sparkvsr.engines.flow._engine import FlowEngine
from sparkvsr.engines.flow._image import blind_base
from sparkvsr.engines.flow._settings import BLIND_BASES, BlindBase, FlowSettings

__all__ = ["BLIND_BASES", "BlindBase", "FlowEngine", "FlowSettings", "blind_base"]
