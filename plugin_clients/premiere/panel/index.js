// The panel's entry point in Premiere: hands the host's modules to the panel.
"use strict";

const { startPanel } = require("./js/panel.js");

async function chooseFolder() {
  const folder = await require("uxp").storage.localFileSystem.getFolder();
  return folder ? folder.nativePath : null;
}

startPanel({ document, ppro: require("premierepro"), WebSocket, storage: localStorage, chooseFolder });
