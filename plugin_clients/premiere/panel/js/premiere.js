// Everything that calls Premiere's `premierepro` module (with place.js, which puts results into the
// project), and nothing else. The module comes in as a parameter (require("premierepro") in the
// panel, the fake in tests); edits run inside project.lockedAccess(() => project.executeTransaction(...)),
// as Premiere 26.3 requires.
"use strict";

/** @import { premierepro, Project, Sequence, FolderItem, ClipProjectItem, Markers, Marker, Media, TickTime, ProjectItem, VideoClipTrackItem, AudioClipTrackItem, CompoundAction } from "@adobe/premierepro" */

/** Premiere lacks something the panel needs, or refused an edit (nothing was kept). */
class PremiereError extends Error {}

/**
 * @param {premierepro} ppro
 * @returns {Promise<{project: Project, sequence: Sequence}>}
 */
async function activeSequence(ppro) {
  const project = await ppro.Project.getActiveProject();
  if (!project) throw new PremiereError("no project is open");
  const sequence = await project.getActiveSequence();
  if (!sequence) throw new PremiereError("no sequence is open: open one and select clips in it");
  return { project, sequence };
}

/** @param {Marker} marker */
function markerFacts(marker) {
  return { name: marker.getName(), comment: marker.getComments(), startTicks: marker.getStart().ticks };
}

/**
 * The video clips selected in the active sequence, and the sequence's markers, as plain data.
 * @param {premierepro} ppro
 */
async function readSelection(ppro) {
  const { sequence } = await activeSequence(ppro);
  const items = await (await sequence.getSelection()).getTrackItems();
  const videoType = await videoMediaType(sequence);
  const clips = [];
  for (const item of items) {
    if ((await item.getMediaType()).toString() !== videoType) continue; // its audio part
    if ((await item.getType()) !== ppro.VideoClipTrackItem.TRACKITEMTYPE_CLIP) continue;
    clips.push(await clipFacts(ppro, /** @type {VideoClipTrackItem} */ (item)));
  }
  const markers = await ppro.Markers.getMarkers(sequence);
  return { sequenceName: sequence.name, clips, sequenceMarkers: markers.getMarkers().map(markerFacts) };
}

/** @param {Sequence} sequence */
async function videoMediaType(sequence) {
  if ((await sequence.getVideoTrackCount()) === 0) return null;
  return (await (await sequence.getVideoTrack(0)).getMediaType()).toString();
}

/**
 * @param {premierepro} ppro
 * @param {VideoClipTrackItem} item
 * @returns {Promise<import("./plan.js").ClipFacts>}
 */
async function clipFacts(ppro, item) {
  const facts = {
    name: await item.getName(),
    trackIndex: await item.getTrackIndex(),
    startTicks: (await item.getStartTime()).ticks,
    endTicks: (await item.getEndTime()).ticks,
    inTicks: (await item.getInPoint()).ticks,
    outTicks: (await item.getOutPoint()).ticks,
    speed: await item.getSpeed(),
    reversed: Boolean(await item.isSpeedReversed()),
    mediaPath: "",
    offline: false,
    frameRate: 0,
    mediaDurationTicks: "0",
    clipMarkers: /** @type {import("./markers.js").MarkerFacts[]} */ ([]),
  };
  const clipItem = await clipProjectItem(ppro, await item.getProjectItem());
  if (!clipItem) return facts;
  facts.mediaPath = await clipItem.getMediaFilePath();
  facts.offline = await clipItem.isOffline();
  if (!facts.mediaPath || facts.offline) return facts;
  facts.frameRate = (await clipItem.getFootageInterpretation()).getFrameRate();
  facts.mediaDurationTicks = await mediaDurationTicks(await clipItem.getMedia());
  facts.clipMarkers = (await ppro.Markers.getMarkers(clipItem)).getMarkers().map(markerFacts);
  return facts;
}

/**
 * A media's length in ticks, whichever shape this Premiere gives it: `getDuration()` (26.5 on,
 * `duration` deprecated), `duration` as a Promise<TickTime> (the 26.3 reference) or as a plain
 * TickTime (the 26.3.0 typings). Awaiting a plain value gives the value, so one read covers both.
 * @param {Media} media
 * @returns {Promise<string>}
 */
async function mediaDurationTicks(media) {
  const shapes = /** @type {{getDuration?: () => TickTime | Promise<TickTime>, duration?: TickTime | Promise<TickTime>}} */ (media);
  const duration = await (typeof shapes.getDuration === "function" ? shapes.getDuration() : shapes.duration);
  if (!duration || typeof duration.ticks !== "string") throw new PremiereError("Premiere did not report the media's duration");
  return duration.ticks;
}

/**
 * The clip project item behind a track item; null for sequences and other non-media items.
 * @param {premierepro} ppro
 * @param {ProjectItem | null} projectItem
 * @returns {Promise<ClipProjectItem | null>}
 */
async function clipProjectItem(ppro, projectItem) {
  if (!projectItem || projectItem.type !== ppro.ProjectItem.TYPE_CLIP) return null;
  const clipItem = ppro.ClipProjectItem.cast(projectItem);
  return clipItem && !(await clipItem.isSequence()) ? clipItem : null;
}

/**
 * Runs one undoable edit inside the project lock.
 * @param {Project} project
 * @param {string} undoName
 * @param {(compound: CompoundAction) => void} build
 */
function transact(project, undoName, build) {
  let done = false;
  project.lockedAccess(() => {
    done = project.executeTransaction(build, undoName);
  });
  if (!done) throw new PremiereError(`Premiere refused the edit "${undoName}"`);
}

/**
 * The active sequence's name, to check that results go back where they came from.
 * @param {premierepro} ppro
 */
async function activeSequenceName(ppro) {
  return (await activeSequence(ppro)).sequence.name;
}

module.exports = { PremiereError, activeSequence, readSelection, transact, activeSequenceName };
