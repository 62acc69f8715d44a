// Jobs to start on the gateway (StartMediaJob specs) and where each result goes in the sequence.
"use strict";

const { ticksOfFrame, toTicks } = require("./time.js");
const { resultMarkerName } = require("./markers.js");

/** Movie codecs only: Premiere imports the results as clips. */
const OUTPUT_FORMATS = ["prores_hq", "prores_4444", "dnxhr_hqx"];
const KEYFRAME_SOURCES = ["", "local", "fal", "api"];

class JobError extends Error {}

/**
 * @typedef {object} PanelSettings
 * @property {number} scale
 * @property {string} engine  "" = the server's default
 * @property {string} provider  keyframe source: "" (stills from markers only), "local", "fal", "api"
 * @property {string} outputFormat
 * @property {string} outputDir
 */

/**
 * @typedef {object} Placement  where one result goes (plain data: it survives a panel reload)
 * @property {number} trackIndex  the source clip's video track
 * @property {string} startTicks  sequence time
 * @property {string} endTicks
 * @property {string} inTicks  in and out points in the result's own media time
 * @property {string} outTicks
 * @property {string} markerName
 * @property {string} markerComment  filled once the output and sidecar paths are known
 * @property {string} label
 * @property {number} frameRate  frames per second Premiere plays the source at (interpreted or its own)
 *
 * @typedef {object} MediaJobSpec  a MediaJobSpec in the protobuf JSON mapping
 * @property {string} sourcePath
 * @property {number} firstFrame
 * @property {number} frameCount
 * @property {{frame: number, stillPath?: string}[]} keyframes
 * @property {{engine: string, scale: number, keyframeProvider: string, outputFormat: string, audio: boolean}} settings
 * @property {string} outputPath
 *
 * @typedef {object} ClipJob
 * @property {MediaJobSpec} spec
 * @property {string} outputPath
 * @property {Placement[]} placements  every selected clip showing these frames
 */

/**
 * The jobs for the planned clips: one per distinct work, as the timeline bridge does (clips with
 * the same media, frames and keyframes share an output; the same frames with other keyframes get
 * `_2`, `_3`...).
 * @param {import("./plan.js").ClipPlan[]} plans  the clips to upscale (none skipped)
 * @param {PanelSettings} settings
 * @returns {ClipJob[]}
 * @throws {JobError} settings the panel cannot use, or a keyframe without a still and no source
 */
function buildJobs(plans, settings) {
  checkSettings(settings);
  const usable = /** @type {import("./plan.js").UsablePlan[]} */ (plans);
  /** @type {Map<string, ClipJob>} */
  const byWork = new Map();
  const taken = new Set();
  for (const plan of usable) {
    const work = JSON.stringify([plan.clip.mediaPath, plan.frames, plan.keyframes.map((k) => [k.frame, k.still])]);
    let job = byWork.get(work);
    if (!job) {
      job = newJob(plan, settings, taken);
      taken.add(job.outputPath);
      byWork.set(work, job);
    }
    job.placements.push(placementOf(plan, settings));
  }
  return [...byWork.values()];
}

/** @param {PanelSettings} settings */
function checkSettings(settings) {
  if (!Number.isInteger(settings.scale) || settings.scale < 1) {
    throw new JobError(`scale must be a whole number of at least 1, got ${settings.scale}`);
  }
  if (!OUTPUT_FORMATS.includes(settings.outputFormat)) {
    throw new JobError(`output codec must be one of ${OUTPUT_FORMATS.join(", ")}, got '${settings.outputFormat}'`);
  }
  if (!KEYFRAME_SOURCES.includes(settings.provider)) {
    throw new JobError(`keyframe source must be one of: stills only, ${KEYFRAME_SOURCES.slice(1).join(", ")}`);
  }
  if (!settings.outputDir) throw new JobError("choose an output folder");
}

/**
 * @param {import("./plan.js").UsablePlan} plan
 * @param {PanelSettings} settings
 * @param {Set<string>} taken  output paths other jobs of the run write
 * @returns {ClipJob}
 */
function newJob(plan, settings, taken) {
  const missing = plan.keyframes.filter((key) => !key.still);
  if (missing.length && !settings.provider) {
    throw new JobError(
      `${plan.label}: keyframe markers on media frames ${missing.map((k) => k.frame).join(", ")} name ` +
        "no still; put a still's path in the marker comment or choose a keyframe source"
    );
  }
  const name = outputName(plan.clip.mediaPath, plan.frames, settings.scale);
  let outputPath = joinPath(settings.outputDir, `${name}.mov`);
  for (let suffix = 2; taken.has(outputPath); suffix += 1) {
    outputPath = joinPath(settings.outputDir, `${name}_${suffix}.mov`);
  }
  const spec = {
    sourcePath: plan.clip.mediaPath,
    firstFrame: plan.frames.start,
    frameCount: plan.frames.stop - plan.frames.start,
    keyframes: plan.keyframes.map((key) => (key.still ? { frame: key.frame, stillPath: key.still } : { frame: key.frame })),
    settings: {
      engine: settings.engine,
      scale: settings.scale,
      keyframeProvider: settings.provider,
      outputFormat: settings.outputFormat,
      // The source clip's audio stays where it is; a video-only result places without touching audio tracks.
      audio: false,
    },
    outputPath,
  };
  return { spec, outputPath, placements: [] };
}

/**
 * `<media stem>_sparkvsr_x<scale>_<first>-<last>`, as the timeline bridge names outputs.
 * @param {string} mediaPath
 * @param {{start: number, stop: number}} frames
 * @param {number} scale
 */
function outputName(mediaPath, frames, scale) {
  const base = mediaPath.split(/[\\/]/).pop() || "clip";
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return `${stem}_sparkvsr_x${scale}_${frames.start}-${frames.stop - 1}`;
}

/**
 * Joins with the separator the folder already uses (Windows paths keep their backslashes).
 * @param {string} folder
 * @param {string} name
 */
function joinPath(folder, name) {
  const separator = folder.includes("\\") && !folder.includes("/") ? "\\" : "/";
  return folder.endsWith(separator) ? folder + name : folder + separator + name;
}

/**
 * The result media starts at the first upscaled frame: shift the clip's in/out by that much.
 * @param {import("./plan.js").UsablePlan} plan
 * @param {PanelSettings} settings
 * @returns {Placement}
 */
function placementOf(plan, settings) {
  const offset = ticksOfFrame(plan.frames.start, plan.rate);
  return {
    trackIndex: plan.clip.trackIndex,
    startTicks: plan.clip.startTicks,
    endTicks: plan.clip.endTicks,
    inTicks: String(toTicks(plan.clip.inTicks) - offset),
    outTicks: String(toTicks(plan.clip.outTicks) - offset),
    markerName: resultMarkerName(settings.scale),
    markerComment: "",
    label: plan.label,
    frameRate: plan.clip.frameRate,
  };
}

/**
 * What the marker on a placed clip says: what was done, and the output and sidecar paths.
 * @param {PanelSettings} settings
 * @param {{spec: MediaJobSpec}} job
 * @param {string} outputPath
 * @param {string} sidecarPath
 */
function resultComment(settings, job, outputPath, sidecarPath) {
  const keys = job.spec.keyframes.map((key) => key.frame).join(", ") || "none (blind)";
  return (
    `Upscaled x${settings.scale} with ${settings.engine || "the server's default engine"}; ` +
    `keyframes at media frames ${keys}\noutput: ${outputPath}\nsidecar: ${sidecarPath}`
  );
}

module.exports = { OUTPUT_FORMATS, KEYFRAME_SOURCES, JobError, buildJobs, outputName, joinPath, resultComment };

/**
 * Puts every result on new video tracks above all existing ones (Premiere adds tracks only on top):
 * a result goes on the lowest new track where it overlaps no other result. The first result on a
 * track creates it (an insert edit past the last track); the others overwrite onto it.
 * @template {{placement: Placement}} T
 * @param {T[]} results
 * @param {number} videoTrackCount
 * @returns {(T & {targetTrack: number, createsTrack: boolean})[]}
 */
function layoutOnNewTracks(results, videoTrackCount) {
  /** @type {{start: bigint, end: bigint}[][]} */
  const tracks = [];
  const laid = [];
  const ordered = [...results].sort((a, b) => Number(toTicks(a.placement.startTicks) - toTicks(b.placement.startTicks)));
  for (const result of ordered) {
    const span = { start: toTicks(result.placement.startTicks), end: toTicks(result.placement.endTicks) };
    let index = tracks.findIndex((spans) => spans.every((other) => span.end <= other.start || span.start >= other.end));
    const createsTrack = index < 0;
    if (createsTrack) index = tracks.push([]) - 1;
    tracks[index].push(span);
    laid.push({ ...result, targetTrack: videoTrackCount + index, createsTrack });
  }
  return laid;
}

module.exports.layoutOnNewTracks = layoutOnNewTracks;
