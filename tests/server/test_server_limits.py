"""Bad and greedy clients: each bound is a ServerConfig limit named in its error; a stalled
client frees its worker; clients share the workers fairly; a broken engine says so."""

import socket
import threading
import time
import tracemalloc

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from helpers import BILINEAR_INFO, random_job

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.api.v1 import upscale_pb2_grpc
from sparkvsr.client import Client
from sparkvsr.errors import EngineUnavailableError
from sparkvsr.specs import FrameLayout, JobState
from sparkvsr_server import BackgroundServer, ServerConfig


def spec_request(**fields):
    base = {
        "engine": "bilinear",
        "scale": 4,
        "frame_count": 16,
        "source_layout": wire.layout_to_proto(FrameLayout(32, 24)),
    }
    return pb.UpscaleRequest(spec=pb.JobSpec(**{**base, **fields}))


def call(address, requests):
    """Status code and details the Upscale call ends with."""
    with grpc.insecure_channel(address) as channel:
        stub = upscale_pb2_grpc.UpscaleServiceStub(channel)
        try:
            for _ in stub.Upscale(iter(requests), timeout=30):
                pass
        except grpc.RpcError as error:
            return error.code(), error.details()
    return grpc.StatusCode.OK, ""


@pytest.mark.parametrize(
    "request_, code, limit",
    [
        (spec_request(frame_count=10**12), "INVALID_ARGUMENT", "max_frames_per_job"),
        (
            spec_request(source_layout=wire.layout_to_proto(FrameLayout(100000, 100000))),
            "INVALID_ARGUMENT",
            "max_frame_pixels",
        ),
        (spec_request(chunk_length=100000), "INVALID_ARGUMENT", "max_chunk_length"),
        (
            spec_request(source_layout=wire.layout_to_proto(FrameLayout(1920, 1080))),
            "RESOURCE_EXHAUSTED",
            "max_job_buffer_bytes",
        ),
    ],
)
def test_an_oversized_spec_is_refused_naming_the_limit(start_server, request_, code, limit):
    server = start_server(max_job_buffer_bytes=2**30)
    status, details = call(server.address, [request_])
    assert status == getattr(grpc.StatusCode, code) and limit in details


def test_a_huge_frame_count_costs_no_memory_before_frames_arrive(start_server):
    server = start_server(max_spool_bytes=2**50)  # a disk that would hold it
    release = threading.Event()

    def requests():  # the most frames a job may have, and not one of them sent
        yield spec_request(frame_count=1_000_000)
        release.wait(10)

    tracemalloc.start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = upscale_pb2_grpc.UpscaleServiceStub(channel)
            responses = stub.Upscale(requests())
            job_id = next(responses).accepted.job_id
            get = stub.GetJob
            while get(pb.GetJobRequest(job_id=job_id)).progress.state != pb.JOB_STATE_RUNNING:
                time.sleep(0.01)
            time.sleep(0.3)  # the worker has planned the job and waits for frame 0
            peak = tracemalloc.get_traced_memory()[1]
            release.set()
            responses.cancel()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MiB"


def test_frame_parts_beyond_the_servers_buffer_are_refused(start_server):
    server = start_server(max_message_bytes=64 * 1024, max_buffer_bytes=100_000)
    spec, items = random_job(count=2, size=(320, 240))  # 230 kB per frame, in 64 kB parts
    requests = [pb.UpscaleRequest(spec=wire.spec_to_proto(spec))]
    requests += [
        pb.UpscaleRequest(source_frame=part)
        for part in wire.frame_to_parts(0, items[0].image, 64 * 1024)
    ]
    status, details = call(server.address, requests)
    assert status == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_buffer_bytes" in details
    with Client(server.address) as client:  # what was held is given back
        spec, items = random_job(count=3)
        assert len(list(client.upscale(spec, items))) == 3


def test_a_frame_announced_larger_than_the_spec_is_refused_at_its_first_part(start_server):
    server = start_server()
    spec, _ = random_job(count=2)
    huge = pb.FramePart(
        frame_index=0,
        layout=wire.layout_to_proto(FrameLayout(100000, 100000)),
        total_bytes=100000 * 100000 * 3,
        offset=0,
        data=b"\0" * 1000,
    )
    requests = [pb.UpscaleRequest(spec=wire.spec_to_proto(spec))]
    requests += [pb.UpscaleRequest(source_frame=huge)]
    status, details = call(server.address, requests)
    assert status == grpc.StatusCode.INVALID_ARGUMENT
    assert "source frame 0 is 100000x100000x3 uint8; expected 32x24x3 uint8" in details


def test_a_client_that_goes_quiet_fails_after_the_idle_limit(start_server):
    server = start_server(stream_idle_s=0.5)
    spec, items = random_job(count=16)
    release = threading.Event()

    def quiet():  # its spec and first frame, then nothing
        yield pb.UpscaleRequest(spec=wire.spec_to_proto(spec))
        yield from (
            pb.UpscaleRequest(source_frame=p) for p in wire.frame_to_parts(0, items[0].image, 2**20)
        )
        release.wait(30)

    with grpc.insecure_channel(server.address) as channel, Client(server.address) as client:
        stalled = upscale_pb2_grpc.UpscaleServiceStub(channel).Upscale(quiet())
        stalled_id = next(stalled).accepted.job_id
        try:
            while not (status := client.job(stalled_id)).state.finished:
                time.sleep(0.05)
            assert status.state is JobState.FAILED and "stream_idle_s" in status.message
        finally:
            release.set()


def test_one_client_with_many_jobs_does_not_starve_another(start_server):
    server = start_server(delay_s=0.05)
    spec, items = random_job(count=16)  # 3 chunks: 0.15 s a job
    job_ids: dict[str, str] = {}

    def run(client, name):
        run = client.upscale(spec, items)
        assert len(list(run)) == 16
        job_ids[name] = run.job_id

    jobs = server.server.manager._jobs
    with Client(server.address) as greedy, Client(server.address) as modest:
        threads = [threading.Thread(target=run, args=(greedy, f"greedy{i}")) for i in range(4)]
        for thread in threads:
            thread.start()
        while len(jobs) < 4:
            time.sleep(0.01)
        late = threading.Thread(target=run, args=(modest, "modest"))
        late.start()
        for thread in [*threads, late]:
            thread.join(30)
    order = sorted(job_ids, key=lambda name: jobs[job_ids[name]].finished_at)
    # Round-robin: the modest client's one job runs right after the greedy job running when it
    # came (or one more, if the greedy client's turn came first), not after all four.
    assert order.index("modest") <= 2, order


def test_an_engine_that_fails_to_load_is_not_serving_and_fails_queued_jobs():
    release = threading.Event()

    def broken_engine():
        release.wait(30)
        raise RuntimeError("CUDA driver version is insufficient")

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    config = ServerConfig(port=port, default_engine="bilinear")
    started = []
    starter = threading.Thread(
        target=lambda: started.append(
            BackgroundServer(config, {"bilinear": (BILINEAR_INFO, broken_engine)})
        )
    )
    starter.start()
    spec, items = random_job(count=8)
    try:
        with (
            Client(f"127.0.0.1:{port}") as client,
            grpc.insecure_channel(f"127.0.0.1:{port}") as ch,
        ):
            check = health_pb2_grpc.HealthStub(ch).Check
            request = health_pb2.HealthCheckRequest()
            check(request, wait_for_ready=True, timeout=10)
            queued = iter(client.upscale(spec, items))  # waits while the engine loads
            result = {}

            def consume():
                try:
                    list(queued)
                except EngineUnavailableError as error:
                    result["error"] = str(error)

            waiting = threading.Thread(target=consume)
            waiting.start()
            time.sleep(0.5)  # the job is accepted and waits in the queue
            release.set()
            starter.join()
            waiting.join(20)
            assert "CUDA driver version is insufficient" in result["error"]
            assert check(request, timeout=10).status == health_pb2.HealthCheckResponse.NOT_SERVING
            with Client(f"127.0.0.1:{port}") as fresh:  # the first one cached its answer
                info = {s.info.name: s for s in fresh.server_info().engines}
            assert "failed to load: CUDA driver" in info["bilinear"].unavailable_reason
            with pytest.raises(EngineUnavailableError, match="CUDA driver"):
                list(client.upscale(spec, items))
    finally:
        release.set()
        starter.join()
        for server in started:
            server.stop()
