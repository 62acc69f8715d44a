// Loads the panel's page in headless Chromium (Debian's /usr/bin/chromium, through playwright-core)
// with the premierepro fake injected through a stand-in for UXP's `require` and a stand-in for the
// Spectrum widgets (spectrum_standin.js), clicks Upscale against
// the real gateway, waits for the end and saves a screenshot: node drive_browser.js INPUT.json
// Prints {"status": ..., "state": ...} as JSON.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..", "..");
const SERVED = ["/plugin_clients/premiere/panel/", "/tests/premiere/"];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/**
 * The plugin's manifest with the test gateway's address added to its network permission, as a user
 * with a server elsewhere would add it (the test gateway listens on a free port, not 50052).
 * @param {string} file
 * @param {string} gateway  http://HOST:PORT
 */
function manifestAllowing(file, gateway) {
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  manifest.requiredPermissions.network.domains.push(`ws://${new URL(gateway).host}`);
  return JSON.stringify(manifest);
}

/**
 * Serves the panel and the fake, read-only, on loopback.
 * @param {string | null} gateway  added to the manifest's network permission; null: the manifest as shipped
 */
function serve(gateway) {
  const server = http.createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const file = path.join(ROOT, url);
    if (!SERVED.some((prefix) => url.startsWith(prefix)) || !file.startsWith(ROOT) || !fs.existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    response.end(gateway && url.endsWith("/panel/manifest.json") ? manifestAllowing(file, gateway) : fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Runs in the page before its scripts: CommonJS `require` as UXP offers it, with the fake. */
function hostScript(scenario, settings) {
  const cache = {};
  const load = (url) => {
    if (cache[url]) return cache[url].exports;
    const request = new XMLHttpRequest();
    request.open("GET", url, false);
    request.send();
    if (request.status !== 200) throw new Error(`cannot load ${url}`);
    const module = { exports: {} };
    cache[url] = module;
    const local = (name) => resolve(name, url);
    new Function("require", "module", "exports", request.responseText)(local, module, module.exports);
    return module.exports;
  };
  let world = null;
  // UXP's file system, as far as the panel reads it: its own folder (the served panel folder).
  const uxp = {
    storage: {
      localFileSystem: {
        getPluginFolder: async () => ({
          getEntry: async (name) => ({ read: async () => (await fetch(new URL(name, location.href))).text() }),
        }),
      },
    },
  };
  const resolve = (name, from) => {
    if (name === "premierepro") return world.ppro;
    if (name === "uxp") return uxp;
    return load(new URL(name, from).href);
  };
  world = load(new URL("/tests/premiere/scenario.js", location.href).href).buildScenario(scenario);
  const projectState = load(new URL("/tests/premiere/scenario.js", location.href).href).projectState;
  window.require = (name) => resolve(name, location.href);
  window.projectState = () => projectState(world.project);
  localStorage.setItem("sparkvsr.premiere.settings", JSON.stringify(settings));
}

async function main() {
  const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const server = await serve(input.allowServer === false ? null : input.settings.server);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sparkvsr-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: FLAGS, viewport: { width: 420, height: 640 },
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.addInitScript({ path: path.join(__dirname, "spectrum_standin.js") });
    await page.addInitScript(`(${hostScript})(${JSON.stringify(input.scenario)}, ${JSON.stringify(input.settings)})`);
    await page.goto(`http://127.0.0.1:${server.address().port}/plugin_clients/premiere/panel/index.html`);
    await page.waitForFunction(() => document.getElementById("status").textContent !== "connecting...");
    const listed = await page.locator("#clips li").allInnerTexts();
    // The page's own controls are Spectrum widgets; plain ones would live outside any shadow root.
    const plainControls = await page.evaluate(() => document.querySelectorAll("select, input, button, textarea").length);
    await page.click("#upscale");
    await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: input.timeoutMs || 240000 });
    await page.screenshot({ path: input.screenshot, fullPage: true });
    const status = await page.locator("#status").innerText();
    const state = await page.evaluate(() => window.projectState());
    process.stdout.write(JSON.stringify({ listed, plainControls, status, state, errors }));
  } finally {
    await context.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack));
  process.exit(1);
});
