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
    frameRate: 25,
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
      assert.match(error.message, /V1 a\.mov @60 did not land on V2 at its sequence time with its in\/out\); nothing was kept but an empty video track above the others \(delete by hand: Premiere lets no panel delete tracks\)$/);
      return true;
    });
    assert.deepEqual(await contents(world.project), before);
    assert.ok(world.project.history.includes("SparkVSR: remove placed clips"));
  });
}

test("selection_escape: a selection kept past its callback throws in the fake, as Adobe's rule says", () => {
  const world = buildScenario(SPEC, { variants: { selectionScope: "callback" } });
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

test("imported results are found under the path Premiere spells back (separators, case), as macOS and Windows volumes compare", async () => {
  const world = buildScenario(SPEC);
  world.project.reportPath = (path) => path.replace(/\//g, "\\").toUpperCase();
  const placed = results().map((result) => ({ ...result, outputPath: `c:${result.outputPath}` }));
  assert.equal((await placeResults(world.ppro, "SparkVSR", placed)).placed, 2);
  assert.equal((await projectState(world.project)).tracks[1][0].path, "C:\\RENDERS\\A_SPARKVSR_X4_18-41.MOV");
});

test("pathKey: one file's spellings on macOS and Windows compare equal, other files do not", () => {
  const { pathKey } = require("../../plugin_clients/premiere/panel/js/paths.js");
  assert.equal(pathKey("C:\\Renders\\Shot.mov"), pathKey("c:/renders//shot.MOV"));
  assert.equal(pathKey("/Volumes/Media/./Café.mov"), pathKey("/volumes/media/Cafe\u0301.mov"));
  assert.equal(pathKey("\\\\server\\share\\a.mov"), "//server/share/a.mov");
  assert.notEqual(pathKey("/renders/a_2.mov"), pathKey("/renders/a.mov"));
});

/** A 24 fps file that Premiere is told to play at 25 fps, in a 25 fps sequence. */
const INTERPRETED = {
  sequence: { name: "Edit", rate: [25, 1], tracks: 1 },
  media: [{ id: "a", path: "/media/a.mov", rate: [24, 1], interpret: [25, 1], frames: 100 }],
  clips: [{ media: "a", start: 10, in: 20, out: 40 }],
};

test("a result of an interpreted source is interpreted at the source's rate, then placed frame for frame", async () => {
  const world = buildScenario(INTERPRETED);
  const [result] = results();
  const placed = await placeResults(world.ppro, "SparkVSR", [result]);
  assert.equal(placed.placed, 1);
  const [item] = world.project.root.children.find((child) => child.name === "SparkVSR").children;
  // The file is 24 fps (what the server writes); Premiere now plays it at 25 like its source.
  assert.deepEqual([item.media.rate, item.media.interpret], [[24, 1], [25, 1]]);
  const [onV2] = (await projectState(world.project)).tracks[1];
  assert.deepEqual([onV2.start, onV2.in, onV2.out], [f(10), f(2), f(18)]);
});

test("an interpretation Premiere refuses stops the placement with the reason; nothing is kept", async () => {
  const world = buildScenario(INTERPRETED);
  const before = await contents(world.project);
  world.project.refuse = (action) => action.name.startsWith("interpret ");
  await assert.rejects(placeResults(world.ppro, "SparkVSR", [results()[0]]), (error) => {
    assert.match(error.message, /Premiere plays its source at 25 fps \(the source's frame rate is interpreted\), the result is written at the media's own 24 fps/);
    assert.match(error.message, /Remove the source's interpretation .*; nothing was kept$/);
    return true;
  });
  assert.deepEqual(await contents(world.project), before);
});

test("selection_escape: what Premiere will not take back out is named for the user to remove", async () => {
  const world = buildScenario(SPEC);
  world.project.tamper = (placed) => { if (placed.start === BigInt(f(60))) placed.start += BigInt(f(1)); };
  world.project.refuse = (action) => action.name === "remove items";
  await assert.rejects(placeResults(world.ppro, "SparkVSR", results()), (error) => {
    assert.match(error.message, /did not land on V2 .*; remove by hand what could not be taken out: a_sparkvsr_x4_18-41\.mov on V2, a_sparkvsr_x4_18-41\.mov on V2$/);
    return true;
  });
});
