// Which markers mark keyframes and which still a marker names: the timeline bridge's convention.
"use strict";

const DEFAULT_MARKER_PREFIX = "SparkVSR";
const STILL_SUFFIXES = [".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg"];

/**
 * A marker as the panel sees it (read from Premiere by the adapter).
 * @typedef {{name: string, comment: string, startTicks: string}} MarkerFacts
 */

/**
 * Whether a marker marks a keyframe: its name starts with the prefix, in any case.
 * @param {MarkerFacts} marker
 * @param {string} [prefix]
 */
function isKeyframeMarker(marker, prefix = DEFAULT_MARKER_PREFIX) {
  return (marker.name || "").toLowerCase().startsWith(prefix.toLowerCase());
}

/**
 * The high-resolution still a marker's comment names, or null: a comment counts as a still when it
 * ends with an image suffix.
 * @param {MarkerFacts} marker
 * @returns {string | null}
 */
function stillNamedBy(marker) {
  const note = (marker.comment || "").trim();
  return STILL_SUFFIXES.some((suffix) => note.toLowerCase().endsWith(suffix)) ? note : null;
}

/**
 * The name of the marker that records a result on a placed clip. It never starts with the keyframe
 * prefix, so a later run never takes it for a keyframe.
 * @param {number} scale
 * @param {string} [prefix]
 */
function resultMarkerName(scale, prefix = DEFAULT_MARKER_PREFIX) {
  const name = `Upscaled x${scale} (SparkVSR)`;
  return isKeyframeMarker({ name, comment: "", startTicks: "0" }, prefix) ? `Result: ${name}` : name;
}

module.exports = { DEFAULT_MARKER_PREFIX, isKeyframeMarker, stillNamedBy, resultMarkerName };
