"""A worker never waits on a client: only windows whose input has all arrived are run, so a
client that goes quiet mid-job leaves the one worker to other jobs, and its job carries on,
byte for byte, when its input comes."""

import dataclasses
import threading

import grpc
import numpy as np
from helpers import BILINEAR_INFO, BilinearEngine, engines, random_job

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.api.v1 import upscale_pb2_grpc
from sparkvsr.client import Client
from sparkvsr.pipeline import run_job
from sparkvsr.specs import JobState
from sparkvsr_server import BackgroundServer, ServerConfig

# Every window continues the one before (as the SparkVSR engine's do without keyframes): a chain.
CHAINED_INFO = dataclasses.replace(
    BILINEAR_INFO, name="chained", window_dependency="until_keyframe_on_first_frame"
)


class ChainedEngine(BilinearEngine):
    info = CHAINED_INFO


def requests(spec, items, resume: threading.Event, pause_after: int):
    """The spec and the first `pause_after` items; the rest once `resume` is set."""
    yield pb.UpscaleRequest(spec=wire.spec_to_proto(spec))
    for n, item in enumerate(items):
        if n == pause_after:
            resume.wait(60)
        for part in wire.frame_to_parts(item.index, item.image, 2**20):
            yield pb.UpscaleRequest(source_frame=part)


def frames_of(responses) -> list[np.ndarray]:
    assembler, frames = wire.FrameAssembler("frame"), []
    for response in responses:
        if response.HasField("frame") and (done := assembler.add(response.frame)):
            frames.append(done[1])
    return frames


def test_a_quiet_client_mid_chain_leaves_the_only_worker_to_another_job():
    available = {**engines(), "chained": (CHAINED_INFO, lambda: ChainedEngine())}
    quiet_spec, quiet_items = random_job(count=40, engine="chained")  # windows of 8: one chain
    spec, items = random_job(count=24, seed=1)
    resume = threading.Event()
    with BackgroundServer(ServerConfig(port=0, workers=1), available) as server:
        with grpc.insecure_channel(server.address) as channel, Client(server.address) as other:
            stub = upscale_pb2_grpc.UpscaleServiceStub(channel)
            # Enough for the chain's first windows, then nothing until the other job is done.
            quiet = stub.Upscale(requests(quiet_spec, quiet_items, resume, pause_after=14))
            quiet_id = next(quiet).accepted.job_id
            try:
                frames = [frame.image for frame in other.upscale(spec, items)]
                status = other.job(quiet_id)
            finally:
                resume.set()
            quiet_frames = frames_of(quiet)
    assert status.state is JobState.RUNNING and status.frames_done < 40  # it waited, unharmed
    for got, want in [(frames, run_job(spec, BilinearEngine(), items))]:
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b.image)
    want = run_job(quiet_spec, ChainedEngine(), quiet_items)
    for a, b in zip(quiet_frames, want, strict=True):
        np.testing.assert_array_equal(a, b.image)
