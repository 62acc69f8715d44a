// The whole Upscale against the premierepro fake and a fake gateway socket: placement (bin, track,
// sequence time, in/out, marker), cancel, an offline server, missing media, reattach after reload.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { buildScenario, projectState } = require("./scenario.js");
const { FakeGatewayServer, MemoryStorage, fakeSocketClass } = require("./fake_gateway.js");
const { Workflow, RUN_KEY, loadSelection } = require("../../plugin_clients/premiere/panel/js/workflow.js");
const { GatewayClient, socketUrl } = require("../../plugin_clients/premiere/panel/js/gateway.js");
const { VARIANTS, ticksOfFrames } = require("./fake_premierepro.js");

const NTSC = [24000, 1001];
const SETTINGS = { scale: 4, engine: "flow", provider: "local", outputFormat: "prores_hq", outputDir: "/renders" };

function twoClips() {
  return buildScenario({
    sequence: { name: "Edit", rate: NTSC, tracks: 2 },
    media: [
      { id: "a", path: "/media/a.mov", rate: NTSC, frames: 200, startTimecode: "01:00:00:00" },
      { id: "b", path: "/media/b.mov", rate: NTSC, frames: 200 },
    ],
    clips: [
      { media: "a", track: 0, start: 24, in: 30, out: 90 },
      { media: "b", track: 1, start: 48, in: 0, out: 40 },
    ],
    clipMarkers: [{ media: "a", name: "SparkVSR", frame: 45, comment: "/stills/a_45.png" }],
  });
}

function parts(world, server) {
  const gateway = new GatewayClient(socketUrl("127.0.0.1:50052"), fakeSocketClass(server));
  return new Workflow({ ppro: world.ppro, gateway, storage: new MemoryStorage() });
}

async function startRun(world, workflow) {
  const { sequenceName, plans } = await loadSelection(world.ppro);
  return workflow.start(sequenceName, plans, SETTINGS);
}

test("results land in bin SparkVSR on new tracks above, at the clips' times with their in/out", async () => {
  const world = twoClips();
  const server = new FakeGatewayServer();
  const workflow = parts(world, server);
  await startRun(world, workflow);
  assert.deepEqual(server.started.map((spec) => [spec.sourcePath, spec.firstFrame, spec.frameCount, spec.outputPath]), [
    ["/media/a.mov", 30, 60, "/renders/a_sparkvsr_x4_30-89.mov"],
    ["/media/b.mov", 0, 40, "/renders/b_sparkvsr_x4_0-39.mov"],
  ]);
  assert.deepEqual(server.started[0].keyframes, [{ frame: 45, stillPath: "/stills/a_45.png" }]);
  assert.equal(server.started[0].settings.audio, false);
  const following = workflow.follow(() => {});
  setTimeout(() => server.finishAll(), 5);
  await following;
  const placed = await workflow.place();

  assert.deepEqual(placed, { bin: "SparkVSR", tracks: [2, 3], placed: 2 });
  const state = await projectState(world.project);
  assert.deepEqual(state.bins.find((bin) => bin.name === "SparkVSR").items, ["a_sparkvsr_x4_30-89.mov", "b_sparkvsr_x4_0-39.mov"]);
  const seq = (frame) => String(ticksOfFrames(frame, ...NTSC));
  // Clip a overlaps clip b in time: each gets its own new track above both source tracks.
  const [onV3] = state.tracks[2];
  const [onV4] = state.tracks[3];
  assert.deepEqual([onV3.path, onV3.start, onV3.end, onV3.in, onV3.out], ["/renders/a_sparkvsr_x4_30-89.mov", seq(24), seq(84), seq(0), seq(60)]);
  assert.deepEqual([onV4.path, onV4.start, onV4.end, onV4.in, onV4.out], ["/renders/b_sparkvsr_x4_0-39.mov", seq(48), seq(88), seq(0), seq(40)]);
  assert.equal(onV3.markers.length, 1);
  assert.match(onV3.markers[0].name, /^Upscaled x4/);
  assert.doesNotMatch(onV3.markers[0].name, /^sparkvsr/i);
  assert.match(onV3.markers[0].comment, /output: \/renders\/a_sparkvsr_x4_30-89\.mov\nsidecar: \/renders\/a_sparkvsr_x4_30-89\.sparkvsr\.json/);
  assert.equal(workflow.storage.getItem(RUN_KEY), null, "a placed run is forgotten");
  // The originals are untouched.
  assert.deepEqual(state.tracks[0].map((item) => [item.start, item.in, item.out]), [[seq(24), seq(30), seq(90)]]);
});

test("clips that do not overlap share one new track; same work shares one job", async () => {
  const world = buildScenario({
    sequence: { name: "Edit", rate: [25, 1] },
    media: [{ id: "a", path: "/media/a.mov", rate: [25, 1], frames: 100 }],
    clips: [{ media: "a", start: 0, in: 10, out: 20 }, { media: "a", start: 50, in: 10, out: 20 }],
  });
  const server = new FakeGatewayServer();
  const workflow = parts(world, server);
  await startRun(world, workflow);
  assert.equal(server.started.length, 1);
  const following = workflow.follow(() => {});
  setTimeout(() => server.finishAll(), 5);
  await following;
  const placed = await workflow.place();
  assert.deepEqual(placed.tracks, [1]);
  const state = await projectState(world.project);
  assert.deepEqual(state.tracks[1].map((item) => item.start), ["0", String(ticksOfFrames(50, 25, 1))]);
});

test("Cancel stops every job and adds nothing to the project", async () => {
  const world = twoClips();
  const before = await projectState(world.project);
  const server = new FakeGatewayServer();
  const workflow = parts(world, server);
  await startRun(world, workflow);
  const following = workflow.follow(() => {});
  setTimeout(() => workflow.cancel(), 5);
  await assert.rejects(following, /cancelled: nothing was added to the project/);
  assert.deepEqual(server.cancelled.sort(), ["job-1", "job-2"]);
  assert.deepEqual(await projectState(world.project), before);
  assert.equal(workflow.storage.getItem(RUN_KEY), null);
});

test("a failed job cancels the others and adds nothing", async () => {
  const world = twoClips();
  const before = await projectState(world.project);
  const server = new FakeGatewayServer();
  const workflow = parts(world, server);
  await startRun(world, workflow);
  const following = workflow.follow(() => {});
  setTimeout(() => server.finish("job-1", "JOB_STATE_FAILED", "the engine ran out of memory"), 5);
  await assert.rejects(following, /V1 a\.mov: the engine ran out of memory; nothing was added/);
  assert.deepEqual(server.cancelled, ["job-2"]);
  assert.deepEqual(await projectState(world.project), before);
});

test("no server: the message says to start `sparkvsr serve`, and nothing changes", async () => {
  const world = twoClips();
  const before = await projectState(world.project);
  const workflow = parts(world, null);
  await assert.rejects(startRun(world, workflow), (error) => {
    assert.equal(error.message, "No SparkVSR server answers at ws://127.0.0.1:50052/v1/ws. Start it with `sparkvsr serve` (it opens the gateway on port 50052), then press Refresh.");
    return true;
  });
  assert.deepEqual(await projectState(world.project), before);
});

test("missing media: the server's refusal names the file; started jobs are cancelled; nothing changes", async () => {
  const world = twoClips();
  const before = await projectState(world.project);
  // The first clip's job starts; the second clip's media is missing.
  const server = new FakeGatewayServer({ refuse: { code: "NOT_FOUND", message: "media not found: /media/b.mov" }, refuseAfter: 1 });
  const workflow = parts(world, server);
  await assert.rejects(startRun(world, workflow), /media not found: \/media\/b\.mov/);
  assert.deepEqual(server.started.map((spec) => spec.sourcePath), ["/media/a.mov"]);
  assert.deepEqual(server.cancelled, ["job-1"]);
  assert.equal(workflow.storage.getItem(RUN_KEY), null, "a run that never fully started is not kept");
  assert.deepEqual(await projectState(world.project), before);
});

test("an output Premiere cannot import is removed again with the bin: nothing is kept", async () => {
  const world = buildScenario({
    sequence: { name: "Edit", rate: [25, 1] },
    media: [{ id: "a", path: "/media/a.mov", rate: [25, 1], frames: 100 }, { id: "b", path: "/media/b.mov", rate: [25, 1], frames: 100 }],
    clips: [{ media: "a", start: 0, in: 0, out: 20 }, { media: "b", start: 30, in: 0, out: 20 }],
  }, { exists: (path) => !path.includes("/b_") });
  const before = await projectState(world.project);
  const server = new FakeGatewayServer();
  const workflow = parts(world, server);
  await startRun(world, workflow);
  const following = workflow.follow(() => {});
  setTimeout(() => server.finishAll(), 5);
  await following;
  await assert.rejects(workflow.place(), /Premiere could not import \/renders\/b_sparkvsr_x4_0-19\.mov/);
  const after = await projectState(world.project);
  assert.deepEqual(after.bins, before.bins);
  assert.deepEqual(after.tracks, before.tracks);
});

test("a reloaded panel reattaches to the running jobs by id and places them", async () => {
  const world = twoClips();
  const server = new FakeGatewayServer();
  const storage = new MemoryStorage();
  const first = new Workflow({ ppro: world.ppro, gateway: new GatewayClient("ws://x/v1/ws", fakeSocketClass(server)), storage });
  await startRun(world, first);
  first.gateway.close(); // the panel reloads: its socket goes, the jobs keep running

  const second = new Workflow({ ppro: world.ppro, gateway: new GatewayClient("ws://x/v1/ws", fakeSocketClass(server)), storage });
  const saved = second.savedRun();
  assert.deepEqual(saved.jobs.map((job) => job.jobId), ["job-1", "job-2"]);
  second.reattach(saved);
  const following = second.follow(() => {});
  setTimeout(() => server.finishAll(), 5);
  await following;
  assert.equal((await second.place()).placed, 2);
});

test("a keyframe without a still and no keyframe source is refused before anything starts", async () => {
  const world = buildScenario({
    sequence: { name: "Edit", rate: [25, 1] },
    media: [{ id: "a", path: "/media/a.mov", rate: [25, 1], frames: 100 }],
    clips: [{ media: "a", start: 0, in: 0, out: 50 }],
    clipMarkers: [{ media: "a", name: "SparkVSR", frame: 10 }],
  });
  const server = new FakeGatewayServer();
  const workflow = parts(world, server);
  const { sequenceName, plans } = await loadSelection(world.ppro);
  await assert.rejects(workflow.start(sequenceName, plans, { ...SETTINGS, provider: "" }), /media frames 10 name no still/);
  assert.equal(server.started.length, 0);
});

for (const mediaDuration of VARIANTS.mediaDuration) {
  test(`duration_promise: Refresh reads the media's length however Premiere gives it (${mediaDuration})`, async () => {
    const world = buildScenario({
      sequence: { name: "Edit", rate: [25, 1] },
      media: [{ id: "a", path: "/media/a.mov", rate: [25, 1], frames: 40 }],
      // The second clip claims media frames past the media's 40: only a read length can tell.
      clips: [{ media: "a", start: 0, in: 5, out: 35 }, { media: "a", start: 50, in: 30, out: 50 }],
    }, { variants: { mediaDuration } });
    const { plans } = await loadSelection(world.ppro);
    assert.deepEqual(plans.map((plan) => plan.frames), [{ start: 5, stop: 35 }, null]);
    assert.match(plans[1].skipped, /outside the media's 40 frames/);
  });
}
