// Premiere's time to media frame indices, exactly: ticks are integers and rates are rationals.
"use strict";

/** Premiere counts time in ticks: 254016000000 a second (divisible by every common rate). */
const TICKS_PER_SECOND = 254016000000n;

/**
 * @typedef {{num: number, den: number}} Rate  frames per second as an exact fraction
 */

/**
 * The exact rational behind a frame rate that Premiere reports as a double:
 * 23.976... -> 24000/1001, 29.97... -> 30000/1001 (drop-frame or not: the rate is the same), 25 -> 25.
 * @param {number} fps
 * @returns {Rate}
 */
function exactRate(fps) {
  if (!(fps > 0) || !Number.isFinite(fps)) {
    throw new RangeError(`frame rate must be a positive number, got ${fps}`);
  }
  const ntsc = (fps * 1001) / 1000;
  // Also catches rates written to three decimals (23.976, 29.97, 59.94).
  if (Math.abs(ntsc - Math.round(ntsc)) < 1e-3 && Math.abs(fps - Math.round(fps)) > 1e-3) {
    return { num: Math.round(ntsc) * 1000, den: 1001 };
  }
  return closestFraction(fps, 1001);
}

/**
 * The fraction nearest to `value` with a denominator up to `maxDen` (Stern-Brocot walk).
 * @param {number} value
 * @param {number} maxDen
 * @returns {Rate}
 */
function closestFraction(value, maxDen) {
  let [lowNum, lowDen, highNum, highDen] = [Math.floor(value), 1, Math.floor(value) + 1, 1];
  let best = { num: lowNum, den: 1 };
  for (;;) {
    const num = lowNum + highNum;
    const den = lowDen + highDen;
    if (den > maxDen) break;
    if (Math.abs(num / den - value) < Math.abs(best.num / best.den - value)) best = { num, den };
    if (Math.abs(num / den - value) < 1e-9) return { num, den };
    if (num / den < value) [lowNum, lowDen] = [num, den];
    else [highNum, highDen] = [num, den];
  }
  for (const candidate of [{ num: lowNum, den: lowDen }, { num: highNum, den: highDen }]) {
    if (Math.abs(candidate.num / candidate.den - value) < Math.abs(best.num / best.den - value)) {
      best = candidate;
    }
  }
  return best;
}

/**
 * Ticks as a BigInt, from a TickTime's `ticks` string (or a number or BigInt).
 * @param {string | number | bigint} ticks
 * @returns {bigint}
 */
function toTicks(ticks) {
  return typeof ticks === "bigint" ? ticks : BigInt(ticks);
}

/**
 * floor(a / b) for BigInts of any sign.
 * @param {bigint} a
 * @param {bigint} b
 */
function floorDiv(a, b) {
  const quotient = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? quotient - 1n : quotient;
}

/**
 * The index of the frame showing `ticks` after frame 0 at `rate`.
 * @param {string | number | bigint} ticks
 * @param {Rate} rate
 * @returns {number}
 */
function frameAt(ticks, rate) {
  return Number(floorDiv(toTicks(ticks) * BigInt(rate.num), TICKS_PER_SECOND * BigInt(rate.den)));
}

/**
 * Frames at `rate` that a duration covers (a part-frame counts: it shows).
 * @param {string | number | bigint} ticks
 * @param {Rate} rate
 * @returns {number}
 */
function framesCovering(ticks, rate) {
  return -Number(floorDiv(-toTicks(ticks) * BigInt(rate.num), TICKS_PER_SECOND * BigInt(rate.den)));
}

/**
 * The time of frame `frame` at `rate`, in ticks (exact for 23.976, 25, 29.97, 59.94...).
 * @param {number} frame
 * @param {Rate} rate
 * @returns {bigint}
 */
function ticksOfFrame(frame, rate) {
  return floorDiv(BigInt(frame) * TICKS_PER_SECOND * BigInt(rate.den), BigInt(rate.num));
}

/** @param {Rate} rate */
function rateText(rate) {
  return rate.den === 1 ? `${rate.num}` : `${rate.num}/${rate.den}`;
}

module.exports = { TICKS_PER_SECOND, exactRate, toTicks, frameAt, framesCovering, ticksOfFrame, rateText };
