"""The JSON gateway: the v1 messages over HTTP and WebSocket, on the same jobs as gRPC."""

import asyncio
import json

import aiohttp
import numpy as np
from helpers import make_clip

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


async def watch_over_websocket(url, requests, query=""):
    """Sends GatewayRequests on one socket; returns every reply until each call's final one."""
    replies = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url.replace('http', 'ws')}/v1/ws{query}") as socket:
            for request in requests:
                await socket.send_str(json.dumps(request))
            open_calls = {str(request["requestId"]) for request in requests}
            while open_calls:
                reply = json.loads((await socket.receive(timeout=60)).data)
                replies.append(reply)
                if reply.get("final"):
                    open_calls.discard(reply["requestId"])
    return replies


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

    status, error = asyncio.run(post(gateway_url, "StartMediaJob", {"spec": {"sourcePath": 1}}))
    assert status == 400 and "StartMediaJobRequest" in error["message"]
    # A field this server does not know is ignored (a newer panel); what is missing is said.
    status, error = asyncio.run(post(gateway_url, "StartMediaJob", {"spec": {"sourcePat": "x"}}))
    assert status == 400 and error["message"] == "the media job names no source_path"


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
    request = {
        "settings": {"engine": "bilinear", "scale": 2},
        "layout": {
            "width": 16,
            "height": 16,
            "channels": 3,
            "bitDepth": 8,
            "rowOrder": "ROW_ORDER_TOP_DOWN",
        },
        "frameCount": 3,
        "inputPath": str(tmp_path / "w.raw"),
    }

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

    open_server = start_server(gateway_port=0)
    page = {"Origin": "https://example.com"}
    status, error = asyncio.run(post(open_server.gateway_url, "GetServerInfo", {}, page))
    assert (status, error["code"]) == (403, "PERMISSION_DENIED") and "example.com" in error[
        "message"
    ]
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
