// The panel's entry point in Premiere: hands the host's modules to the panel.
"use strict";

const { startPanel } = require("./js/panel.js");

async function chooseFolder() {
  const folder = await require("uxp").storage.localFileSystem.getFolder();
  return folder ? folder.nativePath : null;
}

/** The plugin's own manifest.json (the servers its network permission lets it reach). */
async function readManifest() {
  const folder = await require("uxp").storage.localFileSystem.getPluginFolder();
  const file = await folder.getEntry("manifest.json");
  return JSON.parse(await file.read());
}

startPanel({ document, ppro: require("premierepro"), WebSocket, storage: localStorage, chooseFolder, readManifest });
