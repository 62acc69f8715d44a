// The panel's page: settings, the selected clips with their keyframes, Upscale, Cancel, progress.
"use strict";

const { describePlan } = require("./plan.js");
const { OUTPUT_FORMATS } = require("./jobs.js");
const { DEFAULT_SERVER, GatewayClient, socketUrl, serverNotAllowed } = require("./gateway.js");
const { Workflow, RunStopped, loadSelection } = require("./workflow.js");

const SETTINGS_KEY = "sparkvsr.premiere.settings";
const DEFAULTS = { server: DEFAULT_SERVER, token: "", scale: 4, engine: "", provider: "", outputFormat: OUTPUT_FORMATS[0], outputDir: "" };

/**
 * What the panel gets from its host (UXP in Premiere, a stand-in in tests).
 * @typedef {object} PanelHost
 * @property {Document} document
 * @property {any} ppro  the premierepro module
 * @property {any} WebSocket
 * @property {Storage} storage
 * @property {() => Promise<any>} readManifest  the plugin's manifest.json, parsed: the servers it may reach
 * @property {() => Promise<string | null>} [chooseFolder]
 */

/**
 * Wires the page to Premiere and the gateway.
 * @param {PanelHost} host
 */
function startPanel(host) {
  const panel = new Panel(host);
  panel.init();
  return panel;
}

class Panel {
  /** @param {PanelHost} host */
  constructor({ document, ppro, WebSocket, storage, chooseFolder, readManifest }) {
    this.document = document;
    this.readManifest = readManifest;
    /** @type {any} */
    this.manifest = {};
    this.ppro = ppro;
    this.WebSocketClass = WebSocket;
    this.storage = storage;
    this.chooseFolder = chooseFolder;
    this.plans = [];
    this.sequenceName = "";
    this.minKeyframeGap = 1;
    this.workflow = null;
  }

  /** @returns {any} the element (inputs, selects and buttons alike) */
  $(id) {
    return this.document.getElementById(id);
  }

  init() {
    const saved = { ...DEFAULTS, ...JSON.parse(this.storage.getItem(SETTINGS_KEY) || "{}") };
    this.$("server").value = saved.server;
    this.$("scale").value = String(saved.scale);
    this.$("provider").value = saved.provider;
    this.$("format").innerHTML = OUTPUT_FORMATS.map((name) => `<option value="${name}">${name}</option>`).join("");
    this.$("format").value = saved.outputFormat;
    this.$("folder").value = saved.outputDir;
    this.engineWanted = saved.engine;
    this.token = saved.token;
    this.$("refresh").addEventListener("click", () => this.refresh());
    this.$("upscale").addEventListener("click", () => this.upscale());
    this.$("cancel").addEventListener("click", () => this.cancel());
    if (this.chooseFolder) {
      this.$("choose-folder").addEventListener("click", async () => {
        const folder = await this.chooseFolder();
        if (folder) this.$("folder").value = folder;
      });
    } else {
      this.$("choose-folder").hidden = true;
    }
    this.ready = this.loadManifest().then(() => this.refresh()).then(() => this.resumeSavedRun());
  }

  /** Reads the manifest, whose network permission decides which servers the panel may reach. */
  async loadManifest() {
    this.manifest = await this.readManifest();
    const domains = this.manifest.requiredPermissions?.network?.domains || [];
    this.$("server-allowed").textContent =
      domains === "all" ? "any server" : `allowed by the manifest: ${domains.join(", ")}`;
  }

  settings() {
    return {
      scale: Number(this.$("scale").value),
      engine: this.$("engine").value,
      provider: this.$("provider").value,
      outputFormat: this.$("format").value,
      outputDir: this.$("folder").value.trim(),
    };
  }

  saveSettings() {
    const settings = { ...this.settings(), server: this.$("server").value.trim(), token: this.token };
    this.storage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  }

  say(state, text) {
    const status = this.$("status");
    status.dataset.state = state;
    status.textContent = text;
  }

  newWorkflow() {
    const gateway = new GatewayClient(socketUrl(this.$("server").value, this.token), this.WebSocketClass);
    if (this.workflow) this.workflow.gateway.close();
    this.workflow = new Workflow({ ppro: this.ppro, gateway, storage: this.storage });
    return this.workflow;
  }

  /** Reads the server's engines and the selected clips, and lists them. */
  async refresh() {
    const refused = serverNotAllowed(this.manifest, this.$("server").value);
    if (refused) {
      this.say("error", refused);
      return;
    }
    const workflow = this.newWorkflow();
    try {
      // The server first: the engine's keyframe spacing decides which clips can be upscaled.
      const info = await workflow.gateway.connect().then(() => workflow.gateway.serverInfo(), (error) => error);
      if (!(info instanceof Error)) this.showEngines(info);
      const { sequenceName, plans } = await loadSelection(this.ppro, { minKeyframeGap: this.minKeyframeGap });
      this.sequenceName = sequenceName;
      this.plans = plans;
      this.showClips();
      if (info instanceof Error) throw info;
      const usable = plans.filter((plan) => !plan.skipped).length;
      this.say("idle", plans.length ? `${usable} of ${plans.length} selected clips can be upscaled` : "select clips in the sequence, then press Refresh");
    } catch (error) {
      this.say("error", error.message);
    }
  }

  showEngines(info) {
    const engines = (info.engines || []).filter((engine) => engine.available);
    const select = this.$("engine");
    select.innerHTML = engines.map((engine) => `<option value="${engine.name}">${engine.name}</option>`).join("");
    select.value = engines.some((e) => e.name === this.engineWanted) ? this.engineWanted : info.defaultEngine || "";
    const chosen = engines.find((engine) => engine.name === select.value);
    this.minKeyframeGap = chosen && chosen.minKeyframeGap ? chosen.minKeyframeGap : 1;
  }

  showClips() {
    const list = this.$("clips");
    list.innerHTML = "";
    for (const plan of this.plans) {
      const row = this.document.createElement("li");
      row.dataset.label = plan.label;
      row.className = plan.skipped ? "skipped" : "";
      const text = this.document.createElement("div");
      text.textContent = describePlan(plan);
      const bar = this.document.createElement("div");
      bar.className = "bar";
      bar.innerHTML = '<div class="fill"></div><span class="progress-text"></span>';
      row.append(text, bar);
      list.append(row);
    }
  }

  showProgress(job, progress) {
    const total = Number(progress.frameCount || job.spec.frameCount || 0);
    const done = Number(progress.framesDone || 0);
    const state = (progress.state || "").replace("JOB_STATE_", "").toLowerCase();
    for (const placement of job.placements) {
      const row = [...this.$("clips").children].find((li) => li.dataset.label === placement.label);
      if (!row) continue;
      row.querySelector(".fill").style.width = `${total ? Math.round((100 * done) / total) : 0}%`;
      row.querySelector(".progress-text").textContent = `${state} ${done}/${total}${progress.stage ? ` (${progress.stage})` : ""}`;
    }
  }

  running(on) {
    this.$("upscale").disabled = on;
    this.$("refresh").disabled = on;
    this.$("cancel").disabled = !on;
  }

  async upscale() {
    this.saveSettings();
    await this.refresh();
    if (this.$("status").dataset.state === "error") return;
    this.running(true);
    try {
      this.say("running", "starting jobs...");
      await this.workflow.start(this.sequenceName, this.plans, this.settings());
      await this.followAndPlace();
    } catch (error) {
      this.say(error instanceof RunStopped && /^cancelled/.test(error.message) ? "cancelled" : "error", error.message);
    } finally {
      this.running(false);
    }
  }

  async followAndPlace() {
    this.say("running", "upscaling...");
    await this.workflow.follow((job, progress) => this.showProgress(job, progress));
    this.say("running", "placing the results...");
    const placed = await this.workflow.place();
    const tracks = placed.tracks.map((index) => `V${index + 1}`).join(", ");
    this.say("done", `done: ${placed.placed} upscaled clip${placed.placed === 1 ? "" : "s"} in bin "${placed.bin}" on ${tracks}`);
  }

  async cancel() {
    this.$("cancel").disabled = true;
    this.say("running", "cancelling...");
    if (this.workflow) await this.workflow.cancel();
  }

  /** After a reload: follows the jobs the previous panel started, then places them. */
  async resumeSavedRun() {
    const run = this.workflow && this.workflow.savedRun();
    if (!run) return;
    this.workflow.reattach(run);
    this.running(true);
    try {
      await this.followAndPlace();
    } catch (error) {
      this.say("error", error.message);
    } finally {
      this.running(false);
    }
  }
}

module.exports = { SETTINGS_KEY, startPanel, Panel };
