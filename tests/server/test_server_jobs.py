"""Jobs over a real gRPC server on loopback: same frames as in process, large frames, reattach."""

import threading
import time
import tracemalloc

import numpy as np
import pytest
from helpers import BilinearEngine, SilencingProxy, TcpProxy, TrailerDroppingProxy, random_job

from sparkvsr.client import Client
from sparkvsr.engines import load_engine
from sparkvsr.errors import InvalidInputError, JobCancelledError, ServerUnavailableError
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, JobState, SourceFrame
from sparkvsr_server.jobs import ManagerRunner


def in_process(spec, items, engine):
    return [frame.image for frame in run_job(spec, engine, items)]


def assert_same_frames(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_grpc_gives_the_same_frames_as_in_process(start_server):
    spec, items = random_job(count=12, keyframes=(0, 8), engine="flow")
    server = start_server()
    with Client(server.address) as client:
        remote = [frame.image for frame in client.upscale(spec, items)]
    assert_same_frames(remote, in_process(spec, items, load_engine("flow")))


def test_frames_larger_than_the_message_limit_travel_in_parts(start_server):
    spec, items = random_job(count=6, size=(160, 120), depth=16, keyframes=(0,))
    assert spec.output_layout.nbytes > 20 * 64 * 1024
    server = start_server(max_message_bytes=64 * 1024)
    with Client(server.address) as client:
        assert client.server_info().max_message_bytes == 64 * 1024
        remote = [frame.image for frame in client.upscale(spec, items)]
    assert_same_frames(remote, in_process(spec, items, BilinearEngine()))


def test_a_client_that_drops_reattaches_and_fetches_the_rest(start_server):
    spec, items = random_job(count=64)
    server = start_server(delay_s=0.05)
    first = Client(server.address)
    run = first.upscale(spec, items)
    frames = iter(run)
    received = [next(frames).image for _ in range(10)]
    while not run.server_has_input:
        received.append(next(frames).image)
    first.close()  # the connection is gone mid-job
    done = len(received)
    with Client(server.address) as second:
        assert second.job(run.job_id).frames_done < 64  # still running
        received += [f.image for f in second.fetch_frames(run.job_id, start=done)]
    assert_same_frames(received, in_process(spec, items, BilinearEngine()))


def test_a_severed_connection_is_reattached_automatically(start_server):
    spec, items = random_job(count=48)
    server = start_server(delay_s=0.05)
    proxy = TcpProxy(server.port)
    try:
        with Client(f"127.0.0.1:{proxy.port}") as client:
            run = client.upscale(spec, items)
            received, severed = [], False
            for frame in run:
                received.append(frame.image)
                if run.server_has_input and not severed:
                    severed = True
                    proxy.sever()
    finally:
        proxy.close()
    assert severed and len(received) == 48
    assert_same_frames(received, in_process(spec, items, BilinearEngine()))


def test_all_frames_received_is_success_even_if_the_final_status_is_lost(start_server):
    spec, items = random_job(count=24)
    server = start_server()
    proxy = TrailerDroppingProxy(server.port)
    try:
        with Client(f"127.0.0.1:{proxy.port}") as client:
            client.server_info()  # its call's status passes; the job's is the one dropped
            proxy.armed.set()
            received = [frame.image for frame in client.upscale(spec, items)]
    finally:
        proxy.close()
    assert proxy.dropped.is_set()
    assert_same_frames(received, in_process(spec, items, BilinearEngine()))


def test_a_call_cut_before_the_client_heard_its_input_arrived_still_reattaches(start_server):
    spec, items = random_job(count=16)  # all input fits in HTTP/2's first flow-control window
    server = start_server(delay_s=0.05)
    proxy = SilencingProxy(server.port)
    try:
        with Client(f"127.0.0.1:{proxy.port}") as client, Client(server.address) as direct:
            client.server_info()
            proxy.armed.set()  # the job's acceptance passes, then nothing the server says
            run, received = client.upscale(spec, items), []
            reader = threading.Thread(target=lambda: received.extend(f.image for f in run))
            reader.start()
            deadline = time.monotonic() + 30
            while not (run.job_id and direct.job(run.job_id).input_complete):
                assert time.monotonic() < deadline, "the server never got the whole input"
                time.sleep(0.01)
            assert not run.server_has_input  # no progress reached the client
            proxy.sever()
            reader.join(60)
    finally:
        proxy.close()
    assert proxy.dropped.is_set()
    assert_same_frames(received, in_process(spec, items, BilinearEngine()))


def test_one_frame_at_a_time_from_a_finished_job(start_server):
    spec, items = random_job(count=16)
    server = start_server()
    with Client(server.address) as client:
        run = client.upscale(spec, items)
        everything = [frame.image for frame in run]
        single = list(client.fetch_frames(run.job_id, 9, 10))
    assert [f.index for f in single] == [9]
    np.testing.assert_array_equal(single[0].image, everything[9])


def test_cancel_stops_the_job_and_tells_the_client(start_server):
    spec, items = random_job(count=200)
    server = start_server(delay_s=0.05)
    with Client(server.address) as client, Client(server.address) as other:
        run = client.upscale(spec, items)
        frames = iter(run)
        next(frames)
        other.cancel(run.job_id)
        with pytest.raises(JobCancelledError):
            for _ in frames:
                pass
        assert other.job(run.job_id).state is JobState.CANCELLED


def streamed_peak_bytes(server, count: int) -> int:
    """Peak Python memory (client and server share this process) while streaming a clip."""
    layout = FrameLayout(160, 90)
    spec = JobSpec(count, layout, scale=4, engine="flow")
    frame = np.random.default_rng(0).integers(0, 256, layout.shape, dtype=np.uint8)

    def source():  # generated on the fly, as a decoder would
        for i in range(count):
            yield SourceFrame(i, np.roll(frame, i, axis=1))

    tracemalloc.start()
    try:
        with Client(server.address) as client:
            assert sum(1 for _ in client.upscale(spec, source())) == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_400_frames_holds_a_bounded_number_in_memory(start_server):
    server = start_server()
    short = streamed_peak_bytes(server, 100)
    long = streamed_peak_bytes(server, 400)
    all_output = 400 * 640 * 360 * 3
    # Four times the frames, about the same peak: memory does not grow with the clip.
    assert long < 1.25 * short, f"100 frames: {short / 2**20:.1f} MiB, 400: {long / 2**20:.1f} MiB"
    # The fixed part (queues, a chunk in flight) is about 70 output frames: far from all 400.
    assert long < all_output / 3, f"400 frames: {long / 2**20:.1f} MiB"


def test_graceful_stop_lets_a_running_job_finish_then_refuses_work(start_server):
    spec, items = random_job(count=32)
    server = start_server(delay_s=0.05)
    with Client(server.address) as client:
        frames = iter(client.upscale(spec, items))
        received = [next(frames)]
        stopper = threading.Thread(target=server.stop, kwargs={"grace_s": 30.0})
        stopper.start()
        received += list(frames)
        stopper.join()
        assert len(received) == 32
        with pytest.raises(ServerUnavailableError):
            list(client.upscale(*random_job(count=2)))


def test_shutdown_keeps_a_finished_jobs_frames_until_its_slow_reader_is_done(start_server):
    spec, items = random_job(count=16, size=(160, 120))  # more than the connection buffers
    server = start_server()
    with Client(server.address) as client:
        run = client.upscale(spec, items)
        frames = iter(run)
        received = [next(frames).image]
        while client.job(run.job_id).state is not JobState.SUCCEEDED:
            time.sleep(0.01)
        stopper = threading.Thread(target=server.stop, kwargs={"grace_s": 30.0})
        stopper.start()
        for frame in frames:  # a reader slower than the server's one-second final stop
            received.append(frame.image)
            time.sleep(0.15)
        stopper.join()
    assert_same_frames(received, in_process(spec, items, BilinearEngine()))


def test_a_failing_input_source_is_reported_as_itself(start_server):
    spec, items = random_job(count=8)

    def source():
        yield from items[:3]
        raise InvalidInputError("clip.mov: decoding stopped at frame 3 of 8")

    server = start_server()
    with Client(server.address) as client:
        with pytest.raises(InvalidInputError, match="decoding stopped at frame 3"):
            list(client.upscale(spec, source()))
        assert len(list(client.upscale(spec, items))) == 8  # and the server serves on


def test_a_run_abandoned_by_its_reader_is_cancelled_on_the_server(start_server):
    spec, items = random_job(count=200)
    server = start_server(delay_s=0.05)
    with Client(server.address) as client:
        run = client.upscale(spec, items)
        frames = iter(run)
        next(frames)
        frames.close()  # as upscale_file does when writing fails or the user cancels
        deadline = time.monotonic() + 10
        while client.job(run.job_id).state is not JobState.CANCELLED:
            assert time.monotonic() < deadline, client.job(run.job_id)
            time.sleep(0.05)


def test_a_runner_cancelled_before_its_engine_job_starts_none(start_server):
    """A media job cancelled while it restores its keyframes has no engine job to cancel yet:
    the one it asks for next is refused, instead of running a window for nobody."""
    server = start_server()
    manager = server.server.manager
    runner = ManagerRunner(manager, server._loop, owner="media job x")
    server._loop.call_soon_threadsafe(runner.cancel, "cancelled by a client")  # runs first
    spec, items = random_job(count=8)
    with pytest.raises(JobCancelledError, match="cancelled by a client"):
        runner.run(spec, items)
    assert manager.jobs_of("media job x") == [] and runner.current is None
