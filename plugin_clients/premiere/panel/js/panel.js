// The panel's page: settings, the selected clips with their keyframes, Upscale, Cancel, progress.
"use strict";

const { describePlan } = require("./plan.js");
const { OUTPUT_FORMATS } = require("./jobs.js");
const { DEFAULT_SERVER, GatewayClient, socketUrl, serverNotAllowed } = require("./gateway.js");
const { Workflow, RunStopped, loadSelection } = require("./workflow.js");
const { pickerValue, choose, fillPicker, enable } = require("./widgets.js");

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
 *
 * @typedef {"idle" | "running" | "done" | "cancelled" | "error"} PanelState
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
    this.ppro = ppro;
    this.WebSocketClass = WebSocket;
    this.storage = storage;
    this.chooseFolder = chooseFolder;
    this.readManifest = readManifest;
    /** @type {any} */
    this.manifest = {};
    /** @type {import("./plan.js").ClipPlan[]} */
    this.plans = [];
    this.sequenceName = "";
    this.minKeyframeGap = 1;
    this.engineWanted = "";
    this.token = "";
    /** @type {Workflow | null} */
    this.workflow = null;
    /** @type {Promise<void> | null} settles once the panel has read the manifest, refreshed and resumed a saved run */
    this.ready = null;
  }

  /**
   * @param {string} id
   * @returns {any} the widget (sp-textfield, sp-picker, sp-button...)
   */
  $(id) {
    return this.document.getElementById(id);
  }

  init() {
    const saved = { ...DEFAULTS, ...JSON.parse(this.storage.getItem(SETTINGS_KEY) || "{}") };
    this.$("server").value = saved.server;
    choose(this.$("scale"), String(saved.scale));
    choose(this.$("provider"), saved.provider);
    fillPicker(this.$("format"), OUTPUT_FORMATS.map((name) => ({ value: name, label: name })));
    choose(this.$("format"), saved.outputFormat);
    this.$("folder").value = saved.outputDir;
    this.engineWanted = saved.engine;
    this.token = saved.token;
    this.$("refresh").addEventListener("click", () => this.refresh());
    this.$("upscale").addEventListener("click", () => this.upscale());
    this.$("cancel").addEventListener("click", () => this.cancel());
    const chooseFolder = this.chooseFolder;
    if (chooseFolder) {
      this.$("choose-folder").addEventListener("click", async () => {
        const folder = await chooseFolder();
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

  /** @returns {import("./jobs.js").PanelSettings} */
  settings() {
    return {
      scale: Number(pickerValue(this.$("scale"))),
      engine: pickerValue(this.$("engine")),
      provider: pickerValue(this.$("provider")),
      outputFormat: pickerValue(this.$("format")),
      outputDir: String(this.$("folder").value || "").trim(),
    };
  }

  saveSettings() {
    const settings = { ...this.settings(), server: String(this.$("server").value || "").trim(), token: this.token };
    this.storage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  }

  /**
   * @param {PanelState} state
   * @param {string} text
   */
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

  /**
   * Reads the server's engines and the selected clips, and lists them.
   * @returns {Promise<Workflow | null>} the workflow to run with, or null when something is wrong (said in the status)
   */
  async refresh() {
    const refused = serverNotAllowed(this.manifest, this.$("server").value);
    if (refused) {
      this.say("error", refused);
      return null;
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
      return workflow;
    } catch (error) {
      this.say("error", /** @type {Error} */ (error).message);
      return null;
    }
  }

  /** @param {{engines?: {name: string, available?: boolean, minKeyframeGap?: number}[], defaultEngine?: string}} info */
  showEngines(info) {
    const engines = (info.engines || []).filter((engine) => engine.available);
    const picker = this.$("engine");
    fillPicker(picker, engines.map((engine) => ({ value: engine.name, label: engine.name })));
    const wanted = engines.some((engine) => engine.name === this.engineWanted) ? this.engineWanted : info.defaultEngine || "";
    const chosen = engines.find((engine) => engine.name === choose(picker, wanted));
    this.minKeyframeGap = chosen && chosen.minKeyframeGap ? chosen.minKeyframeGap : 1;
  }

  showClips() {
    const list = this.$("clips");
    list.replaceChildren();
    for (const plan of this.plans) {
      const row = this.document.createElement("li");
      row.dataset.label = plan.label;
      row.className = plan.skipped ? "skipped" : "";
      const text = this.document.createElement("sp-body");
      text.setAttribute("size", "S");
      text.textContent = describePlan(plan);
      const bar = this.document.createElement("sp-progressbar");
      bar.setAttribute("max", "100");
      bar.setAttribute("value", "0");
      const label = this.document.createElement("sp-label");
      label.setAttribute("slot", "label");
      bar.append(label);
      row.append(text, bar);
      list.append(row);
    }
  }

  /**
   * @param {import("./workflow.js").RunJob} job
   * @param {any} progress  a JobProgress
   */
  showProgress(job, progress) {
    const total = Number(progress.frameCount || /** @type {any} */ (job.spec).frameCount || 0);
    const done = Number(progress.framesDone || 0);
    const state = (progress.state || "").replace("JOB_STATE_", "").toLowerCase();
    for (const placement of job.placements) {
      const row = [...this.$("clips").children].find((li) => li.dataset.label === placement.label);
      if (!row) continue;
      const bar = row.querySelector("sp-progressbar");
      bar.setAttribute("value", String(total ? Math.round((100 * done) / total) : 0));
      bar.querySelector("sp-label").textContent = `${state} ${done}/${total}${progress.stage ? ` (${progress.stage})` : ""}`;
    }
  }

  /** @param {boolean} on */
  running(on) {
    enable(this.$("upscale"), !on);
    enable(this.$("refresh"), !on);
    enable(this.$("cancel"), on);
  }

  async upscale() {
    this.saveSettings();
    const workflow = await this.refresh();
    if (!workflow) return;
    this.running(true);
    try {
      this.say("running", "starting jobs...");
      await workflow.start(this.sequenceName, this.plans, this.settings());
      await this.followAndPlace(workflow);
    } catch (error) {
      this.sayStopped(error);
    } finally {
      this.running(false);
    }
  }

  /** @param {unknown} error */
  sayStopped(error) {
    const cancelled = error instanceof RunStopped && error.reason === "cancelled";
    this.say(cancelled ? "cancelled" : "error", /** @type {Error} */ (error).message);
  }

  /** @param {Workflow} workflow */
  async followAndPlace(workflow) {
    this.say("running", "upscaling...");
    await workflow.follow((job, progress) => this.showProgress(job, progress));
    this.say("running", "placing the results...");
    const placed = await workflow.place();
    const tracks = placed.tracks.map((index) => `V${index + 1}`).join(", ");
    this.say("done", `done: ${placed.placed} upscaled clip${placed.placed === 1 ? "" : "s"} in bin "${placed.bin}" on ${tracks}`);
  }

  async cancel() {
    enable(this.$("cancel"), false);
    this.say("running", "cancelling...");
    if (this.workflow) await this.workflow.cancel();
  }

  /** After a reload: follows the jobs the previous panel started, then places them. */
  async resumeSavedRun() {
    const workflow = this.workflow;
    const run = workflow && workflow.savedRun();
    if (!workflow || !run) return;
    workflow.reattach(run);
    this.running(true);
    try {
      await this.followAndPlace(workflow);
    } catch (error) {
      this.sayStopped(error);
    } finally {
      this.running(false);
    }
  }
}

module.exports = { SETTINGS_KEY, startPanel, Panel };
