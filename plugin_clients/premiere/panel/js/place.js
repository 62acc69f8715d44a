// Puts finished results into the project: imports them into the bin, sets each one's in/out in its
// own edit, places it on a new video track above the others, reads back what Premiere did, and takes
// everything out again when anything is not as asked. The second half of the premierepro adapter
// (premiere.js reads; this file edits); the module comes in as a parameter.
"use strict";

/** @import { premierepro, Project, Sequence, FolderItem, ClipProjectItem, ProjectItem, VideoClipTrackItem } from "@adobe/premierepro" */

const { layoutOnNewTracks } = require("./jobs.js");
const { PremiereError, activeSequence, transact } = require("./premiere.js");
const { pathKey } = require("./paths.js");
const { exactRate, rateText } = require("./time.js");

/**
 * @typedef {{outputPath: string, placement: import("./jobs.js").Placement}} Result
 * @typedef {Result & {targetTrack: number, createsTrack: boolean}} LaidResult
 * @typedef {(result: Result) => ClipProjectItem} ClipOf
 */

/**
 * Imports the results into the bin and puts each on a new video track above every existing track,
 * at its source clip's sequence time with the same in/out, with a marker saying what was done.
 * All or nothing: when Premiere refuses or places something elsewhere, everything added is removed.
 * @param {premierepro} ppro
 * @param {string} binName
 * @param {Result[]} results
 * @returns {Promise<{bin: string, tracks: number[], placed: number}>}
 */
async function placeResults(ppro, binName, results) {
  const { project, sequence } = await activeSequence(ppro);
  const trackCount = await sequence.getVideoTrackCount();
  const laid = layoutOnNewTracks(results, trackCount);
  const before = await trackSpans(ppro, sequence, trackCount);
  const { root, bin, created } = await findOrCreateBin(ppro, project, binName);
  /** @type {Map<string, ClipProjectItem>} */
  let imported = new Map();
  try {
    imported = await importInto(ppro, project, bin, [...new Set(results.map((r) => r.outputPath))]);
    const clipOf = /** @type {ClipOf} */ ((result) => /** @type {ClipProjectItem} */ (imported.get(pathKey(result.outputPath))));
    await matchRates(ppro, project, laid, clipOf);
    for (const round of rounds(laid, clipOf)) await placeRound(ppro, project, sequence, round, clipOf);
    await checkPlaced(ppro, sequence, laid, before);
  } catch (error) {
    const added = { root, bin, created, items: [...imported.values()] };
    const left = await takeBack(ppro, project, sequence, added).catch((failure) => [`(what was added could not be read back: ${failure.message})`]);
    const what = left.length
      ? `; remove by hand what could not be taken out: ${left.join(", ")}`
      : `; nothing was kept${await emptyTracksLeft(sequence, trackCount)}`;
    throw new PremiereError(`${/** @type {Error} */ (error).message}${what}`);
  }
  return { bin: binName, tracks: [...new Set(laid.map((r) => r.targetTrack))], placed: laid.length };
}

/**
 * What a taken-back placement leaves on the sequence besides its clips: the video tracks its
 * inserts created stay, empty (@adobe/premierepro 26.3.0 declares no action that removes a track:
 * its create...Action methods remove items, markers, keyframes, components and transitions only).
 * @param {Sequence} sequence
 * @param {number} trackCount  video tracks before the placement
 * @returns {Promise<string>}
 */
async function emptyTracksLeft(sequence, trackCount) {
  let count = trackCount;
  try {
    count = await sequence.getVideoTrackCount();
  } catch (_) {
    // unread: the message then says nothing of tracks
  }
  const added = count - trackCount;
  if (added <= 0) return "";
  return ` but ${added === 1 ? "an empty video track" : `${added} empty video tracks`} above the others (delete by hand: Premiere lets no panel delete tracks)`;
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
  return { root, bin: ppro.FolderItem.cast(/** @type {ProjectItem} */ (found)), created };
}

/**
 * Imports the files into the bin and returns the new clip items by path (pathKey). On failure
 * nothing imported stays.
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {FolderItem} bin
 * @param {string[]} paths
 * @returns {Promise<Map<string, ClipProjectItem>>}
 */
async function importInto(ppro, project, bin, paths) {
  const known = new Set((await bin.getItems()).map((item) => item.getId()));
  const ok = await project.importFiles(paths, true, ppro.ProjectItem.cast(bin), false);
  /** @type {Map<string, ClipProjectItem>} */
  const imported = new Map();
  for (const item of await bin.getItems()) {
    if (known.has(item.getId()) || item.type !== ppro.ProjectItem.TYPE_CLIP) continue;
    const clipItem = ppro.ClipProjectItem.cast(item);
    imported.set(pathKey(await clipItem.getMediaFilePath()), clipItem);
  }
  const missing = paths.filter((path) => !imported.has(pathKey(path)));
  if (!ok || missing.length) {
    removeFromBin(ppro, project, bin, [...imported.values()]);
    throw new PremiereError(`Premiere could not import ${missing.join(", ") || paths.join(", ")}`);
  }
  return imported;
}

/**
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {FolderItem} folder
 * @param {(ClipProjectItem | FolderItem)[]} items
 */
function removeFromBin(ppro, project, folder, items) {
  if (!items.length) return;
  transact(project, "SparkVSR: remove imported clips", (compound) => {
    items.forEach((item) => compound.addAction(folder.createRemoveItemAction(ppro.ProjectItem.cast(/** @type {any} */ (item)))));
  });
}

/**
 * The server writes a result at its source's own frame rate. When Premiere plays the source at
 * another rate (Interpret Footage), the result is interpreted at that rate too: otherwise its
 * frames sit at other times, and placing it by time would show other frames than the source's.
 * Refuses, with the reason, when Premiere does not take the interpretation.
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {LaidResult[]} laid
 * @param {ClipOf} clipOf
 */
async function matchRates(ppro, project, laid, clipOf) {
  /** @type {Map<ClipProjectItem, number>} */
  const wanted = new Map(laid.map((result) => [clipOf(result), result.placement.frameRate]));
  /** @type {{item: ClipProjectItem, interpretation: import("@adobe/premierepro").FootageInterpretation, fps: number}[]} */
  const changed = [];
  for (const [item, fps] of wanted) {
    if (!(fps > 0)) continue; // a run saved by an older panel, which did not record the rate
    const interpretation = await item.getFootageInterpretation();
    if (sameRate(interpretation.getFrameRate(), fps)) continue;
    interpretation.setFrameRate(fps);
    changed.push({ item, interpretation, fps });
  }
  if (!changed.length) return;
  attempt(() => transact(project, "SparkVSR: interpret upscaled clips at their sources' rates", (compound) => {
    changed.forEach(({ item, interpretation }) => compound.addAction(item.createSetFootageInterpretationAction(interpretation)));
  }));
  for (const { item, fps } of changed) {
    const got = (await item.getFootageInterpretation()).getFrameRate();
    if (sameRate(got, fps)) continue;
    throw new PremiereError(
      `${item.name}: Premiere plays its source at ${rateText(exactRate(fps))} fps (the source's frame rate is ` +
        `interpreted), the result is written at the media's own ${rateText(exactRate(got))} fps, and Premiere did not ` +
        "interpret the result to match: placed by time it would show other frames. Remove the source's " +
        "interpretation (Modify > Interpret Footage) and upscale again"
    );
  }
}

/**
 * @param {number} a  frames per second
 * @param {number} b
 */
function sameRate(a, b) {
  const [x, y] = [exactRate(a), exactRate(b)];
  return x.num * y.den === y.num * x.den;
}

/**
 * The laid results in runs where each project item needs one in/out: a result whose item already
 * has another in/out in the current run starts the next one (two clips sharing a result but
 * trimmed a part-frame apart).
 * @param {LaidResult[]} laid  sorted by sequence time, as layoutOnNewTracks returns them
 * @param {ClipOf} clipOf
 * @returns {LaidResult[][]}
 */
function rounds(laid, clipOf) {
  /** @type {LaidResult[][]} */
  const runs = [];
  /** @type {Map<ClipProjectItem, string>} */
  let ranges = new Map();
  for (const result of laid) {
    const range = `${result.placement.inTicks}-${result.placement.outTicks}`;
    const earlier = ranges.get(clipOf(result));
    if (!runs.length || (earlier !== undefined && earlier !== range)) {
      runs.push([]);
      ranges = new Map();
    }
    ranges.set(clipOf(result), range);
    runs[runs.length - 1].push(result);
  }
  return runs;
}

/**
 * Places one run: first the in/out of its project items, in an edit of its own, read back (nothing
 * documents that an insert sees an in/out set in the same transaction); then the inserts that
 * create new tracks, then the overwrites onto tracks that now exist.
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {Sequence} sequence
 * @param {LaidResult[]} round
 * @param {ClipOf} clipOf
 */
async function placeRound(ppro, project, sequence, round, clipOf) {
  const at = (/** @type {string} */ ticks) => ppro.TickTime.createWithTicks(String(ticks));
  const byItem = new Map(round.map((result) => [clipOf(result), result.placement]));
  transact(project, "SparkVSR: set the in/out of upscaled clips", (compound) => {
    byItem.forEach((placement, item) => compound.addAction(item.createSetInOutPointsAction(at(placement.inTicks), at(placement.outTicks))));
  });
  for (const [item, placement] of byItem) {
    const got = [(await item.getInPoint(ppro.Constants.MediaType.VIDEO)).ticks, (await item.getOutPoint(ppro.Constants.MediaType.VIDEO)).ticks];
    if (got.join() !== [placement.inTicks, placement.outTicks].map(String).join()) {
      throw new PremiereError(`Premiere did not set the in/out of ${item.name} (asked ${placement.inTicks}-${placement.outTicks} ticks, got ${got.join("-")})`);
    }
  }
  const markers = new Map();
  for (const item of byItem.keys()) markers.set(item, await ppro.Markers.getMarkers(item));
  const editor = ppro.SequenceEditor.getEditor(sequence);
  const edit = (/** @type {LaidResult} */ result, /** @type {import("@adobe/premierepro").CompoundAction} */ compound) => {
    const item = clipOf(result);
    const { placement } = result;
    const projectItem = ppro.ProjectItem.cast(item);
    compound.addAction(result.createsTrack
      ? editor.createInsertProjectItemAction(projectItem, at(placement.startTicks), result.targetTrack, 0, true)
      : editor.createOverwriteItemAction(projectItem, at(placement.startTicks), result.targetTrack, 0));
    compound.addAction(markers.get(item).createAddMarkerAction(
      placement.markerName, ppro.Marker.MARKER_TYPE_COMMENT, at(placement.inTicks), ppro.TickTime.TIME_ZERO, placement.markerComment));
  };
  for (const creates of [true, false]) {
    const part = round.filter((result) => result.createsTrack === creates);
    if (part.length) transact(project, "SparkVSR: place upscaled clips", (compound) => part.forEach((result) => edit(result, compound)));
  }
}

/**
 * Start/end ticks of the clips on each existing video track.
 * @param {premierepro} ppro
 * @param {Sequence} sequence
 * @param {number} count
 */
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

/**
 * Checks that every result landed where asked, with its in/out, and nothing else moved.
 * @param {premierepro} ppro
 * @param {Sequence} sequence
 * @param {LaidResult[]} laid
 * @param {string[]} before  trackSpans before the placement
 * @throws {PremiereError} what is not as asked
 */
async function checkPlaced(ppro, sequence, laid, before) {
  const problems = [];
  for (const result of laid) {
    const track = await sequence.getVideoTrack(result.targetTrack);
    const items = track ? track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false) : [];
    let found = null;
    for (const item of items) {
      if ((await item.getStartTime()).ticks === String(result.placement.startTicks)) found = item;
    }
    const got = found && [(await found.getEndTime()).ticks, (await found.getInPoint()).ticks, (await found.getOutPoint()).ticks];
    const want = [result.placement.endTicks, result.placement.inTicks, result.placement.outTicks].map(String);
    if (!got || got.join() !== want.join()) {
      problems.push(`${result.placement.label} did not land on V${result.targetTrack + 1} at its sequence time with its in/out`);
    }
  }
  const after = await trackSpans(ppro, sequence, before.length);
  if (after.join("|") !== before.join("|")) problems.push("existing clips moved");
  if (problems.length) throw new PremiereError(`Premiere did not place the results as asked (${problems.join("; ")})`);
}

/**
 * Takes out everything the placement added: the clips on tracks, the imported items, the bin if it
 * was made for them. Each step is read back; returns what could not be taken out, in words.
 * @param {premierepro} ppro
 * @param {Project} project
 * @param {Sequence} sequence
 * @param {{root: FolderItem, bin: FolderItem, created: boolean, items: ClipProjectItem[]}} added
 * @returns {Promise<string[]>}
 */
async function takeBack(ppro, project, sequence, added) {
  const ids = new Set(added.items.map((item) => ppro.ProjectItem.cast(item).getId()));
  const placed = await trackItemsOf(ppro, sequence, ids);
  if (placed.length) {
    const editor = ppro.SequenceEditor.getEditor(sequence);
    // The selection is valid only inside this callback (eslint-plugin-premierepro
    // no-empty-selection-escape): it is filled and used here, and never kept.
    ppro.TrackItemSelection.createEmptySelection((selection) => {
      placed.forEach(({ item }) => selection.addItem(item, true));
      attempt(() => transact(project, "SparkVSR: remove placed clips", (compound) => {
        compound.addAction(editor.createRemoveItemsAction(selection, false, ppro.Constants.MediaType.VIDEO, false));
      }));
    });
  }
  const left = (await trackItemsOf(ppro, sequence, ids)).map(({ track, name }) => `${name} on V${track + 1}`);
  attempt(() => removeFromBin(ppro, project, added.bin, added.items));
  const binIds = new Set((await added.bin.getItems()).map((item) => item.getId()));
  left.push(...added.items.filter((item) => binIds.has(ppro.ProjectItem.cast(item).getId())).map((item) => `${item.name} in bin ${added.bin.name}`));
  if (added.created && !(await added.bin.getItems()).length) {
    attempt(() => removeFromBin(ppro, project, added.root, [added.bin]));
    if ((await added.root.getItems()).some((item) => item.getId() === ppro.ProjectItem.cast(added.bin).getId())) left.push(`the empty bin ${added.bin.name}`);
  }
  return left;
}

/**
 * Runs an undo step whose failure the caller finds by reading the project back.
 * @param {() => void} step
 */
function attempt(step) {
  try {
    step();
  } catch (_) {
    // read back by the caller
  }
}

/**
 * The clips on the sequence's video tracks that show one of these project items.
 * @param {premierepro} ppro
 * @param {Sequence} sequence
 * @param {Set<string>} ids  project item ids
 * @returns {Promise<{item: VideoClipTrackItem, track: number, name: string}[]>}
 */
async function trackItemsOf(ppro, sequence, ids) {
  const found = [];
  const count = await sequence.getVideoTrackCount();
  for (let track = 0; track < count; track += 1) {
    for (const item of (await sequence.getVideoTrack(track)).getTrackItems(ppro.Constants.TrackItemType.CLIP, false)) {
      const projectItem = await item.getProjectItem();
      if (projectItem && ids.has(projectItem.getId())) found.push({ item, track, name: await item.getName() });
    }
  }
  return found;
}

module.exports = { placeResults };
