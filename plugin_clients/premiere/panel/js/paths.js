// Comparing file paths as the editor's file system does: Premiere runs on macOS and Windows, whose
// default volumes (APFS, HFS+, NTFS) ignore case, and it may report a path with other separators or,
// on macOS, in decomposed Unicode than the one the panel asked to import.
"use strict";

/**
 * A key under which two spellings of one file on macOS or Windows compare equal.
 * @param {string} path
 * @returns {string}
 */
function pathKey(path) {
  const unified = path.normalize("NFC").replace(/\\/g, "/");
  const lead = unified.startsWith("//") ? "//" : ""; // a Windows share: \\server\share
  const body = unified.slice(lead.length).replace(/\/{2,}/g, "/").replace(/\/(?:\.\/)+/g, "/");
  return (lead + body).toLowerCase();
}

module.exports = { pathKey };
