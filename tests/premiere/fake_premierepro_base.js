// The premierepro fake's groundwork: the readings of what Adobe's sources leave open (VARIANTS),
// constants, TickTime, and actions with their lock scopes. fake_premierepro.js builds on it and is
// the one module the tests load.
"use strict";

/** @import * as P from "@adobe/premierepro" */
/** @import { Faithful } from "./fake_types" */

const TICKS_PER_SECOND = 254016000000n;
const TYPE = { CLIP: 1, BIN: 2, ROOT: 3, FILE: 4 };
const VIDEO_GUID = "228cda18-3625-4d2d-951e-348879e4ed93";
const AUDIO_GUID = "80b8e3d5-6dca-4195-aefb-cb5f407ab009";
/**
 * The readings of behaviour Adobe's sources disagree on or leave open; the first of each is the default.
 * @typedef {object} Variants
 * @property {"promise" | "value" | "method"} mediaDuration  Media's length: `duration` a
 *   Promise<TickTime> (reference 26.3, AdobeDocs/uxp-premiere-pro src/pages/ppro-reference/classes/media.md),
 *   a plain TickTime (the 26.3.0 typings this file is checked against: `readonly duration: TickTime`), or only
 *   `getDuration()` (media.md's later revision: `getDuration()` since 26.5, `duration` deprecated;
 *   Adobe's samples call it since July 2026).
 * @property {"callback" | "lenient"} selectionScope  a TrackItemSelection from createEmptySelection()
 *   is dead once its callback returns (adobe/eslint-plugin-premierepro docs/rules/no-empty-selection-escape.md,
 *   no-async-in-empty-selection.md: "only valid for the duration of that callback"), or lives on
 *   (the 26.3 reference, trackitemselection.md, says nothing either way).
 * @property {"at-apply" | "at-create"} insertRange  which in/out an inserted or overwritten clip takes:
 *   the project item's at the moment the action runs (so an in/out set earlier in the same
 *   transaction counts), or at the moment the action was created. sequenceeditor.md does not say.
 */
/** @type {{[K in keyof Variants]: Variants[K][]}} */
const VARIANTS = {
  mediaDuration: ["promise", "value", "method"],
  selectionScope: ["callback", "lenient"],
  insertRange: ["at-apply", "at-create"],
};

/** @param {Partial<Variants>} [chosen] @returns {Variants} */
function variantsOf(chosen = {}) {
  // FAKE_PREMIEREPRO_VARIANTS='{"mediaDuration": "method"}' runs a whole suite under other readings.
  const fromEnv = typeof process === "object" && process.env.FAKE_PREMIEREPRO_VARIANTS;
  const all = { ...(fromEnv ? JSON.parse(fromEnv) : {}), ...chosen };
  for (const [name, value] of Object.entries(all)) {
    if (!(/** @type {any} */ (VARIANTS))[name]?.includes(value)) throw new Error(`unknown fake variant ${name}=${value}`);
  }
  return { mediaDuration: "promise", selectionScope: "callback", insertRange: "at-apply", ...all };
}

const Constants = {
  MediaType: { ANY: 0, DATA: 1, VIDEO: 2, AUDIO: 3 },
  TrackItemType: { EMPTY: 0, CLIP: 1, TRANSITION: 2, PREVIEW: 3, FEEDBACK: 4 },
  ContentType: { ANY: 0, SEQUENCE: 1, MEDIA: 2 },
};

/** @implements {Faithful<P.Guid, "toString">} */
class FakeGuid {
  /** @param {string} text */
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

/** @param {string} text @returns {P.Guid} */
function guid(text) {
  return /** @type {P.Guid} */ (/** @type {unknown} */ (new FakeGuid(text)));
}

/** @implements {Faithful<P.TickTime, "ticks" | "ticksNumber" | "seconds" | "equals" | "add" | "subtract" | "multiply" | "divide" | "alignToFrame" | "alignToNearestFrame">} */
class FakeTickTime {
  /** @param {bigint} ticks */
  constructor(ticks) { this.value = ticks; }
  get ticks() { return String(this.value); }
  get ticksNumber() { return Number(this.value); }
  get seconds() { return Number(this.value) / Number(TICKS_PER_SECOND); }
  /** @param {any} other */
  equals(other) { return other.value === this.value; }
  /** @param {any} other */
  add(other) { return tick(this.value + other.value); }
  /** @param {any} other */
  subtract(other) { return tick(this.value - other.value); }
  /** @param {number} factor */
  multiply(factor) { return tick(BigInt(Math.round(Number(this.value) * factor))); }
  /** @param {number} divisor */
  divide(divisor) { return tick(BigInt(Math.round(Number(this.value) / divisor))); }
  /** @param {any} rate */
  alignToFrame(rate) { const step = BigInt(rate.ticksPerFrame); return tick((this.value / step) * step); }
  /** @param {any} rate */
  alignToNearestFrame(rate) {
    const step = BigInt(rate.ticksPerFrame);
    return tick(((this.value + step / 2n) / step) * step);
  }
}

/**
 * A fake TickTime where the typings want a TickTime (their instance type carries call signatures
 * no object has; the class itself is checked against the members above).
 * @param {bigint} value
 * @returns {P.TickTime}
 */
function tick(value) {
  return /** @type {P.TickTime} */ (/** @type {unknown} */ (new FakeTickTime(value)));
}

/** @type {Faithful<P.TickTimeStatic, "createWithTicks" | "createWithSeconds" | "TIME_ZERO">} */
const TickTime = {
  createWithTicks: (ticks) => tick(BigInt(ticks)),
  createWithSeconds: (seconds) => tick(BigInt(Math.round(seconds * Number(TICKS_PER_SECOND)))),
  TIME_ZERO: tick(0n),
};

/**
 * Ticks of frame `frame` at rate num/den (exact for the rates Premiere supports: 254016000000 ticks
 * a second, the TickTime unit of ticktime.md and of ExtendScript's Time.ticks).
 */
/** @param {number} frame @param {number} num @param {number} den */
function ticksOfFrames(frame, num, den) {
  return (BigInt(frame) * TICKS_PER_SECOND * BigInt(den)) / BigInt(num);
}

/** The num/den of a frame rate given in frames per second (NTSC rates as x000/1001). @param {number} fps @returns {[number, number]} */
function rateOf(fps) {
  const ntsc = Math.round(fps * 1.001);
  return Math.abs(fps - ntsc / 1.001) < 1e-6 && Math.abs(fps - Math.round(fps)) > 1e-6 ? [ntsc * 1000, 1001] : [Math.round(fps), 1];
}

/** An action: what it does, and how to take it back (a transaction is all or nothing). */
class FakeAction {
  /** @param {import("./fake_premierepro.js").FakeProject} project @param {string} name @param {() => (() => void)} apply */
  constructor(project, name, apply) {
    // Created outside any lock scope: Premiere throws (eslint-plugin-premierepro
    // docs/rules/require-action-lock-scope.md: "Calling create*Action() outside both of these
    // contexts throws a runtime exception").
    project.checkLocked(`${name}: create*Action`);
    this.name = name;
    this.apply = apply;
    // Valid only inside the lock scope that made it (docs/rules/no-action-scope-escape.md).
    this.scope = project.scope;
  }
}

/** @implements {Faithful<P.CompoundAction, "addAction" | "empty">} */
class FakeCompoundAction {
  /** @param {object} scope  the lock scope of the transaction */
  constructor(scope) {
    this.scope = scope;
    /** @type {FakeAction[]} */
    this.actions = [];
  }
  /** @param {any} action */
  addAction(action) {
    if (!(action instanceof FakeAction)) throw new TypeError("addAction: not an Action");
    if (action.scope !== this.scope) throw new Error(`addAction: ${action.name} was created in another lock scope (no-action-scope-escape)`);
    this.actions.push(action);
    return true;
  }
  get empty() { return this.actions.length === 0; }
}

module.exports = { VARIANTS, variantsOf, TICKS_PER_SECOND, TYPE, VIDEO_GUID, AUDIO_GUID, Constants, guid, FakeTickTime, tick, TickTime, ticksOfFrames, rateOf, FakeAction, FakeCompoundAction };
