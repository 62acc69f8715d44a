// Markers -> source-frame keyframes and used frames, at 23.976, 25 and 29.97 drop-frame, with
// trimmed clips, non-zero start timecodes, sequences of another rate, and refused clips.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { buildScenario, timecodeFrames } = require("./scenario.js");
const { loadSelection } = require("../../plugin_clients/premiere/panel/js/workflow.js");
const { exactRate, frameAt, ticksOfFrame, framesCovering } = require("../../plugin_clients/premiere/panel/js/time.js");

const RATES = { "23.976": [24000, 1001], "25": [25, 1], "29.97": [30000, 1001] };

function scenario(rate, startTimecode, extra = {}) {
  return buildScenario({
    sequence: { name: "Edit", rate: RATES[rate] },
    media: [{ id: "a", path: "/media/shot.mov", rate: RATES[rate], frames: 300, startTimecode }],
    // Trimmed: the clip shows media frames 40..139 from sequence frame 10.
    clips: [{ media: "a", start: 10, in: 40, out: 140 }],
    clipMarkers: [
      { media: "a", name: "SparkVSR key", frame: 52, comment: "/stills/hr_52.png" },
      { media: "a", name: "sparkvsr lower case", frame: 139 },
      { media: "a", name: "Other marker", frame: 60 },
      { media: "a", name: "SparkVSR outside", frame: 20 },
    ],
    // Sequence frame 30 is 20 frames into the clip: media frame 60.
    sequenceMarkers: [{ name: "SPARKVSR seq", frame: 30 }, { name: "SparkVSR after", frame: 200 }],
    ...extra,
  });
}

for (const [rate, timecode] of [["23.976", "01:00:00:00"], ["25", "10:00:00:00"], ["29.97", "01:00:00;00"], ["29.97", undefined]]) {
  test(`keyframes at ${rate} fps, start timecode ${timecode || "none"}, trimmed clip`, async () => {
    const { ppro } = scenario(rate, timecode);
    const { plans } = await loadSelection(ppro);
    assert.equal(plans.length, 1, "the audio part of the selection is not a second clip");
    const [plan] = plans;
    assert.equal(plan.skipped, null);
    assert.deepEqual(plan.frames, { start: 40, stop: 140 });
    assert.deepEqual(plan.keyframes.map((k) => [k.frame, k.origin, k.still]), [
      [52, "clip marker", "/stills/hr_52.png"],
      [60, "sequence marker", null],
      [139, "clip marker", null],
    ]);
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0], /'SparkVSR outside' is on media frame 20, outside the frames upscaled \(40\.\.139\)/);
  });
}

test("a 29.97 clip in a 25 fps sequence maps sequence markers through real time", async () => {
  const { ppro } = scenario("29.97", "00:59:59;28", { sequence: { name: "Edit", rate: RATES["25"] } });
  // 30000/1001 media in a 25 fps sequence: sequence frame 30 is 0.8 s into the clip.
  const { plans } = await loadSelection(ppro);
  const expected = 40 + Math.floor((0.8 * 30000) / 1001);
  assert.ok(plans[0].keyframes.some((k) => k.origin === "sequence marker" && k.frame === expected));
});

test("drop-frame timecode counts frames the way 29.97 DF does", () => {
  assert.equal(timecodeFrames("01:00:00;00", RATES["29.97"]), 107892);
  assert.equal(timecodeFrames("00:01:00;02", RATES["29.97"]), 1800);
  assert.equal(timecodeFrames("01:00:00:00", RATES["29.97"]), 108000);
});

test("ticks to frames is exact at NTSC rates, far into long media", () => {
  for (const [num, den] of Object.values(RATES)) {
    const rate = { num, den };
    for (const frame of [0, 1, 1000, 2589408, 10 * 3600 * 30]) {
      assert.equal(frameAt(ticksOfFrame(frame, rate), rate), frame);
      assert.equal(frameAt(ticksOfFrame(frame, rate) - 1n, rate), frame - 1);
      assert.equal(framesCovering(ticksOfFrame(frame, rate) + 1n, rate), frame + 1);
    }
  }
  assert.deepEqual(exactRate(23.976023976023978), { num: 24000, den: 1001 });
  assert.deepEqual(exactRate(29.97), { num: 30000, den: 1001 });
  assert.deepEqual(exactRate(25), { num: 25, den: 1 });
  assert.deepEqual(exactRate(59.94005994005994), { num: 60000, den: 1001 });
});

test("speed-changed, offline and media-less clips are refused with the reason", async () => {
  const { ppro, sequence } = buildScenario({
    sequence: { name: "Edit", rate: RATES["25"] },
    media: [
      { id: "fast", path: "/media/fast.mov", rate: RATES["25"], frames: 100 },
      { id: "gone", path: "/media/gone.mov", rate: RATES["25"], frames: 100, offline: true },
    ],
    clips: [
      { media: "fast", start: 0, in: 0, out: 50, speed: 2 },
      { media: "gone", start: 100, in: 0, out: 50 },
    ],
  });
  sequence.tracks[0].items[0].reversed = false;
  const { plans } = await loadSelection(ppro);
  assert.match(plans[0].skipped, /speed change \(200%\).*render it at 100% first/);
  assert.match(plans[1].skipped, /offline: \/media\/gone\.mov/);
});

test("keyframes closer than the engine allows skip the clip, naming both frames", async () => {
  const { ppro } = scenario("25", undefined);
  const { plans } = await loadSelection(ppro, { minKeyframeGap: 10 });
  assert.match(plans[0].skipped, /media frames 52 and 60 are 8 frames apart; the engine needs at least 10/);
});
