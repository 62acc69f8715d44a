// Placing results against every reading of what Adobe leaves open (fake_premierepro.js VARIANTS):
// the in/out set before the insert and read back, and a refused or misplaced result taken out again
// with a selection that lives only inside its callback.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { buildScenario, projectState } = require("./scenario.js");
const { VARIANTS, ticksOfFrames } = require("./fake_premierepro.js");
const { placeResults } = require("../../plugin_clients/premiere/panel/js/place.js");

const SPEC = {
  sequence: { name: "Edit", rate: [25, 1], tracks: 1 },
  media: [{ id: "a", path: "/media/a.mov", rate: [25, 1], frames: 100 }],
  clips: [{ media: "a", start: 10, in: 20, out: 40 }, { media: "a", start: 60, in: 20, out: 40 }],
};
const f = (frame) => String(ticksOfFrames(frame, 25, 1));

/** Results as the workflow hands them over: one output placed twice, shown from its frame 2 to 18. */
function results() {
  const placement = (start) => ({
    trackIndex: 0, startTicks: f(start), endTicks: f(start + 16), inTicks: f(2), outTicks: f(18),
    markerName: "Upscaled x4 (SparkVSR)", markerComment: "output: /renders/a_sparkvsr_x4_18-41.mov", label: `V1 a.mov @${start}`,
  });
  return [10, 60].map((start) => ({ outputPath: "/renders/a_sparkvsr_x4_18-41.mov", placement: placement(start) }));
}

/** The project's clips and bins, leaving out the empty tracks a failed placement may leave (the API cannot delete tracks). */
async function contents(project) {
  const state = await projectState(project);
  return { bins: state.bins, tracks: state.tracks.filter((track, index) => index === 0 || track.length) };
}

for (const insertRange of VARIANTS.insertRange) {
  test(`results take their in/out, set before the insert, whichever in/out an insert uses (${insertRange})`, async () => {
    const world = buildScenario(SPEC, { variants: { insertRange } });
    const placed = await placeResults(world.ppro, "SparkVSR", results());
    assert.deepEqual(placed, { bin: "SparkVSR", tracks: [1], placed: 2 });
    const onV2 = (await projectState(world.project)).tracks[1];
    assert.deepEqual(onV2.map((item) => [item.start, item.end, item.in, item.out]), [
      [f(10), f(26), f(2), f(18)], [f(60), f(76), f(2), f(18)],
    ]);
    // The in/out is its own undo step, before the insert (new track) and the overwrite onto it.
    assert.deepEqual(world.project.history.slice(-3), [
      "SparkVSR: set the in/out of upscaled clips", "SparkVSR: place upscaled clips", "SparkVSR: place upscaled clips",
    ]);
  });
}

for (const selectionScope of VARIANTS.selectionScope) {
  test(`selection_escape: a misplaced result is taken out again, nothing is left added (${selectionScope})`, async () => {
    const world = buildScenario(SPEC, { variants: { selectionScope } });
    const before = await contents(world.project);
    // Premiere puts the second clip a frame late.
    world.project.tamper = (placed) => { if (placed.start === BigInt(f(60))) placed.start += BigInt(f(1)); };
    await assert.rejects(placeResults(world.ppro, "SparkVSR", results()), (error) => {
      assert.match(error.message, /V1 a\.mov @60 did not land on V2 at its sequence time with its in\/out\); nothing was kept$/);
      return true;
    });
    assert.deepEqual(await contents(world.project), before);
    assert.ok(world.project.history.includes("SparkVSR: remove placed clips"));
  });
}

test("selection_escape: a selection kept past its callback throws in the fake, as Adobe's rule says", () => {
  const world = buildScenario(SPEC);
  let kept = null;
  world.ppro.TrackItemSelection.createEmptySelection((selection) => { kept = selection; });
  assert.throws(() => kept.addItem(world.sequence.tracks[0].items[0], true), /escaped its createEmptySelection\(\) callback/);
});

test("the fake refuses actions made outside a lock, used in another lock scope, or an async lockedAccess", async () => {
  const world = buildScenario(SPEC);
  const root = await world.project.getRootItem();
  assert.throws(() => root.createBinAction("x", false), /inside project\.lockedAccess\(\)/);
  let action = null;
  world.project.lockedAccess(() => { action = root.createBinAction("x", false); });
  world.project.lockedAccess(() => {
    world.project.executeTransaction((compound) => assert.throws(() => compound.addAction(action), /another lock scope/));
  });
  assert.throws(() => world.project.lockedAccess(async () => {}), /must not be async/);
});

test("an in/out Premiere refuses to set stops the placement before anything is placed", async () => {
  const world = buildScenario(SPEC);
  const before = await contents(world.project);
  world.project.refuse = (action) => action.name === "set in/out";
  await assert.rejects(placeResults(world.ppro, "SparkVSR", results()), /refused the edit "SparkVSR: set the in\/out of upscaled clips"; nothing was kept/);
  assert.deepEqual(await contents(world.project), before);
});
