"""The `flow` engine: keyframe detail carried by optical flow, on the CPU.

Output = bicubic + confidence-weighted detail of the nearest keyframe on each side, then corrected
so that degrading it gives back its own source frame (back-projection, under the blur measured on
those keyframes). A keyframe's detail is what it holds beyond the bicubic upscale of its source
frame, so colour and low frequencies come from the target frame and only detail from the
keyframe. Motion is estimated on the low-resolution frames and applied at high resolution;
confidence falls with forward-backward flow disagreement, photometric mismatch and temporal
distance. Where no keyframe can be trusted (none in reach, or another shot) the output is exactly
the blind base.
"""

from sparkvsr.engines.flow._engine import FlowEngine
from sparkvsr.engines.flow._image import blind_base
from sparkvsr.engines.flow._settings import BLIND_BASES, BlindBase, FlowSettings

__all__ = ["BLIND_BASES", "BlindBase", "FlowEngine", "FlowSettings", "blind_base"]
