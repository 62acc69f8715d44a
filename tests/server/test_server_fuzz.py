"""Random, malformed and mutated messages into a live server on loopback, for a bounded number of
calls: none crashes it or ends in an unhandled error, and a normal job afterwards is correct."""

import grpc
import numpy as np
import pytest
from google.protobuf.message import DecodeError
from grpc_health.v1 import health_pb2, health_pb2_grpc
from helpers import BilinearEngine, engines, random_job
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.client import Client
from sparkvsr.pipeline import run_job
from sparkvsr_server import BackgroundServer, ServerConfig

UPSCALE = "/sparkvsr.api.v1.UpscaleService/Upscale"
FETCH = "/sparkvsr.api.v1.UpscaleService/FetchFrames"
# Any of these is a clean refusal; UNKNOWN would be an exception the server did not handle.
CLEAN = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.CANCELLED,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.INTERNAL,  # a message that does not parse as protobuf
}
FUZZ = settings(
    max_examples=500,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def server():
    config = ServerConfig(
        port=0,
        default_engine="bilinear",
        stream_idle_s=0.5,
        max_queued_jobs=64,
        max_job_buffer_bytes=256 * 2**20,
    )
    server = BackgroundServer(config, engines())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.address) as channel:
        yield channel


def raw_call(channel, method, messages: list[bytes], streaming=True) -> grpc.StatusCode:
    identity = lambda data: data  # noqa: E731 - bytes in, bytes out: no parsing on our side
    if streaming:
        call = channel.stream_stream(method, identity, identity)(iter(messages), timeout=5)
    else:
        call = channel.unary_stream(method, identity, identity)(messages[0], timeout=5)
    try:
        for _ in call:
            pass
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


layouts = st.builds(
    pb.FrameLayout,
    width=st.integers(0, 2**20),
    height=st.integers(0, 2**20),
    channels=st.integers(0, 8),
    bit_depth=st.sampled_from([0, 1, 8, 16, 32]),
    row_order=st.integers(0, 3),
)
specs = st.builds(
    pb.JobSpec,
    engine=st.sampled_from(["", "bilinear", "flow", "nope"]),
    scale=st.integers(0, 9),
    frame_count=st.integers(0, 2**40),
    source_layout=layouts
    | st.builds(lambda: pb.FrameLayout(width=8, height=6, channels=3, bit_depth=8, row_order=1)),
    keyframe_indices=st.lists(st.integers(0, 2**33), max_size=6),
    chunk_length=st.integers(0, 2**20),
    chunk_overlap=st.integers(0, 2**20),
)
parts = st.builds(
    pb.FramePart,
    frame_index=st.integers(0, 2**40),
    layout=st.none() | layouts,
    total_bytes=st.integers(0, 2**40),
    offset=st.integers(0, 2**20),
    data=st.binary(max_size=4096),
)
items = st.one_of(
    st.builds(lambda s: pb.UpscaleRequest(spec=s), specs),
    st.builds(lambda p: pb.UpscaleRequest(source_frame=p), parts),
    st.builds(lambda p: pb.UpscaleRequest(keyframe_image=p), parts),
    st.just(pb.UpscaleRequest()),
)


@pytest.mark.slow
@FUZZ
@given(requests=st.lists(items, min_size=1, max_size=6))
def test_random_messages_are_refused_cleanly(channel, requests):
    status = raw_call(channel, UPSCALE, [r.SerializeToString() for r in requests])
    assert status in CLEAN


def valid_job_messages() -> list[bytes]:
    spec, inputs = random_job(count=3, size=(8, 6), keyframes=(0,))
    messages = [pb.UpscaleRequest(spec=wire.spec_to_proto(spec))]
    for item in inputs:
        field = "keyframe_image" if item in inputs[:1] else "source_frame"
        for part in wire.frame_to_parts(item.index, item.image, 2**20):
            messages.append(pb.UpscaleRequest(**{field: part}))
    return [m.SerializeToString() for m in messages]


VALID = valid_job_messages()


@st.composite
def mutated(draw):
    messages = list(VALID)
    for _ in range(draw(st.integers(1, 4))):
        which = draw(st.integers(0, len(messages) - 1))
        data = bytearray(messages[which])
        position = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "drop"]))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        else:
            messages.pop(which)
            continue
        messages[which] = bytes(data)
    return messages or [b""]


@pytest.mark.slow
@FUZZ
@given(messages=mutated())
def test_mutated_valid_jobs_are_refused_or_run_cleanly(channel, messages):
    assert raw_call(channel, UPSCALE, messages) in CLEAN


@pytest.mark.slow
@FUZZ
@given(data=st.binary(max_size=64))
def test_random_bytes_as_a_fetch_request_are_refused_cleanly(channel, data):
    status = raw_call(channel, FETCH, [data], streaming=False)
    if status == grpc.StatusCode.UNKNOWN:
        # gRPC itself parses a unary request before any handler runs, and answers UNKNOWN for
        # one that is not protobuf: allowed only for such bytes.
        with pytest.raises(DecodeError):
            pb.FetchFramesRequest.FromString(data)
    else:
        assert status in CLEAN


@pytest.mark.slow
def test_after_the_fuzz_the_server_is_healthy_and_a_job_is_correct(server, channel):
    check = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert check.status == health_pb2.HealthCheckResponse.SERVING
    spec, inputs = random_job(count=20, keyframes=(0, 10))
    with Client(server.address) as client:
        got = [frame.image for frame in client.upscale(spec, inputs)]
    want = [frame.image for frame in run_job(spec, BilinearEngine(), inputs)]
    assert len(got) == 20
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
