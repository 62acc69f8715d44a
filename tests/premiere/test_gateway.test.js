// The servers the panel lets the user choose are the ones its shipped manifest lets UXP reach.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { DEFAULT_SERVER, GatewayClient, serverNotAllowed, socketUrl } = require("../../plugin_clients/premiere/panel/js/gateway.js");

const MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, "../../plugin_clients/premiere/panel/manifest.json"), "utf8"));

test("the shipped manifest allows the default server and loopback by either name, ws and wss", () => {
  for (const server of [DEFAULT_SERVER, "", "localhost", "ws://localhost:50052", "http://127.0.0.1:50052/", "wss://127.0.0.1:50052", "https://localhost"]) {
    assert.equal(serverNotAllowed(MANIFEST, server), null, server);
  }
  assert.equal(socketUrl("localhost", "t k"), "ws://localhost:50052/v1/ws?token=t%20k");
  assert.equal(socketUrl("https://gpu.example:443"), "wss://gpu.example:443/v1/ws");
});

test("a server the manifest does not list is refused with what the manifest allows", () => {
  const refused = serverNotAllowed(MANIFEST, "gpu.example:50052");
  assert.match(refused, /^the panel's manifest does not let it reach ws:\/\/gpu\.example:50052: it allows ws:\/\/localhost:50052, /);
  assert.match(refused, /requiredPermissions\.network\.domains/);
  assert.notEqual(serverNotAllowed(MANIFEST, "127.0.0.1:9000"), null);
  assert.equal(serverNotAllowed({ requiredPermissions: { network: { domains: "all" } } }, "gpu.example:9000"), null);
});

test("a message that is not JSON fails the waiting calls with what to check, instead of throwing in the socket handler", async () => {
  class GarbageSocket {
    constructor() { setTimeout(() => this.onopen && this.onopen(), 0); }
    send() { setTimeout(() => this.onmessage && this.onmessage({ data: "<html>not a gateway</html>" }), 0); }
    close() {}
  }
  const client = new GatewayClient("ws://127.0.0.1:50052/v1/ws", /** @type {any} */ (GarbageSocket));
  await client.connect();
  await assert.rejects(client.serverInfo(), /sent a message that is not a SparkVSR gateway reply; check the Server setting/);
  assert.equal(client.socket, null);
});
