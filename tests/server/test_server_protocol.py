"""The server's contract: status codes, auth, TLS, health, reflection, queue limits."""

import socket
import threading
import time

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from helpers import BILINEAR_INFO, BilinearEngine, make_certificates, random_job

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.api.v1 import upscale_pb2_grpc
from sparkvsr.client import Client
from sparkvsr.engines import engine_entry
from sparkvsr.errors import InvalidInputError, ServerUnavailableError, UnauthenticatedError
from sparkvsr.specs import FrameLayout, JobSpec
from sparkvsr_server import BackgroundServer, ServerConfig

LAYOUT = wire.layout_to_proto(FrameLayout(32, 24))
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def raw_upscale(address, requests, metadata=()):
    """Sends raw requests; returns the status code and details the call ends with."""
    with grpc.insecure_channel(address) as channel:
        stub = upscale_pb2_grpc.UpscaleServiceStub(channel)
        try:
            for _ in stub.Upscale(iter(requests), metadata=metadata):
                pass
        except grpc.RpcError as error:
            return error.code(), error.details()
    return grpc.StatusCode.OK, ""


def spec_message(**fields):
    base = {"engine": "bilinear", "scale": 4, "frame_count": 16, "source_layout": LAYOUT}
    return pb.UpscaleRequest(spec=pb.JobSpec(**{**base, **fields}))


@pytest.mark.parametrize(
    "requests, message",
    [
        ([pb.UpscaleRequest()], "first message of Upscale must be the job spec"),
        (
            [spec_message(engine="nope")],
            "unknown engine 'nope'; this server runs: bilinear, flow, keyed",
        ),
        ([spec_message(keyframe_indices=[2, 4])], "keyframes 2 and 4 are 2 frames apart"),
        ([spec_message(keyframe_indices=[16])], "keyframe 16 is out of range"),
        ([spec_message(scale=3)], "supports scale 2, 4, not 3"),
        ([spec_message(frame_count=0)], "the job has no frames"),
    ],
)
def test_bad_specs_are_invalid_argument_with_a_clear_message(start_server, requests, message):
    server = start_server()
    code, details = raw_upscale(server.address, requests)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message in details


def test_bad_media_fails_the_job_and_the_server_keeps_serving(start_server):
    server = start_server()
    spec, items = random_job(count=8, keyframes=(0,))
    wrong = np.zeros((10, 10, 3), np.uint8)
    requests = [pb.UpscaleRequest(spec=wire.spec_to_proto(spec))]
    requests += [pb.UpscaleRequest(keyframe_image=p) for p in wire.frame_to_parts(0, wrong, 2**20)]
    code, details = raw_upscale(server.address, requests)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "keyframe image 0 is 10x10x3 uint8; expected 128x96x3" in details

    short = [pb.UpscaleRequest(spec=wire.spec_to_proto(spec))]
    short += [
        pb.UpscaleRequest(source_frame=p) for p in wire.frame_to_parts(0, items[1].image, 2**20)
    ]
    code, details = raw_upscale(server.address, short)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "ended after 1 of 8 frames" in details

    with Client(server.address) as client:  # and the next job still runs
        assert len(list(client.upscale(spec, items))) == 8


def test_client_errors_come_back_as_library_exceptions(start_server):
    server = start_server()
    spec = JobSpec(16, FrameLayout(32, 24), engine="bilinear", keyframe_indices=(2, 4))
    with Client(server.address) as client:
        with pytest.raises(InvalidInputError, match="2 frames apart"):
            list(client.upscale(spec, []))


def test_a_full_queue_is_resource_exhausted(start_server):
    server = start_server(max_queued_jobs=1, delay_s=0.5)
    release = threading.Event()
    spec, items = random_job(count=64)  # 8 windows of 0.5 s: the one worker stays busy

    def held_open(items=()):
        yield pb.UpscaleRequest(spec=wire.spec_to_proto(spec))
        for item in items:
            parts = wire.frame_to_parts(item.index, item.image, 2**20)
            yield from (pb.UpscaleRequest(source_frame=part) for part in parts)
        release.wait(30)

    channel = grpc.insecure_channel(server.address)
    stub = upscale_pb2_grpc.UpscaleServiceStub(channel)
    try:
        running = stub.Upscale(held_open(items))
        job_id = next(running).accepted.job_id
        while not stub.GetJob(pb.GetJobRequest(job_id=job_id)).progress.frames_done:
            time.sleep(0.01)  # its windows keep the worker busy from now on
        queued = stub.Upscale(held_open())
        assert next(queued).HasField("accepted")
        with pytest.raises(grpc.RpcError) as refused:
            next(stub.Upscale(held_open()))
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "jobs are already waiting" in refused.value.details()
    finally:
        release.set()
        channel.close()


def test_a_token_is_required_except_for_health(start_server):
    server = start_server(token="s3cret")
    with Client(server.address) as anonymous:
        with pytest.raises(UnauthenticatedError, match="missing or wrong token"):
            anonymous.server_info()
        spec, items = random_job(count=2)
        with pytest.raises(UnauthenticatedError):
            list(anonymous.upscale(spec, items))
    with Client(server.address, token="wrong") as wrong:
        with pytest.raises(UnauthenticatedError):
            wrong.server_info()
    with Client(server.address, token="s3cret") as client:
        assert client.server_info().default_engine == "flow"
    with grpc.insecure_channel(server.address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert reply.status == SERVING


def test_mutual_tls_admits_only_clients_with_a_certificate(start_server, tmp_path):
    certs = make_certificates(tmp_path)
    server = start_server(
        tls_cert=certs["server.pem"], tls_key=certs["server.key"], tls_client_ca=certs["ca.pem"]
    )
    with Client(
        server.address,
        tls_ca=certs["ca.pem"],
        tls_cert=certs["client.pem"],
        tls_key=certs["client.key"],
    ) as client:
        spec, items = random_job(count=3)
        assert len(list(client.upscale(spec, items))) == 3
    with Client(server.address, tls_ca=certs["ca.pem"]) as no_certificate:
        with pytest.raises(ServerUnavailableError):
            no_certificate.server_info(timeout_s=5)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_listening_beyond_loopback_needs_a_token_or_client_certificates(host):
    with pytest.raises(InvalidInputError, match=f"refusing to listen on {host}"):
        ServerConfig(host=host)
    assert ServerConfig(host=host, token="t").token == "t"


def test_health_is_not_serving_until_the_engine_is_loaded():
    loaded = threading.Event()

    def slow_engine():
        loaded.wait(30)
        return BilinearEngine()

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    config = ServerConfig(port=port, default_engine="bilinear")
    started = []
    starter = threading.Thread(
        target=lambda: started.append(
            BackgroundServer(config, {"bilinear": (BILINEAR_INFO, slow_engine)})
        )
    )
    starter.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            check = health_pb2_grpc.HealthStub(channel).Check
            request = health_pb2.HealthCheckRequest()
            assert check(request, wait_for_ready=True, timeout=10).status == NOT_SERVING
            loaded.set()
            starter.join()
            assert check(request, timeout=10).status == SERVING
    finally:
        loaded.set()
        starter.join()
        for server in started:
            server.stop()


def test_reflection_lists_the_services(start_server):
    server = start_server()
    with grpc.insecure_channel(server.address) as channel:
        services = set(ProtoReflectionDescriptorDatabase(channel).get_services())
    assert {"sparkvsr.api.v1.UpscaleService", "grpc.health.v1.Health"} <= services


def test_server_info_lists_engines_devices_and_limits(start_server, monkeypatch):
    monkeypatch.delenv("SPARKVSR_WEIGHTS", raising=False)
    server = start_server(max_message_bytes=1 << 20)
    with Client(server.address) as client:
        info = client.server_info()
    engines_by_name = {status.info.name: status for status in info.engines}
    assert engines_by_name["flow"].unavailable_reason is None
    assert engines_by_name["bilinear"].unavailable_reason is None  # injected, not registered
    # Without weights (and, in a base install, without torch) it says why, as the registry does.
    reason = engine_entry("sparkvsr").unavailable_reason()
    assert reason and engines_by_name["sparkvsr"].unavailable_reason == reason
    assert engines_by_name["sparkvsr"].info.min_keyframe_gap == 4
    assert info.devices[0].name == "cpu"
    assert info.max_message_bytes == 1 << 20
    assert "grpcio" in info.versions
