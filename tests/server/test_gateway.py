"""The JSON gateway: the v1 messages over HTTP and WebSocket, on the same jobs as gRPC."""

import asyncio
import json

import aiohttp
import numpy as np
import pytest
from helpers import engines, make_clip

from sparkvsr.media import read_frames
from sparkvsr.pipeline import run_job
from sparkvsr.runners import LocalRunner
from sparkvsr.settings import JobSettings
from sparkvsr.specs import FrameLayout, FrameRange, JobSpec, SourceFrame
from sparkvsr.upscale_file import FileJob, upscale_file


async def post(url, method, body, headers=None):
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/v1/{method}", json=body, headers=headers or {}) as reply:
            return reply.status, await reply.json()


async def watch_over_websocket(url, requests, query="", headers=None):
    """Sends GatewayRequests on one socket; returns every reply until each call's final one."""
    replies = []
    async with aiohttp.ClientSession() as session:
        address = f"{url.replace('http', 'ws')}/v1/ws{query}"
        async with session.ws_connect(address, headers=headers or {}) as socket:
            for request in requests:
                await socket.send_str(json.dumps(request))
            open_calls = {str(request["requestId"]) for request in requests}
            while open_calls:
                reply = json.loads((await socket.receive(timeout=60)).data)
                replies.append(reply)
                if reply.get("final"):
                    open_calls.discard(reply["requestId"])
    return replies


def small_window_request(path) -> dict:
    """RunWindow of the 3 frames of 16x16 8-bit RGB in `path`, x2 by the bilinear engine."""
    layout = {"width": 16, "height": 16, "channels": 3, "bitDepth": 8}
    return {
        "settings": {"engine": "bilinear", "scale": 2},
        "layout": {**layout, "rowOrder": "ROW_ORDER_TOP_DOWN"},
        "frameCount": 3,
        "inputPath": str(path),
    }


def test_a_media_job_writes_what_upscale_writes_in_process(tmp_path, gateway_url):
    clip = make_clip(tmp_path, frame_count=12, keyframes=(2, 9))
    spec = {
        "sourcePath": str(clip.path),
        "firstFrame": 2,
        "frameCount": 9,
        "keyframes": [{"frame": 2, "stillPath": str(clip.stills[2])}],
        "settings": {"engine": "flow", "audio": False},
        "outputDir": str(tmp_path / "served"),
    }
    status, started = asyncio.run(post(gateway_url, "StartMediaJob", {"spec": spec}))
    assert status == 200, started
    assert started["outputPath"].endswith("served/clip_sparkvsr_x4_2-10.mov")

    replies = asyncio.run(
        watch_over_websocket(
            gateway_url, [{"requestId": 7, "watchJob": {"jobId": started["jobId"]}}]
        )
    )
    final = replies[-1]["progress"]
    assert final["state"] == "JOB_STATE_SUCCEEDED", final
    assert (final["outputPath"], final["sidecarPath"]) == (
        started["outputPath"],
        started["sidecarPath"],
    )
    assert json.load(open(final["sidecarPath"]))["keyframes"][0]["frame"] == 2

    local = FileJob(
        str(clip.path),
        str(tmp_path / "local.mov"),
        JobSettings(engine="flow", audio=False),
        keyframe_stills=((2, str(clip.stills[2])),),
        frames=FrameRange(2, 11),
    )
    upscale_file(local, LocalRunner())
    served = list(read_frames(final["outputPath"]))
    expected = list(read_frames(str(tmp_path / "local.mov")))
    assert len(served) == 9
    for a, b in zip(served, expected):
        np.testing.assert_array_equal(a, b)


def test_bad_media_jobs_are_refused_with_a_message_naming_the_problem(tmp_path, gateway_url):
    clip = make_clip(tmp_path, frame_count=6, keyframes=())
    missing = {"spec": {"sourcePath": str(tmp_path / "nope.mov"), "outputDir": str(tmp_path)}}
    status, error = asyncio.run(post(gateway_url, "StartMediaJob", missing))
    assert (status, error["code"]) == (404, "NOT_FOUND")
    assert "nope.mov" in error["message"]

    far = {
        "spec": {
            "sourcePath": str(clip.path),
            "keyframes": [{"frame": 40}],
            "settings": {"keyframeProvider": "local"},
            "outputDir": str(tmp_path),
        }
    }
    status, error = asyncio.run(post(gateway_url, "StartMediaJob", far))
    assert (status, error["code"]) == (400, "INVALID_ARGUMENT")
    assert "keyframe 40 is out of range" in error["message"]

    wrong_type = {"spec": {"sourcePath": str(clip.path), "firstFrame": "two"}}
    status, error = asyncio.run(post(gateway_url, "StartMediaJob", wrong_type))
    assert status == 400 and "StartMediaJobRequest" in error["message"]


def test_a_window_equals_run_job_and_is_computed_once(tmp_path, gateway_url, gateway_server):
    frames = np.random.default_rng(1).integers(0, 65536, (4, 24, 32, 4), dtype=np.uint16)
    window = tmp_path / "window.raw"
    frames[:, ::-1].tofile(window)  # bottom-up rows, as an OpenFX host holds them
    request = {
        "settings": {"engine": "bilinear", "scale": 2},
        "layout": {
            "width": 32,
            "height": 24,
            "channels": 4,
            "bitDepth": 16,
            "rowOrder": "ROW_ORDER_BOTTOM_UP",
        },
        "frameCount": 4,
        "inputPath": str(window),
    }
    status, first = asyncio.run(post(gateway_url, "RunWindow", request))
    assert status == 200, first
    assert first.get("cached") is None and first["jobId"]
    status, second = asyncio.run(post(gateway_url, "RunWindow", request))
    assert second["cached"] is True and "jobId" not in second
    assert second["outputPath"] == first["outputPath"]

    output = np.fromfile(first["outputPath"], dtype="<u2").reshape(4, 48, 64, 4)[:, ::-1]
    from helpers import engines

    spec = JobSpec(4, FrameLayout(32, 24, 4, 16), scale=2, engine="bilinear")
    engine = engines()["bilinear"][1]()
    expected = [
        f.image for f in run_job(spec, engine, [SourceFrame(i, f) for i, f in enumerate(frames)])
    ]
    np.testing.assert_array_equal(output, np.stack(expected))


def test_the_same_window_asked_twice_at_once_runs_one_job(tmp_path, start_server):
    server = start_server(delay_s=0.3, gateway_port=0)
    frames = np.random.default_rng(2).integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    frames.tofile(tmp_path / "w.raw")
    request = small_window_request(tmp_path / "w.raw")

    async def both():
        return await asyncio.gather(
            post(server.gateway_url, "RunWindow", request),
            post(server.gateway_url, "RunWindow", request),
        )

    replies = [reply for status, reply in asyncio.run(both())]
    assert sorted(bool(reply.get("jobId")) for reply in replies) == [False, True]


def test_the_token_and_foreign_web_pages_are_checked(tmp_path, start_server):
    server = start_server(gateway_port=0, token="s3cret")
    url = server.gateway_url
    status, error = asyncio.run(post(url, "GetServerInfo", {}))
    assert (status, error["code"]) == (401, "UNAUTHENTICATED")
    status, info = asyncio.run(post(url, "GetServerInfo", {}, {"Authorization": "Bearer s3cret"}))
    assert status == 200 and info["defaultEngine"] == "flow"
    replies = asyncio.run(
        watch_over_websocket(url, [{"requestId": 1, "getServerInfo": {}}], "?token=s3cret")
    )
    assert replies[0]["serverInfo"]["defaultEngine"] == "flow"

    replies = asyncio.run(
        watch_over_websocket(
            url, [{"requestId": 1, "getServerInfo": {}}], headers={"Authorization": "Bearer s3cret"}
        )
    )
    assert replies[0]["serverInfo"]["defaultEngine"] == "flow"
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        asyncio.run(watch_over_websocket(url, [], headers={"Authorization": "Bearer wrong"}))
    assert refused.value.status == 401

    open_server = start_server(gateway_port=0)
    page = {"Origin": "https://example.com"}
    status, error = asyncio.run(post(open_server.gateway_url, "GetServerInfo", {}, page))
    assert (status, error["code"]) == (403, "PERMISSION_DENIED")
    assert "example.com" in error["message"]
    status, _ = asyncio.run(
        post(url, "GetServerInfo", {}, {**page, "Authorization": "Bearer s3cret"})
    )
    assert status == 200  # with a token, the token is the proof whatever the page
    local_page = {"Origin": "http://127.0.0.1:8000"}
    status, _ = asyncio.run(post(open_server.gateway_url, "GetServerInfo", {}, local_page))
    assert status == 200


def test_websocket_calls_share_one_socket_and_errors_name_the_call(gateway_url):
    replies = asyncio.run(
        watch_over_websocket(
            gateway_url,
            [
                {"requestId": 1, "getJob": {"jobId": "missing"}},
                {"requestId": 2, "getServerInfo": {}},
            ],
        )
    )
    by_id = {reply["requestId"]: reply for reply in replies}
    assert by_id["1"]["error"]["code"] == "NOT_FOUND" and by_id["1"]["final"]
    assert by_id["2"]["serverInfo"]["defaultEngine"] == "flow"


def test_every_error_reply_carries_the_request_id_and_unknown_fields_are_ignored(gateway_url):
    """A newer panel may send fields and calls this server does not know: it gets its answer,
    or an error under its own request id, never silence."""
    replies = asyncio.run(
        watch_over_websocket(
            gateway_url,
            [
                {"requestId": 5, "renderTheFuture": {}},
                {"requestId": 6, "getJob": {"jobId": 12}},
                {"requestId": 7, "getServerInfo": {"newOption": True}, "traceId": "abc"},
            ],
        )
    )
    by_id = {reply["requestId"]: reply for reply in replies}
    assert by_id["5"]["error"]["code"] == "INVALID_ARGUMENT" and by_id["5"]["final"]
    assert "watch_job" in by_id["5"]["error"]["message"]  # it says what it serves
    assert by_id["6"]["error"]["code"] == "INVALID_ARGUMENT"
    assert "GatewayRequest" in by_id["6"]["error"]["message"]
    assert by_id["7"]["serverInfo"]["defaultEngine"] == "flow"
    status, info = asyncio.run(post(gateway_url, "GetServerInfo", {"newOption": 1}))
    assert status == 200 and info["defaultEngine"] == "flow"


def test_binary_messages_and_http_refusals_are_answered_in_json(gateway_url):
    async def send_binary():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"{gateway_url.replace('http', 'ws')}/v1/ws") as socket:
                await socket.send_bytes(b"\x00\x01")
                return json.loads((await socket.receive(timeout=10)).data)

    reply = asyncio.run(send_binary())
    assert reply["error"]["code"] == "INVALID_ARGUMENT" and "JSON text" in reply["error"]["message"]

    async def refusals():
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{gateway_url}/v1/GetJob") as wrong_method:
                yield (
                    wrong_method.status,
                    wrong_method.headers.get("Allow"),
                    await wrong_method.json(),
                )
            huge = "x" * (2 << 20)
            async with session.post(f"{gateway_url}/v1/GetJob", data=huge) as too_large:
                yield too_large.status, None, await too_large.json()

    async def collect():
        return [reply async for reply in refusals()]

    (method_status, allow, method_error), (size_status, _, size_error) = asyncio.run(collect())
    assert (method_status, method_error["code"]) == (405, "UNIMPLEMENTED") and "POST" in allow
    assert (size_status, size_error["code"]) == (413, "INVALID_ARGUMENT")
    assert str(1 << 20) in size_error["message"]


def test_a_flooding_socket_is_held_to_its_share_and_every_call_is_answered(
    gateway_server, monkeypatch
):
    """One socket sends far more calls than it may have in flight: the gateway stops reading
    it at the limit (TCP push-back) instead of starting them all, and answers each in turn."""
    from sparkvsr_server.transports import _gateway

    in_flight = peak = 0

    async def slow_server_info(service, request):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.002)
        in_flight -= 1
        return service.server_info()

    calls = dict(_gateway._UNARY_BY_FIELD)
    calls["get_server_info"] = (slow_server_info, "server_info")
    monkeypatch.setattr(_gateway, "_UNARY_BY_FIELD", calls)
    flood = [{"requestId": n, "getServerInfo": {}} for n in range(1, 401)]
    replies = asyncio.run(watch_over_websocket(gateway_server.gateway_url, flood))
    assert sorted(int(reply["requestId"]) for reply in replies) == list(range(1, 401))
    assert all("serverInfo" in reply for reply in replies)
    assert peak == _gateway.MAX_UNARY_CALLS_PER_SOCKET


def test_a_server_restarted_at_once_gets_its_gateway_port_back(start_server):
    """A stopping server closes its clients' connections first, which then wait in TIME_WAIT on
    the gateway's port: a restart right away must still bind it (SO_REUSEADDR)."""
    from helpers import free_port

    port = free_port()
    first = start_server(gateway_port=port)

    async def stop_while_connected():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"ws://127.0.0.1:{port}/v1/ws") as socket:
                await socket.send_str(json.dumps({"requestId": 1, "getServerInfo": {}}))
                assert "serverInfo" in json.loads((await socket.receive(timeout=10)).data)
                await asyncio.get_running_loop().run_in_executor(None, first.stop)
                await socket.receive(timeout=10)  # the server's close

    asyncio.run(stop_while_connected())
    second = start_server(gateway_port=port)
    assert second.gateway_url.endswith(f":{port}")


def test_a_call_that_fails_unexpectedly_is_answered_under_its_id(gateway_server, monkeypatch):
    """A bug in a call (an exception outside the library's errors) still ends the call with a
    GatewayError, over WebSocket under the caller's request id and over HTTP as JSON: a client
    never waits forever for a reply that will not come."""
    from sparkvsr_server.transports import _gateway

    async def broken(service, request):
        raise RuntimeError("a bug")

    calls = dict(_gateway._UNARY_BY_FIELD)
    calls["get_server_info"] = (broken, "server_info")
    monkeypatch.setattr(_gateway, "_UNARY_BY_FIELD", calls)
    unary = dict(_gateway.UNARY_CALLS)
    unary["GetServerInfo"] = (unary["GetServerInfo"][0], broken, *unary["GetServerInfo"][2:])
    monkeypatch.setattr(_gateway, "UNARY_CALLS", unary)

    url = gateway_server.gateway_url
    (reply,) = asyncio.run(watch_over_websocket(url, [{"requestId": 9, "getServerInfo": {}}]))
    assert reply["requestId"] == "9" and reply["final"]
    assert reply["error"] == {"code": "INTERNAL", "message": "internal error in the server: a bug"}
    status, error = asyncio.run(post(url, "GetServerInfo", {}))
    assert (status, error["code"]) == (500, "INTERNAL") and "a bug" in error["message"]


def test_a_window_whose_caller_went_away_still_serves_the_next_caller(tmp_path, start_server):
    """A panel that closes its socket mid-RunWindow (scrubbed away) leaves the window running:
    asked again meanwhile, the window is not run a second time (two runs would write one file)
    and the next caller gets its output, not the first caller's cancellation."""
    server = start_server(delay_s=0.3, gateway_port=0)
    manager = server.server.manager
    frames = np.random.default_rng(3).integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    frames.tofile(tmp_path / "w.raw")
    request = small_window_request(tmp_path / "w.raw")
    socket_url = f"{server.gateway_url.replace('http', 'ws')}/v1/ws"

    async def until(condition):
        for _ in range(2000):  # a bound, so that a broken server fails the test, not hangs it
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the server never got there")

    async def leave_then_ask_again():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(socket_url) as socket:
                await socket.send_str(json.dumps({"requestId": 1, "runWindow": request}))
                await until(lambda: manager.jobs_of(""))  # the window's engine job started
            await until(lambda: not server.server.gateway._socket_calls)  # and the socket closed
            return await post(server.gateway_url, "RunWindow", request)

    status, reply = asyncio.run(leave_then_ask_again())
    assert status == 200, reply
    assert len(manager.jobs_of("")) == 1  # run once
    output = np.fromfile(reply["outputPath"], dtype=np.uint8).reshape(3, 32, 32, 3)
    spec = JobSpec(3, FrameLayout(16, 16, 3, 8), scale=2, engine="bilinear")
    expected = run_job(
        spec, engines()["bilinear"][1](), [SourceFrame(i, f) for i, f in enumerate(frames)]
    )
    np.testing.assert_array_equal(output, np.stack([frame.image for frame in expected]))
