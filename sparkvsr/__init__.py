"""SparkVSR Bridge: keyframe-guided video super-resolution for editors and render farms."""

from sparkvsr.errors import SparkVSRError
from sparkvsr.specs import FrameLayout, FrameRange, JobSpec, Keyframe, OutputFrame, SourceFrame

__all__ = [
    "FrameLayout",
    "FrameRange",
    "JobSpec",
    "Keyframe",
    "OutputFrame",
    "SourceFrame",
    "SparkVSRError",
]
