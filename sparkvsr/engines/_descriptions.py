"""What each engine is and the rules a job must follow on it: a leaf module, so engines, the
registry and clients can all read them without importing each other."""

from sparkvsr.engines._base import EngineInfo

DEFAULT_ENGINE = "flow"

FLOW_ENGINE_INFO = EngineInfo(
    name="flow",
    description="classical keyframe propagation by optical flow (CPU, no weights)",
    scales=(2, 3, 4),
    min_keyframe_gap=1,
    # Frames are independent given their keyframes, so chunks need no overlap; small chunks keep
    # high-resolution float buffers small.
    chunk_length=4,
    chunk_overlap=0,
    keyframe_reach=48,
    # Each frame is made from its source and its keyframes alone (no recursive filter since the
    # real-footage rework): its windows run anywhere, and a stored window stays valid when an
    # earlier window changes.
    window_dependency="none",
)

SPARKVSR_ENGINE_INFO = EngineInfo(
    name="sparkvsr",
    description="SparkVSR diffusion model on CogVideoX1.5-5B-I2V (GPU, weights)",
    scales=(4,),
    # Each keyframe takes latent slot index // 4, so two keyframes need distinct slots.
    min_keyframe_gap=4,
    chunk_length=49,
    chunk_overlap=8,
    # carry_forward: a chunk without keyframes takes the previous chunk's output as one.
    window_dependency="without_keyframe_inside",
)
