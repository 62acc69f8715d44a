// Everything that calls Premiere's `premierepro` module, and nothing else. The module comes in as a
// parameter (require("premierepro") in the panel, the fake in tests); edits run inside
// project.lockedAccess(() => project.executeTransaction(...)), as Premiere 26.3 requires.
"use strict";

/** @import { premierepro, Project, Sequence, FolderItem, ClipProjectItem, Markers, Marker, Media, TickTime, VideoClipTrackItem, AudioClipTrackItem, CompoundAction } from "@adobe/premierepro" */

const { layoutOnNewTracks } = require("./jobs.js");

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
    clipMarkers: [],
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

/** The clip project item behind a track item; null for sequences and other non-media items. */
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
 * The bin of that name at the project's root, created when missing.
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {string} name
 * @returns {Promise<{root: FolderItem, bin: FolderItem, created: boolean}>}
 */
async function findOrCreateBin(ppro, project, name) {
  const root = await project.getRootItem();
  const find = async () => (await root.getItems()).find((item) => item.type === ppro.ProjectItem.TYPE_BIN && item.name === name);
  let found = await find();
  const created = !found;
  if (created) {
    transact(project, `SparkVSR: bin ${name}`, (compound) => compound.addAction(root.createBinAction(name, false)));
    found = await find();
    if (!found) throw new PremiereError(`Premiere did not create the bin "${name}"`);
  }
  return { root, bin: ppro.FolderItem.cast(found), created };
}

/** @param {string} path */
function samePath(path) {
  return path.replace(/\\/g, "/");
}

/**
 * Imports the files into the bin and returns the new clip items by path.
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {FolderItem} bin
 * @param {string[]} paths
 * @returns {Promise<Map<string, ClipProjectItem>>}
 */
async function importInto(ppro, project, bin, paths) {
  const known = new Set((await bin.getItems()).map((item) => item.getId()));
  const ok = await project.importFiles(paths, true, ppro.ProjectItem.cast(bin), false);
  const imported = new Map();
  for (const item of await bin.getItems()) {
    if (known.has(item.getId()) || item.type !== ppro.ProjectItem.TYPE_CLIP) continue;
    const clipItem = ppro.ClipProjectItem.cast(item);
    imported.set(samePath(await clipItem.getMediaFilePath()), clipItem);
  }
  const missing = paths.filter((path) => !imported.has(samePath(path)));
  if (!ok || missing.length) {
    await removeFromBin(ppro, project, bin, [...imported.values()]);
    throw new PremiereError(`Premiere could not import ${missing.join(", ") || paths.join(", ")}`);
  }
  return imported;
}

async function removeFromBin(ppro, project, folder, items) {
  if (!items.length) return;
  transact(project, "SparkVSR: remove imported clips", (compound) => {
    items.forEach((item) => compound.addAction(folder.createRemoveItemAction(ppro.ProjectItem.cast(item))));
  });
}

/**
 * Imports the results into the bin and puts each on a new video track above every existing track,
 * at its source clip's sequence time with the same in/out, with a marker saying what was done.
 * All or nothing: when Premiere refuses or places something elsewhere, everything added is removed.
 * @param {premierepro} ppro
 * @param {string} binName
 * @param {{outputPath: string, placement: import("./jobs.js").Placement}[]} results
 * @returns {Promise<{bin: string, tracks: number[], placed: number}>}
 */
async function placeResults(ppro, binName, results) {
  const { project, sequence } = await activeSequence(ppro);
  const trackCount = await sequence.getVideoTrackCount();
  const laid = layoutOnNewTracks(results, trackCount);
  const before = await trackSpans(ppro, sequence, trackCount);
  const { root, bin, created } = await findOrCreateBin(ppro, project, binName);
  let imported = new Map();
  try {
    imported = await importInto(ppro, project, bin, [...new Set(results.map((r) => r.outputPath))]);
    const clipOf = (result) => imported.get(samePath(result.outputPath));
    const markers = new Map();
    for (const item of imported.values()) markers.set(item, await ppro.Markers.getMarkers(item));
    const editor = ppro.SequenceEditor.getEditor(sequence);
    const at = (ticks) => ppro.TickTime.createWithTicks(String(ticks));
    const edit = (result, compound) => {
      const item = clipOf(result);
      const { placement } = result;
      compound.addAction(item.createSetInOutPointsAction(at(placement.inTicks), at(placement.outTicks)));
      const projectItem = ppro.ProjectItem.cast(item);
      compound.addAction(result.createsTrack
        ? editor.createInsertProjectItemAction(projectItem, at(placement.startTicks), result.targetTrack, 0, true)
        : editor.createOverwriteItemAction(projectItem, at(placement.startTicks), result.targetTrack, 0));
      compound.addAction(markers.get(item).createAddMarkerAction(
        placement.markerName, ppro.Marker.MARKER_TYPE_COMMENT, at(placement.inTicks), ppro.TickTime.TIME_ZERO, placement.markerComment));
    };
    // New tracks exist only once the inserts that create them are done.
    transact(project, "SparkVSR: place upscaled clips", (compound) => laid.filter((r) => r.createsTrack).forEach((r) => edit(r, compound)));
    const onTracks = laid.filter((r) => !r.createsTrack);
    if (onTracks.length) transact(project, "SparkVSR: place upscaled clips", (compound) => onTracks.forEach((r) => edit(r, compound)));
    await checkPlaced(ppro, project, sequence, laid, before);
  } catch (error) {
    await removeFromBin(ppro, project, bin, [...imported.values()]);
    if (created) await removeFromBin(ppro, project, root, [bin]);
    throw error;
  }
  return { bin: binName, tracks: [...new Set(laid.map((r) => r.targetTrack))], placed: laid.length };
}

/** Start/end ticks of the clips on each existing video track. */
async function trackSpans(ppro, sequence, count) {
  const spans = [];
  for (let index = 0; index < count; index += 1) {
    const items = (await sequence.getVideoTrack(index)).getTrackItems(ppro.Constants.TrackItemType.CLIP, false);
    const track = [];
    for (const item of items) track.push(`${(await item.getStartTime()).ticks}-${(await item.getEndTime()).ticks}`);
    spans.push(track.join(","));
  }
  return spans;
}

/** Checks that every result landed where asked and nothing else moved; undoes the placement if not. */
async function checkPlaced(ppro, project, sequence, laid, before) {
  const problems = [];
  const placedItems = [];
  for (const result of laid) {
    const track = await sequence.getVideoTrack(result.targetTrack);
    const items = track ? track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false) : [];
    let found = null;
    for (const item of items) {
      if ((await item.getStartTime()).ticks === String(result.placement.startTicks)) found = item;
    }
    if (found) placedItems.push(found);
    const got = found && [(await found.getEndTime()).ticks, (await found.getInPoint()).ticks, (await found.getOutPoint()).ticks];
    const want = [result.placement.endTicks, result.placement.inTicks, result.placement.outTicks].map(String);
    if (!got || got.join() !== want.join()) {
      problems.push(`${result.placement.label} did not land on V${result.targetTrack + 1} at its sequence time with its in/out`);
    }
  }
  const after = await trackSpans(ppro, sequence, before.length);
  if (after.join("|") !== before.join("|")) problems.push("existing clips moved");
  if (!problems.length) return;
  removeTrackItems(ppro, project, sequence, placedItems);
  throw new PremiereError(`Premiere did not place the results as asked (${problems.join("; ")}); nothing was kept`);
}

function removeTrackItems(ppro, project, sequence, items) {
  if (!items.length) return;
  let selection = null;
  ppro.TrackItemSelection.createEmptySelection((created) => { selection = created; });
  items.forEach((item) => selection.addItem(item, true));
  const editor = ppro.SequenceEditor.getEditor(sequence);
  transact(project, "SparkVSR: remove placed clips", (compound) => {
    compound.addAction(editor.createRemoveItemsAction(selection, false, ppro.Constants.MediaType.VIDEO));
  });
}

/** The active sequence's name, to check that results go back where they came from. */
async function activeSequenceName(ppro) {
  return (await activeSequence(ppro)).sequence.name;
}

module.exports = { PremiereError, readSelection, placeResults, activeSequenceName };
