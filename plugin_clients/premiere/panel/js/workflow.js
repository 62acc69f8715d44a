// One Upscale: plan the selected clips, start their jobs, follow them, place the results. All or
// nothing: a cancel or any failure places nothing. Running job ids are kept in storage so a
// reloaded panel reattaches to them.
"use strict";

const { planClip } = require("./plan.js");
const { buildJobs, resultComment } = require("./jobs.js");
const { readSelection, activeSequenceName } = require("./premiere.js");
const { placeResults } = require("./place.js");

const RUN_KEY = "sparkvsr.premiere.run";
const BIN_NAME = "SparkVSR";
const SUCCEEDED = "JOB_STATE_SUCCEEDED";
const STOPPED = ["JOB_STATE_FAILED", "JOB_STATE_CANCELLED"];

/** The run stopped and nothing was added to the project; `reason` says why, for the caller to act on. */
class RunStopped extends Error {
  /**
   * @param {string} message
   * @param {"cancelled" | "failed" | "refused"} reason  the user cancelled; a job failed; the panel would not start or place
   */
  constructor(message, reason) {
    super(message);
    this.reason = reason;
  }
}

/**
 * The selected clips, planned.
 * @param {any} ppro  the premierepro module
 * @param {{prefix?: string, minKeyframeGap?: number}} [options]
 */
async function loadSelection(ppro, options = {}) {
  const { sequenceName, clips, sequenceMarkers } = await readSelection(ppro);
  return { sequenceName, plans: clips.map((clip) => planClip(clip, sequenceMarkers, options)) };
}

/**
 * @typedef {object} RunJob
 * @property {string} jobId
 * @property {string} outputPath
 * @property {string} sidecarPath
 * @property {import("./jobs.js").MediaJobSpec} spec
 * @property {import("./jobs.js").Placement[]} placements
 * @property {string} state
 * @property {boolean} [cancelling]  a cancel was sent
 *
 * @typedef {{sequenceName: string, settings: import("./jobs.js").PanelSettings, jobs: RunJob[]}} Run
 */

class Workflow {
  /**
   * @param {{ppro: any, gateway: import("./gateway.js").GatewayClient, storage: Storage}} parts
   */
  constructor({ ppro, gateway, storage }) {
    this.ppro = ppro;
    this.gateway = gateway;
    this.storage = storage;
    /** @type {Run | null} */
    this.run = null;
    this.cancelled = false;
  }

  /** A run a previous panel left running, or null. */
  savedRun() {
    const text = this.storage.getItem(RUN_KEY);
    return text ? JSON.parse(text) : null;
  }

  save() {
    if (this.run) this.storage.setItem(RUN_KEY, JSON.stringify(this.run));
    else this.storage.removeItem(RUN_KEY);
  }

  /**
   * Starts one job per distinct work of the planned clips. When the server refuses one, the jobs
   * already started are cancelled and the refusal is thrown (nothing changes in the project).
   * @param {string} sequenceName
   * @param {import("./plan.js").ClipPlan[]} plans
   * @param {import("./jobs.js").PanelSettings} settings
   */
  async start(sequenceName, plans, settings) {
    const jobs = buildJobs(plans.filter((plan) => !plan.skipped), settings);
    if (!jobs.length) throw new RunStopped("no selected clip can be upscaled", "refused");
    await this.gateway.connect();
    this.cancelled = false;
    this.run = { sequenceName, settings, jobs: [] };
    for (const job of jobs) {
      try {
        const started = await this.gateway.startMediaJob(job.spec);
        this.run.jobs.push({ ...job, jobId: started.jobId, outputPath: started.outputPath || job.outputPath, sidecarPath: started.sidecarPath, state: "JOB_STATE_QUEUED" });
        this.save();
      } catch (error) {
        await this.cancelJobs();
        this.forget();
        throw error;
      }
    }
    return this.run;
  }

  /**
   * Adopts a saved run (after a panel reload).
   * @param {Run} run
   */
  reattach(run) {
    this.run = run;
    this.cancelled = false;
  }

  /**
   * Follows every job of the run to its end.
   * @param {(job: RunJob, progress: any) => void} onProgress
   * @throws {RunStopped} a job failed or was cancelled: the others are cancelled, nothing is placed
   */
  async follow(onProgress) {
    const run = this.activeRun();
    await this.gateway.connect();
    const finals = await Promise.all(run.jobs.map((job) =>
      this.gateway.watchJob(job.jobId, (progress) => {
        job.state = progress.state || job.state;
        if (progress.outputPath) job.outputPath = progress.outputPath;
        if (progress.sidecarPath) job.sidecarPath = progress.sidecarPath;
        onProgress(job, progress);
        if (STOPPED.includes(progress.state)) this.cancelJobs();
      })));
    const failed = run.jobs.map((job, index) => ({ job, final: finals[index] })).filter(({ final }) => final.state !== SUCCEEDED);
    if (!failed.length) return;
    this.forget();
    if (this.cancelled) throw new RunStopped("cancelled: nothing was added to the project", "cancelled");
    const first = failed.find(({ final }) => final.state === "JOB_STATE_FAILED") || failed[0];
    throw new RunStopped(
      `${first.job.placements[0].label}: ${first.final.message || first.final.state}; nothing was added to the project`,
      "failed",
    );
  }

  /** Imports and places the finished run's results, then forgets the run. */
  async place() {
    const run = this.activeRun();
    const current = await activeSequenceName(this.ppro);
    if (current !== run.sequenceName) {
      throw new RunStopped(`open the sequence "${run.sequenceName}" to place its results (the active one is "${current}")`, "refused");
    }
    const results = run.jobs.flatMap((job) => job.placements.map((placement) => ({
      outputPath: job.outputPath,
      placement: { ...placement, markerComment: resultComment(run.settings, job, job.outputPath, job.sidecarPath) },
    })));
    const placed = await placeResults(this.ppro, BIN_NAME, results);
    this.forget();
    return placed;
  }

  /** @returns {Run} the run started or reattached (a caller error when there is none) */
  activeRun() {
    if (!this.run) throw new Error("no run: start or reattach one first");
    return this.run;
  }

  /** Stops the run: every job is cancelled on the server; nothing will be placed. */
  async cancel() {
    this.cancelled = true;
    await this.cancelJobs();
  }

  async cancelJobs() {
    if (!this.run) return;
    const open = this.run.jobs.filter((job) => job.state !== SUCCEEDED && !STOPPED.includes(job.state) && !job.cancelling);
    open.forEach((job) => { job.cancelling = true; });
    await Promise.all(open.map((job) => this.gateway.cancelJob(job.jobId).catch(() => null)));
  }

  forget() {
    this.run = null;
    this.save();
  }
}

module.exports = { RUN_KEY, BIN_NAME, RunStopped, Workflow, loadSelection };
