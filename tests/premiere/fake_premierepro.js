// The one fake of Premiere's `premierepro` module (UXP, typings @adobe/premierepro 26.3.0), for the
// calls the panel makes. `tsc --noEmit` checks every fake class against the typings' own type
// (`@implements {Pick<Type, ...>}`), so a signature drift shows up as a type error.
//
// Behaviour modelled as the typings and Adobe's documentation describe it (each rule names its
// source beside the code that models it):
// - times are TickTime (254016000000 ticks a second); track item in/out points and clip marker times
//   count from the project item's start (0 = its first frame, whatever its start timecode); track
//   item start/end and sequence markers count from the sequence's start;
// - actions are created inside project.lockedAccess() or executeTransaction(), used in the lock scope
//   that made them, and run in executeTransaction, all of a transaction or none of it;
// - createInsertProjectItemAction with a track index past the last track creates a track; the
//   inserted clip takes the project item's in/out points; with limitShift only the target track
//   shifts; createOverwriteItemAction needs an existing track;
// - importFiles(paths, suppressUI, targetBin, asNumberedStills) imports the files it can read into
//   the bin and answers false when one could not be imported.
// Where Adobe's sources disagree or say nothing, each reading is a variant (VARIANTS, in
// fake_premierepro_base.js with the groundwork), chosen per project: the panel must pass under every one.
"use strict";

/** @import * as P from "@adobe/premierepro" */
/** @import { Faithful } from "./fake_types" */

const {
  VARIANTS, variantsOf, TICKS_PER_SECOND, TYPE, VIDEO_GUID, AUDIO_GUID, Constants, guid, FakeTickTime, tick, TickTime, ticksOfFrames, rateOf, FakeAction, FakeCompoundAction,
} = require("./fake_premierepro_base.js");
/** @import { Variants } from "./fake_premierepro_base.js" */

/** @implements {Faithful<P.Marker, "getName" | "getComments" | "getStart" | "getDuration" | "getType" | "guid">} */
class FakeMarker {
  /** @param {string} name @param {string} type @param {P.TickTime} start @param {P.TickTime} duration @param {string} comments */
  constructor(name, type, start, duration, comments) {
    this.name = name;
    this.type = type;
    this.start = start;
    this.duration = duration;
    this.comments = comments;
    this.guid = guid(`marker-${nextId()}`);
  }
  getName() { return this.name; }
  getComments() { return this.comments; }
  getStart() { return this.start; }
  getDuration() { return this.duration; }
  getType() { return this.type; }
}

/** @implements {Faithful<P.Markers, "getMarkers" | "createAddMarkerAction">} */
class FakeMarkers {
  /** @param {FakeProject} project */
  constructor(project) {
    this.project = project;
    /** @type {FakeMarker[]} */
    this.list = [];
  }
  getMarkers() { return [...this.list]; }
  /** @param {string} name @param {string} [type] @param {any} [start] @param {any} [duration] @param {string} [comments] */
  // "Add a new marker" (typings Markers.createAddMarkerAction(Name, markerType?, startTime?,
  // duration?, comments?)); a clip marker's time counts from the media's first frame, which no
  // source states (README, In Premiere Pro: not yet seen on a real Premiere).
  createAddMarkerAction(name, type = "Comment", start = TickTime.TIME_ZERO, duration = TickTime.TIME_ZERO, comments = "") {
    return new FakeAction(this.project, `add marker ${name}`, () => {
      const marker = new FakeMarker(name, type, start, duration, comments);
      this.list.push(marker);
      return () => this.list.splice(this.list.indexOf(marker), 1);
    });
  }
}

let idCounter = 0;
const nextId = () => String((idCounter += 1));

/** @implements {Faithful<P.ClipProjectItem, "getMediaFilePath" | "isOffline" | "isSequence" | "getFootageInterpretation" | "createSetFootageInterpretationAction" | "getMedia" | "createSetInOutPointsAction" | "getInPoint" | "getOutPoint" | "type" | "name">} */
class FakeClipItem {
  /**
   * @param {FakeProject} project
   * @param {{name?: string, path: string, rate: [number, number], interpret?: [number, number], frames: number, startFrame?: number, offline?: boolean, sequence?: boolean}} media
   *   rate: the file's own; interpret: the rate Premiere is told to play it at (Interpret Footage)
   */
  constructor(project, media) {
    this.project = project;
    this.id = `item-${nextId()}`;
    this.name = media.name || media.path.split(/[\\/]/).pop() || media.path;
    this.type = TYPE.CLIP;
    this.media = media;
    this.markers = new FakeMarkers(project);
    /** @type {FakeFolder | null} */
    this.parent = null;
    /** @type {bigint | null} null: none set (the media's start) */
    this.inPoint = null;
    /** @type {bigint | null} null: none set (the media's end) */
    this.outPoint = null;
  }
  getId() { return this.id; }
  getParentBin() { return this.parent; }
  async getMediaFilePath() { return this.media.sequence ? "" : this.media.path; }
  async isOffline() { return Boolean(this.media.offline); }
  async isSequence() { return Boolean(this.media.sequence); }
  /**
   * An interpreted item shows frame n at n / (interpreted rate): its times follow that rate.
   * @returns {[number, number]}
   */
  get playRate() { return this.media.interpret || this.media.rate; }
  /** @param {number} frame */
  frameTicks(frame) { return ticksOfFrames(frame, ...this.playRate); }
  get durationTicks() { return this.frameTicks(this.media.frames); }
  /**
   * The footage's frame rate as Premiere plays it (footageinterpretation.md getFrameRate: "Get
   * frame rate of footage"; setFrameRate changes this object only, until an action applies it).
   */
  async getFootageInterpretation() {
    const [num, den] = this.playRate;
    const interpretation = { fps: num / den, getFrameRate: () => interpretation.fps, setFrameRate: (/** @type {number} */ fps) => { interpretation.fps = fps; return true; } };
    return /** @type {P.FootageInterpretation} */ (/** @type {unknown} */ (interpretation));
  }
  /** @param {any} interpretation */
  createSetFootageInterpretationAction(interpretation) {
    return new FakeAction(this.project, `interpret ${this.name}`, () => {
      const before = this.media.interpret;
      const fps = interpretation.fps;
      const native = this.media.rate[0] / this.media.rate[1];
      this.media.interpret = Math.abs(fps - native) < 1e-9 ? undefined : rateOf(fps);
      return () => { this.media.interpret = before; };
    });
  }
  async getMedia() {
    // start: the media's start timecode as a time; duration: its length, in the shape the variant
    // says (Variants.mediaDuration: a Promise, a plain TickTime, or only getDuration()).
    const start = tick(this.frameTicks(this.media.startFrame || 0));
    const duration = tick(this.durationTicks);
    const shapes = {
      promise: () => ({ start: Promise.resolve(start), duration: Promise.resolve(duration) }),
      value: () => ({ start, duration }),
      method: () => ({ getStart: () => start, getDuration: () => duration }),
    };
    return /** @type {P.Media} */ (/** @type {unknown} */ (shapes[this.project.variants.mediaDuration]()));
  }
  /** @param {number} [_mediaType] */
  async getInPoint(_mediaType) { return tick(this.inPoint ?? 0n); }
  /** @param {number} [_mediaType] */
  async getOutPoint(_mediaType) { return tick(this.outPoint ?? this.durationTicks); }
  /** @param {any} inPoint @param {any} outPoint */
  // "Set the in or out point of the Project item" (typings ClipProjectItem); an in/out outside the
  // media fails the transaction (not documented; a stricter reading than Premiere may have).
  createSetInOutPointsAction(inPoint, outPoint) {
    return new FakeAction(this.project, "set in/out", () => {
      const before = [this.inPoint, this.outPoint];
      if (inPoint.value < 0n || outPoint.value > this.durationTicks || inPoint.value >= outPoint.value) {
        throw new Error(`in/out ${inPoint.ticks}..${outPoint.ticks} outside the media`);
      }
      [this.inPoint, this.outPoint] = [inPoint.value, outPoint.value];
      return () => { [this.inPoint, this.outPoint] = before; };
    });
  }
}

/** @implements {Faithful<P.FolderItem, "createBinAction" | "getItems" | "createRemoveItemAction" | "type" | "name">} */
class FakeFolder {
  /** @param {FakeProject} project @param {string} name */
  constructor(project, name, type = TYPE.BIN) {
    this.project = project;
    this.name = name;
    this.type = type;
    this.id = `bin-${nextId()}`;
    /** @type {FakeFolder | null} */
    this.parent = null;
    /** @type {any[]} */ this.children = [];
  }
  getId() { return this.id; }
  async getItems() { return [...this.children]; }
  /** @template {FakeClipItem | FakeFolder} T @param {T} item @returns {T} */
  add(item) { item.parent = this; this.children.push(item); return item; }
  /** @param {string} name @param {boolean} makeUnique */
  // "Returns an action that lets users create a new bin" (typings FolderItem.createBinAction); with
  // makeUnique a taken name gets a suffix (the fake's spelling of it is its own).
  createBinAction(name, makeUnique) {
    return new FakeAction(this.project, `create bin ${name}`, () => {
      const taken = this.children.some((child) => child.name === name);
      const bin = this.add(new FakeFolder(this.project, taken && makeUnique ? `${name} 01` : name));
      return () => this.children.splice(this.children.indexOf(bin), 1);
    });
  }
  /** @param {any} item */
  // "Creates an action that removes the given item from this folder" (typings FolderItem).
  createRemoveItemAction(item) {
    return new FakeAction(this.project, `remove ${item.name}`, () => {
      const index = this.children.indexOf(item);
      if (index < 0) throw new Error(`${item.name} is not in ${this.name}`);
      this.children.splice(index, 1);
      return () => this.children.splice(index, 0, item);
    });
  }
}

/** @implements {Faithful<P.VideoClipTrackItem, "getName" | "getTrackIndex" | "getStartTime" | "getEndTime" | "getInPoint" | "getOutPoint" | "getSpeed" | "isSpeedReversed" | "getProjectItem" | "getMediaType" | "getType" | "getIsSelected">} */
class FakeTrackItem {
  /** @param {{name: string, projectItem: any, start: bigint, inPoint: bigint, outPoint: bigint, speed?: number, reversed?: boolean, track?: number, audio?: boolean}} fields */
  constructor({ name, projectItem, start, inPoint, outPoint, speed = 1, reversed = false, track = 0, audio = false }) {
    this.name = name;
    this.projectItem = projectItem;
    this.start = start;
    this.inPoint = inPoint;
    this.outPoint = outPoint;
    this.speed = speed;
    this.reversed = reversed;
    this.track = track;
    this.audio = audio;
    this.selected = false;
  }
  /** A speed change shows the used media over a shorter or longer time. */
  get end() { return this.start + ((this.outPoint - this.inPoint) * 1000000n) / BigInt(Math.round(this.speed * 1000000)); }
  async getName() { return this.name; }
  async getTrackIndex() { return this.track; }
  async getStartTime() { return tick(this.start); }
  async getEndTime() { return tick(this.end); }
  async getInPoint() { return tick(this.inPoint); }
  async getOutPoint() { return tick(this.outPoint); }
  async getSpeed() { return this.speed; }
  async isSpeedReversed() { return this.reversed ? 1 : 0; }
  async getProjectItem() { return this.projectItem; }
  async getMediaType() { return guid(this.audio ? AUDIO_GUID : VIDEO_GUID); }
  async getType() { return Constants.TrackItemType.CLIP; }
  async getIsSelected() { return this.selected; }
}

/** @implements {Faithful<P.VideoTrack, "getTrackItems" | "getIndex" | "getMediaType" | "name" | "id">} */
class FakeVideoTrack {
  /** @param {number} index */
  constructor(index) {
    this.index = index;
    this.id = index;
    this.name = `Video ${index + 1}`;
    /** @type {FakeTrackItem[]} */
    this.items = [];
  }
  /** @param {number} _type @param {boolean} _includeEmpty */
  getTrackItems(_type, _includeEmpty) { return [...this.items].sort((a, b) => Number(a.start - b.start)); }
  async getIndex() { return this.index; }
  async getMediaType() { return guid(VIDEO_GUID); }
}

/** @implements {Faithful<P.TrackItemSelection, "addItem" | "getTrackItems">} */
class FakeSelection {
  /** @param {any[]} [items] */
  constructor(items = []) {
    /** @type {any[]} */ this.items = items;
    /** false once a createEmptySelection() callback returned (Variants.selectionScope) */
    this.alive = true;
  }
  /** @param {string} call */
  check(call) {
    // "using it later leads to runtime errors, since the selection is no longer backed by a live
    // session" (eslint-plugin-premierepro docs/rules/no-empty-selection-escape.md)
    if (!this.alive) throw new Error(`${call}: the selection escaped its createEmptySelection() callback`);
  }
  /** @param {any} item */
  addItem(item) { this.check("TrackItemSelection.addItem"); this.items.push(item); return true; }
  async getTrackItems() { this.check("TrackItemSelection.getTrackItems"); return [...this.items]; }
}

/** @implements {Faithful<P.Sequence, "getSelection" | "getVideoTrackCount" | "getVideoTrack" | "name">} */
class FakeSequence {
  /** @param {FakeProject} project @param {string} name */
  constructor(project, name, videoTracks = 1) {
    this.project = project;
    this.name = name;
    this.tracks = Array.from({ length: videoTracks }, (_, index) => new FakeVideoTrack(index));
    this.markers = new FakeMarkers(project);
    /** @type {FakeTrackItem[]} */ this.audioItems = [];
  }
  async getSelection() {
    const video = this.tracks.flatMap((track) => track.items).filter((item) => item.selected);
    return new FakeSelection([...video, ...this.audioItems.filter((item) => item.selected)]);
  }
  async getVideoTrackCount() { return this.tracks.length; }
  /** @param {number} index */
  async getVideoTrack(index) { return this.tracks[index]; }
}

/** @implements {Faithful<P.SequenceEditor, "createInsertProjectItemAction" | "createOverwriteItemAction" | "createRemoveItemsAction">} */
class FakeSequenceEditor {
  /** @param {FakeSequence} sequence */
  constructor(sequence) { this.sequence = sequence; this.project = sequence.project; }
  /** @param {any} item @param {any} time @param {number} videoTrackIndex @param {number} _audio @param {boolean} limitShift */
  createInsertProjectItemAction(item, time, videoTrackIndex, _audio, limitShift) {
    const range = this.rangeAtCreate(item);
    return new FakeAction(this.project, "insert", () => {
      const tracks = this.sequence.tracks;
      // "If you pass a track index greater than the number of existing tracks, a new track will be
      // created" (sequenceeditor.md, createInsertProjectItemAction).
      const created = videoTrackIndex >= tracks.length;
      if (created) tracks.push(new FakeVideoTrack(tracks.length));
      const target = created ? tracks[tracks.length - 1] : tracks[videoTrackIndex];
      const placed = this.trackItem(item, time.value, target.index, range);
      // An insert pushes later clips along; limitShift keeps that to the target track (the typings
      // name the parameter and say no more).
      const shifted = (limitShift ? [target] : tracks).flatMap((track) => track.items).filter((other) => other.start >= placed.start);
      shifted.forEach((other) => { other.start += placed.end - placed.start; });
      target.items.push(placed);
      return () => {
        target.items.splice(target.items.indexOf(placed), 1);
        shifted.forEach((other) => { other.start -= placed.end - placed.start; });
        if (created) tracks.pop();
      };
    });
  }
  /** @param {any} item @param {any} time @param {number} videoTrackIndex @param {number} _audio */
  // "Create overwrite Sequence with ProjectItem Action" (sequenceeditor.md); that it needs an
  // existing track, and that the fake refuses to trim what it covers, are the fake's own limits.
  createOverwriteItemAction(item, time, videoTrackIndex, _audio) {
    const range = this.rangeAtCreate(item);
    return new FakeAction(this.project, "overwrite", () => {
      const target = this.sequence.tracks[videoTrackIndex];
      if (!target) throw new Error(`no video track ${videoTrackIndex}`);
      const placed = this.trackItem(item, time.value, videoTrackIndex, range);
      if (target.items.some((other) => other.start < placed.end && other.end > placed.start)) {
        throw new Error("the fake does not trim overwritten clips");
      }
      target.items.push(placed);
      return () => target.items.splice(target.items.indexOf(placed), 1);
    });
  }
  /**
   * The item's in/out when the action is made, for Variants.insertRange "at-create".
   * @param {FakeClipItem} item
   * @returns {[bigint | null, bigint | null] | null}
   */
  rangeAtCreate(item) {
    return this.project.variants.insertRange === "at-create" ? [item.inPoint, item.outPoint] : null;
  }
  /**
   * The clip an edit puts down: the project item's in/out (now, or as captured), at `start`.
   * @param {FakeClipItem} item @param {bigint} start @param {number} track
   * @param {[bigint | null, bigint | null] | null} captured
   */
  trackItem(item, start, track, captured) {
    const [inNow, outNow] = captured || [item.inPoint, item.outPoint];
    const placed = new FakeTrackItem({
      name: item.name, projectItem: item, start, inPoint: inNow ?? 0n, outPoint: outNow ?? item.durationTicks, track,
    });
    if (this.project.tamper) this.project.tamper(placed);
    return placed;
  }
  /** @param {any} selection @param {boolean} _ripple @param {number} _mediaType @param {boolean} [_shiftOverlapping] */
  // "Create remove action for sequence" from a TrackItemSelection (sequenceeditor.md); the
  // selection must still be alive when the action is made and when it runs (Variants.selectionScope).
  createRemoveItemsAction(selection, _ripple, _mediaType, _shiftOverlapping) {
    selection.check("createRemoveItemsAction");
    return new FakeAction(this.project, "remove items", () => {
      selection.check("remove items");
      /** @type {FakeTrackItem[]} */
      const items = selection.items;
      const removed = items.map((item) => {
        const track = this.sequence.tracks[item.track];
        track.items.splice(track.items.indexOf(item), 1);
        return { track, item };
      });
      return () => removed.forEach(({ track, item }) => track.items.push(item));
    });
  }
}

/** @implements {Faithful<P.Project, "getActiveSequence" | "getRootItem" | "importFiles" | "executeTransaction" | "lockedAccess" | "name" | "path">} */
class FakeProject {
  /** @param {{name?: string, probe?: (path: string) => any, variants?: Partial<Variants>}} [options] */
  constructor(options = {}) {
    this.name = options.name || "Fake project";
    this.path = `/projects/${this.name}.prproj`;
    this.variants = variantsOf(options.variants);
    this.root = new FakeFolder(this, "root", TYPE.ROOT);
    /** @type {FakeSequence | null} */ this.activeSequence = null;
    this.probe = options.probe || (() => null);
    /** @type {object | null} the lock scope held now (lockedAccess or executeTransaction), null = none */
    this.scope = null;
    /** @type {string[]} */ this.history = [];
    /** @type {((action: FakeAction) => boolean) | null} test hook: Premiere refuses that action */
    this.refuse = null;
    /** @type {((placed: FakeTrackItem) => void) | null} test hook: Premiere places a clip otherwise than asked */
    this.tamper = null;
    /** @type {(path: string) => string} test hook: how Premiere spells an imported file's path back (its platform's way) */
    this.reportPath = (path) => path;
  }
  /** @param {string} call */
  checkLocked(call) {
    if (!this.scope) throw new Error(`${call}: actions must be created inside project.lockedAccess() or executeTransaction()`);
  }
  async getActiveSequence() { return this.activeSequence; }
  async getRootItem() { return this.root; }
  /**
   * Runs the callback with the project locked (typings: "project state will not change during the
   * execution of callback function. Can call executeTransaction while having locked access").
   * @param {() => void} callback
   */
  lockedAccess(callback) {
    const outer = this.scope;
    this.scope = {};
    try {
      const result = /** @type {unknown} */ (callback());
      // The lock is released when the callback returns: async work inside it runs unlocked
      // (eslint-plugin-premierepro docs/rules/no-async-in-locked-access.md).
      if (result && typeof (/** @type {any} */ (result)).then === "function") throw new Error("lockedAccess: the callback must not be async");
    } finally {
      this.scope = outer;
    }
  }
  /**
   * One undoable edit: every action of the compound or none (typings: "Execute undoable
   * transaction by passing compound action"; answers whether it was done). It is also a lock scope
   * (docs/rules/require-action-lock-scope.md); the panel always nests it in lockedAccess.
   * @param {(compound: any) => void} callback @param {string} [undoString]
   */
  executeTransaction(callback, undoString) {
    const outer = this.scope;
    this.scope = this.scope || {};
    const compound = new FakeCompoundAction(this.scope);
    try {
      callback(compound);
    } finally {
      this.scope = outer;
    }
    const undos = [];
    try {
      for (const action of compound.actions) {
        if (this.refuse && this.refuse(action)) throw new Error(`refused ${action.name}`);
        undos.push(action.apply());
      }
    } catch (error) {
      undos.reverse().forEach((undo) => undo());
      return false;
    }
    this.history.push(undoString || "");
    return true;
  }
  /**
   * "Import files in root/target bin of the project", answering a Promise<boolean> (typings
   * Project.importFiles); the fake imports what it can read and answers false when any failed.
   * @param {string[]} paths @param {boolean} [_suppressUI] @param {any} [targetBin] @param {boolean} [_asStills]
   */
  async importFiles(paths, _suppressUI, targetBin, _asStills) {
    const bin = targetBin || this.root;
    let all = true;
    for (const path of paths) {
      const media = this.probe(path);
      if (media) bin.add(new FakeClipItem(this, { path: this.reportPath(path), ...media }));
      else all = false;
    }
    return all;
  }
  /** Adds media to the root bin (test setup). */
  /** @param {ConstructorParameters<typeof FakeClipItem>[1]} media */
  addMedia(media) { return this.root.add(new FakeClipItem(this, media)); }
  /** Adds a sequence and makes it active (test setup). */
  /** @param {string} name */
  addSequence(name, videoTracks = 1) { this.activeSequence = new FakeSequence(this, name, videoTracks); return this.activeSequence; }
}

/**
 * A fake `premierepro` module around one project (null = no project open).
 * @param {FakeProject | null} project
 */
function createPremierepro(project) {
  return {
    Constants,
    TickTime,
    Project: /** @type {Faithful<P.ProjectStatic, "getActiveProject">} */ ({ getActiveProject: async () => /** @type {any} */ (project) }),
    ProjectItem: /** @type {Faithful<P.ProjectItemStatic, "cast" | "TYPE_CLIP" | "TYPE_BIN" | "TYPE_ROOT" | "TYPE_FILE">} */ ({
      cast: (item) => item, TYPE_CLIP: TYPE.CLIP, TYPE_BIN: TYPE.BIN, TYPE_ROOT: TYPE.ROOT, TYPE_FILE: TYPE.FILE,
    }),
    ClipProjectItem: /** @type {Faithful<P.ClipProjectItemStatic, "cast">} */ ({
      cast: (item) => /** @type {any} */ (item instanceof FakeClipItem ? item : null),
    }),
    FolderItem: /** @type {Faithful<P.FolderItemStatic, "cast">} */ ({ cast: (item) => /** @type {any} */ (item instanceof FakeFolder ? item : null) }),
    Markers: /** @type {Faithful<P.MarkersStatic, "getMarkers">} */ ({ getMarkers: async (owner) => /** @type {any} */ (owner).markers }),
    Marker: /** @type {Faithful<P.MarkerStatic, "MARKER_TYPE_COMMENT">} */ ({ MARKER_TYPE_COMMENT: "Comment" }),
    SequenceEditor: /** @type {Faithful<P.SequenceEditorStatic, "getEditor">} */ ({ getEditor: (sequence) => /** @type {any} */ (new FakeSequenceEditor(/** @type {any} */ (sequence))) }),
    TrackItemSelection: /** @type {Faithful<P.TrackItemSelectionStatic, "createEmptySelection">} */ ({
      // The selection lives only while the callback runs (variant selectionScope, see Variants).
      createEmptySelection: (callback) => {
        const selection = new FakeSelection();
        try {
          callback(/** @type {any} */ (selection));
        } finally {
          if (project && project.variants.selectionScope === "callback") selection.alive = false;
        }
        return true;
      },
    }),
    VideoClipTrackItem: /** @type {Faithful<P.VideoClipTrackItemStatic, "TRACKITEMTYPE_CLIP">} */ ({ TRACKITEMTYPE_CLIP: Constants.TrackItemType.CLIP }),
  };
}

module.exports = { VARIANTS, TICKS_PER_SECOND, FakeProject, FakeClipItem, FakeTrackItem, FakeMarker, FakeTickTime, tick, createPremierepro, ticksOfFrames, VIDEO_GUID };
