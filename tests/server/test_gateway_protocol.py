"""The gateway behaves as a user of a JSON API expects: the requestId echoed on every reply,
unknown fields ignored, push-back on a flood, the Authorization header on the WebSocket too,
binary frames answered, JSON bodies for every refusal, and a restart on the same port at once."""

import asyncio
import json

import aiohttp
from helpers import free_port, random_job
from test_gateway import post

from sparkvsr.client import Client
from sparkvsr_server import BackgroundServer, ServerConfig
from sparkvsr_server.transports._gateway import MAX_CALLS_PER_SOCKET, MAX_REQUEST_BYTES


def ws_url(url: str) -> str:
    return f"{url.replace('http', 'ws')}/v1/ws"


async def exchange(url: str, *messages, headers=None) -> list[dict]:
    """Sends each message (a dict as text, bytes as they are) and returns one reply to each."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(url), headers=headers or {}) as socket:
            for message in messages:
                if isinstance(message, bytes):
                    await socket.send_bytes(message)
                else:
                    await socket.send_str(json.dumps(message))
            return [json.loads((await socket.receive(timeout=30)).data) for _ in messages]


def test_every_error_echoes_the_request_id_and_unknown_fields_are_ignored(gateway_url):
    replies = asyncio.run(
        exchange(
            gateway_url,
            {"requestId": 5, "noSuchCall": {}},
            {"requestId": 6, "getJob": {"jobId": 12}},  # a number where a string belongs
            {"requestId": 7, "getServerInfo": {}, "fieldOfANewerPanel": {"x": 1}},
        )
    )
    by_id = {reply["requestId"]: reply for reply in replies}
    assert by_id["5"]["error"]["message"] == "the request names no call" and by_id["5"]["final"]
    assert by_id["6"]["error"]["code"] == "INVALID_ARGUMENT" and by_id["6"]["final"]
    assert "GatewayRequest" in by_id["6"]["error"]["message"]
    assert by_id["7"]["serverInfo"]["defaultEngine"] == "flow"


def test_binary_frames_are_answered(gateway_url):
    request = json.dumps({"requestId": 3, "getServerInfo": {}}).encode()
    as_bytes, garbage = asyncio.run(exchange(gateway_url, request, b"\xff\x00"))
    assert as_bytes["requestId"] == "3" and as_bytes["serverInfo"]["defaultEngine"] == "flow"
    assert garbage["error"]["code"] == "INVALID_ARGUMENT" and garbage["final"]


def test_the_websocket_takes_the_authorization_header_and_refusals_are_json(start_server):
    server = start_server(gateway_port=0, token="s3cret")
    (reply,) = asyncio.run(
        exchange(
            server.gateway_url,
            {"requestId": 1, "getServerInfo": {}},
            headers={"Authorization": "Bearer s3cret"},
        )
    )
    assert reply["serverInfo"]["defaultEngine"] == "flow"

    async def refused(url, headers):
        async with aiohttp.ClientSession() as session:
            async with session.get(ws_url(url), headers=headers) as response:
                return response.status, await response.json()

    status, error = asyncio.run(refused(server.gateway_url, {"Authorization": "Bearer wrong"}))
    assert (status, error["code"]) == (401, "UNAUTHENTICATED")
    open_server = start_server(gateway_port=0)
    status, error = asyncio.run(refused(open_server.gateway_url, {"Origin": "https://x.example"}))
    assert (status, error["code"]) == (403, "PERMISSION_DENIED")


def test_a_wrong_method_and_a_body_too_large_get_json(gateway_url):
    async def calls():
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{gateway_url}/v1/GetJob") as wrong_method:
                first = wrong_method.status, await wrong_method.json()
            body = b"{" + b" " * MAX_REQUEST_BYTES + b"}"
            async with session.post(f"{gateway_url}/v1/GetJob", data=body) as too_large:
                second = too_large.status, await too_large.json()
            return first, second

    (status, error), (large, large_error) = asyncio.run(calls())
    assert status == 405 and error["code"] == "UNIMPLEMENTED"
    assert large == 413 and str(MAX_REQUEST_BYTES) in large_error["message"]


def test_a_flooding_socket_is_pushed_back_and_others_are_served(start_server):
    server = start_server(delay_s=0.5, gateway_port=0)
    spec, items = random_job(count=64)
    with Client(server.address) as client:
        run = client.upscale(spec, items)
        frames = iter(run)
        next(frames)  # running: its watches stay open until it ends

        async def flood():
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(ws_url(server.gateway_url)) as socket:
                    for n in range(MAX_CALLS_PER_SOCKET):
                        await socket.send_str(
                            json.dumps({"requestId": n + 1, "watchJob": {"jobId": run.job_id}})
                        )
                    await socket.send_str(json.dumps({"requestId": 0, "getServerInfo": {}}))
                    await asyncio.sleep(0.5)
                    # Another client is served while this socket waits for room.
                    status, _ = await post(server.gateway_url, "GetServerInfo", {})
                    assert status == 200
                    seen = []
                    while True:
                        reply = json.loads((await socket.receive(timeout=10)).data)
                        if "serverInfo" in reply:
                            return seen
                        seen.append(reply.get("progress", {}).get("state"))
                        if len(seen) == 3 * MAX_CALLS_PER_SOCKET:
                            client.cancel(run.job_id)  # the watches end: room again

        states = asyncio.run(flood())
    # Its last request was read only once the watches in flight had ended.
    assert states.count("JOB_STATE_CANCELLED") == MAX_CALLS_PER_SOCKET, states[-5:]


def test_a_gateway_restarted_at_once_gets_its_port_back():
    port, gateway = free_port(), free_port()
    config = ServerConfig(port=port, gateway_port=gateway)
    with BackgroundServer(config) as first:
        asyncio.run(exchange(first.gateway_url, {"requestId": 1, "getServerInfo": {}}))
    with BackgroundServer(config) as second:  # its closed connections are still in TIME_WAIT
        (reply,) = asyncio.run(exchange(second.gateway_url, {"requestId": 1, "getServerInfo": {}}))
    assert reply["serverInfo"]["defaultEngine"] == "flow"
