// Builds a fake Premiere project from a plain description (used by the node tests, the node
// end-to-end driver and the browser test): media, a sequence, clips on tracks, markers.
"use strict";

const { FakeProject, FakeTrackItem, FakeMarker, tick, createPremierepro, ticksOfFrames } = require("./fake_premierepro.js");

/**
 * Frames from 00:00:00:00 of a timecode; "HH:MM:SS;FF" is drop-frame (29.97 material).
 * @param {string} timecode
 * @param {[number, number]} rate
 */
function timecodeFrames(timecode, rate) {
  const [hours, minutes, seconds, frames] = timecode.split(/[:;.]/).map(Number);
  const nominal = Math.round(rate[0] / rate[1]);
  const totalMinutes = hours * 60 + minutes;
  const dropped = /;/.test(timecode) ? 2 * (totalMinutes - Math.floor(totalMinutes / 10)) * (nominal / 30) : 0;
  return ((totalMinutes * 60 + seconds) * nominal + frames) - dropped;
}

/**
 * @param {object} spec
 * @param {{name: string, rate: [number, number], tracks?: number}} spec.sequence
 * @param {{id: string, path: string, rate: [number, number], interpret?: [number, number], frames: number, startTimecode?: string, offline?: boolean}[]} spec.media
 *   interpret: the rate Premiere plays the media at (Interpret Footage), rate its own
 * @param {{media: string, track?: number, start: number, in: number, out: number, speed?: number, selected?: boolean, name?: string}[]} spec.clips  start in sequence frames, in/out in media frames
 * @param {{name: string, comment?: string, frame: number}[]} [spec.sequenceMarkers]  sequence frames
 * @param {{media: string, name: string, comment?: string, frame: number}[]} [spec.clipMarkers]  media frames
 * @param {{exists?: (path: string) => boolean, variants?: Partial<import("./fake_premierepro_base.js").Variants>}} [options]
 *   variants: the fake's readings of what Adobe's sources leave open (fake_premierepro.js VARIANTS)
 */
function buildScenario(spec, options = {}) {
  const exists = options.exists || (() => true);
  /** @type {Map<string, import("./fake_premierepro.js").FakeClipItem>} */
  const byId = new Map();
  const project = new FakeProject({ probe: (path) => (exists(path) ? probeOutput(path, byId) : null), variants: options.variants });
  const [seqNum, seqDen] = spec.sequence.rate;
  const seqTicks = (/** @type {number} */ frame) => ticksOfFrames(frame, seqNum, seqDen);
  const sequence = project.addSequence(spec.sequence.name, spec.sequence.tracks || 1);
  for (const media of spec.media) {
    const startFrame = media.startTimecode ? timecodeFrames(media.startTimecode, media.rate) : 0;
    byId.set(media.id, project.addMedia({ ...media, startFrame }));
  }
  for (const clip of spec.clips) {
    const item = /** @type {import("./fake_premierepro.js").FakeClipItem} */ (byId.get(clip.media));
    const mediaTicks = (/** @type {number} */ frame) => ticksOfFrames(frame, ...item.playRate);
    const trackItem = new FakeTrackItem({
      name: clip.name || item.name, projectItem: item, start: seqTicks(clip.start),
      inPoint: mediaTicks(clip.in), outPoint: mediaTicks(clip.out), speed: clip.speed || 1, track: clip.track || 0,
    });
    trackItem.selected = clip.selected !== false;
    sequence.tracks[clip.track || 0].items.push(trackItem);
    // Its audio part is selected with it.
    const audio = new FakeTrackItem({ ...trackItem, audio: true });
    audio.selected = trackItem.selected;
    sequence.audioItems.push(audio);
  }
  for (const marker of spec.sequenceMarkers || []) {
    sequence.markers.list.push(new FakeMarker(marker.name, "Comment", tick(seqTicks(marker.frame)), tick(0n), marker.comment || ""));
  }
  for (const marker of spec.clipMarkers || []) {
    const item = /** @type {import("./fake_premierepro.js").FakeClipItem} */ (byId.get(marker.media));
    const start = tick(ticksOfFrames(marker.frame, ...item.playRate));
    item.markers.list.push(new FakeMarker(marker.name, "Comment", start, tick(0n), marker.comment || ""));
  }
  return { project, sequence, ppro: createPremierepro(project), media: byId };
}

/**
 * What Premiere would read from an output: the source's own rate (the server writes that), the frames its name says.
 * @param {string} path
 * @param {Map<string, any>} byId  the scenario's media items
 */
function probeOutput(path, byId) {
  const match = /([^\\/]+)_sparkvsr_x\d+_(\d+)-(\d+)(?:_\d+)?\.mov$/.exec(path);
  if (!match) return null;
  const source = [...byId.values()].find((item) => item.media.path.split(/[\\/]/).pop().replace(/\.[^.]+$/, "") === match[1]);
  if (!source) return null;
  return { rate: source.media.rate, frames: Number(match[3]) - Number(match[2]) + 1 };
}

/**
 * The project's state as plain data, to compare before and after.
 * @param {any} project  a FakeProject
 */
async function projectState(project) {
  const bins = project.root.children.map((/** @type {any} */ child) => ({ name: child.name, items: (child.children || []).map((/** @type {any} */ i) => i.name) }));
  const tracks = project.activeSequence.tracks.map((/** @type {any} */ track) => track.getTrackItems(1, false).map((/** @type {any} */ item) => ({
    name: item.name, start: String(item.start), end: String(item.end), in: String(item.inPoint), out: String(item.outPoint),
    path: item.projectItem.media.path,
    markers: item.projectItem.markers.list.map((/** @type {any} */ m) => ({ name: m.name, comment: m.comments, start: m.start.ticks })),
  })));
  return { bins, tracks, history: [...project.history] };
}

module.exports = { buildScenario, projectState, timecodeFrames };
