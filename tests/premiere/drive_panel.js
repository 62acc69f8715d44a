// Drives the panel's workflow (no page) against a real gateway, with a fake Premiere project
// described by a JSON file: node --experimental-websocket drive_panel.js SCENARIO.json
// Prints {"placed": ..., "state": ...} as JSON, or {"error": message}.
"use strict";

const fs = require("node:fs");
const { buildScenario, projectState } = require("./scenario.js");
const { MemoryStorage } = require("./fake_gateway.js");
const { Workflow, loadSelection } = require("../../plugin_clients/premiere/panel/js/workflow.js");
const { GatewayClient, socketUrl } = require("../../plugin_clients/premiere/panel/js/gateway.js");

async function main() {
  const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const world = buildScenario(input.scenario, { exists: (path) => fs.existsSync(path) });
  const gateway = new GatewayClient(socketUrl(input.gatewayUrl, input.token), WebSocket);
  const workflow = new Workflow({ ppro: world.ppro, gateway, storage: new MemoryStorage() });
  try {
    const { sequenceName, plans } = await loadSelection(world.ppro);
    await workflow.start(sequenceName, plans, input.settings);
    const progress = [];
    await workflow.follow((job, update) => progress.push([job.jobId, update.state, update.framesDone || "0"]));
    const placed = await workflow.place();
    process.stdout.write(JSON.stringify({ placed, progress, state: await projectState(world.project) }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: error.message, state: await projectState(world.project) }));
  } finally {
    gateway.close();
  }
}

main();
