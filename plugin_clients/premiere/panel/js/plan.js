// What to upscale of each selected clip: the media frames it shows and its keyframes.
//
// Every frame number is an index into the media file's own frames (0 = its first frame, whatever
// its start timecode), as in the timeline bridge. Track item in/out points and clip marker times
// count from the project item's start; track item start/end and sequence marker times count from
// the sequence's start.
"use strict";

const { exactRate, frameAt, framesCovering, rateText, toTicks } = require("./time.js");
const { DEFAULT_MARKER_PREFIX, isKeyframeMarker, stillNamedBy } = require("./markers.js");

const CLIP_MARKER = "clip marker";
const SEQUENCE_MARKER = "sequence marker";

/**
 * A selected video clip as the adapter reads it from Premiere (plain data; ticks as strings).
 * @typedef {object} ClipFacts
 * @property {string} name
 * @property {number} trackIndex  video track, from 0 (V1)
 * @property {string} startTicks  sequence time of the clip's first frame
 * @property {string} endTicks
 * @property {string} inTicks  media time of the clip's first frame, from the project item's start
 * @property {string} outTicks
 * @property {number} speed  1 = normal speed
 * @property {boolean} reversed
 * @property {string} mediaPath  "" for titles, generators and nested sequences
 * @property {boolean} offline
 * @property {number} frameRate  the media's frames per second as Premiere reports it
 * @property {string} mediaDurationTicks
 * @property {import("./markers.js").MarkerFacts[]} clipMarkers
 */

/**
 * @typedef {{frame: number, origin: string, marker: string, still: string | null}} Keyframe
 * @typedef {object} ClipPlan
 * @property {ClipFacts} clip
 * @property {string} label
 * @property {{num: number, den: number} | null} rate
 * @property {{start: number, stop: number} | null} frames  media frames to upscale, stop exclusive
 * @property {Keyframe[]} keyframes
 * @property {string[]} warnings
 * @property {string | null} skipped  why the clip will not be upscaled; null = it will be
 *
 * @typedef {ClipPlan & {rate: import("./time.js").Rate, frames: {start: number, stop: number}}} UsablePlan
 *   a plan that is not skipped: its rate and frames are known
 */

/**
 * Plans one clip; a clip that cannot be upscaled gets `skipped` with the reason.
 * @param {ClipFacts} clip
 * @param {import("./markers.js").MarkerFacts[]} sequenceMarkers
 * @param {{prefix?: string, minKeyframeGap?: number}} [options]
 * @returns {ClipPlan}
 */
function planClip(clip, sequenceMarkers, options = {}) {
  const label = `V${clip.trackIndex + 1} ${clip.name}`;
  /** @type {ClipPlan} */
  const plan = { clip, label, rate: null, frames: null, keyframes: [], warnings: [], skipped: null };
  try {
    return { ...plan, ...framesAndKeyframes(clip, sequenceMarkers, options) };
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    return { ...plan, skipped: error.message };
  }
}

class PlanError extends Error {}

/** @typedef {{frame: number, marker: import("./markers.js").MarkerFacts, origin: string}} Candidate */

/**
 * @param {ClipFacts} clip
 * @param {import("./markers.js").MarkerFacts[]} sequenceMarkers
 * @param {{prefix?: string, minKeyframeGap?: number}} options
 */
function framesAndKeyframes(clip, sequenceMarkers, options) {
  refuseUnsupported(clip);
  const rate = exactRate(clip.frameRate);
  const inTicks = toTicks(clip.inTicks);
  const first = frameAt(inTicks, rate);
  const count = Math.max(1, framesCovering(toTicks(clip.outTicks) - inTicks, rate));
  const length = framesCovering(clip.mediaDurationTicks, rate);
  if (first < 0 || first + count > length) {
    throw new PlanError(
      `the clip uses media frames ${first}..${first + count - 1}, outside the media's ${length} frames`
    );
  }
  const frames = { start: first, stop: first + count };
  const prefix = options.prefix || DEFAULT_MARKER_PREFIX;
  const candidates = markerCandidates(clip, sequenceMarkers, prefix, rate);
  const { keyframes, warnings } = chooseKeyframes(candidates, frames);
  checkGaps(keyframes, options.minKeyframeGap || 1);
  return { rate, frames, keyframes, warnings };
}

/** @param {ClipFacts} clip */
function refuseUnsupported(clip) {
  if (!clip.mediaPath) {
    throw new PlanError("it has no media file (a title, generator or nested sequence)");
  }
  if (clip.offline) throw new PlanError(`its media is offline: ${clip.mediaPath}`);
  if (clip.reversed) throw new PlanError("it plays in reverse; render it at 100% first");
  if (clip.speed !== 1) {
    throw new PlanError(
      `it has a speed change (${Math.round(clip.speed * 10000) / 100}%), which the panel cannot ` +
        "place back frame for frame; render it at 100% first"
    );
  }
  const shown = toTicks(clip.endTicks) - toTicks(clip.startTicks);
  const used = toTicks(clip.outTicks) - toTicks(clip.inTicks);
  if (shown !== used) {
    throw new PlanError(
      "it is retimed (time remapping or a rate conform: it shows " +
        `${used} ticks of media over ${shown} ticks of sequence); render it at 100% first`
    );
  }
}

/**
 * (media frame, marker, origin) for the keyframe markers on the clip and over it in the sequence.
 * @param {ClipFacts} clip
 * @param {import("./markers.js").MarkerFacts[]} sequenceMarkers
 * @param {string} prefix
 * @param {import("./time.js").Rate} rate
 * @returns {Candidate[]}
 */
function markerCandidates(clip, sequenceMarkers, prefix, rate) {
  const found = clip.clipMarkers
    .filter((marker) => isKeyframeMarker(marker, prefix))
    .map((marker) => ({ frame: frameAt(marker.startTicks, rate), marker, origin: CLIP_MARKER }));
  const start = toTicks(clip.startTicks);
  const end = toTicks(clip.endTicks);
  for (const marker of sequenceMarkers) {
    const time = toTicks(marker.startTicks);
    if (!isKeyframeMarker(marker, prefix) || time < start || time >= end) continue;
    const mediaTime = toTicks(clip.inTicks) + (time - start);
    found.push({ frame: frameAt(mediaTime, rate), marker, origin: SEQUENCE_MARKER });
  }
  return found;
}

/**
 * One keyframe per frame (a marker naming a still wins), markers outside the frames warned.
 * @param {Candidate[]} candidates
 * @param {{start: number, stop: number}} frames
 */
function chooseKeyframes(candidates, frames) {
  /** @type {Map<number, Keyframe>} */
  const byFrame = new Map();
  const warnings = [];
  for (const { frame, marker, origin } of candidates) {
    const key = { frame, origin, marker: marker.name, still: stillNamedBy(marker) };
    if (frame < frames.start || frame >= frames.stop) {
      warnings.push(
        `${origin} '${marker.name}' is on media frame ${frame}, outside the frames upscaled ` +
          `(${frames.start}..${frames.stop - 1}); it is not used`
      );
      continue;
    }
    const earlier = byFrame.get(frame);
    if (!earlier || (earlier.still === null && key.still !== null)) {
      byFrame.set(frame, key);
    } else if (key.still !== null && key.still !== earlier.still) {
      warnings.push(
        `two markers on media frame ${frame} name different stills; using ${earlier.still}, not ${key.still}`
      );
    }
  }
  const keyframes = [...byFrame.values()].sort((a, b) => a.frame - b.frame);
  return { keyframes, warnings };
}

/**
 * @param {Keyframe[]} keyframes  sorted by frame
 * @param {number} minGap
 */
function checkGaps(keyframes, minGap) {
  for (let index = 1; index < keyframes.length; index += 1) {
    const [earlier, later] = [keyframes[index - 1], keyframes[index]];
    if (later.frame - earlier.frame < minGap) {
      throw new PlanError(
        `keyframe markers on media frames ${earlier.frame} and ${later.frame} are ` +
          `${later.frame - earlier.frame} frames apart; the engine needs at least ${minGap}`
      );
    }
  }
}

/**
 * A one-line description of a plan for the panel's list.
 * @param {ClipPlan} plan
 */
function describePlan(plan) {
  if (plan.skipped || !plan.frames || !plan.rate) return `${plan.label}: skipped: ${plan.skipped}`;
  const keys = plan.keyframes.map((key) => `${key.frame}${key.still ? " (still)" : ""}`);
  return (
    `${plan.label}: media frames ${plan.frames.start}-${plan.frames.stop - 1} at ` +
    `${rateText(plan.rate)} fps; keyframes ${keys.join(", ") || "none (blind)"}`
  );
}

module.exports = { CLIP_MARKER, SEQUENCE_MARKER, planClip, describePlan };
