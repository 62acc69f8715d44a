// A small stand-in for the gateway's WebSocket in the node unit tests: answers envelopes the way
// the gateway contract says (protobuf JSON, requestId echoed as a string, "final" on the last).
"use strict";

/** A WebSocket class whose instances talk to `server` (or fail to open when it is null). */
function fakeSocketClass(server) {
  return class FakeSocket {
    constructor(url) {
      this.url = url;
      setTimeout(() => (server ? this.onopen && this.onopen() : this.onerror && this.onerror(new Error("refused"))), 0);
    }
    send(text) { server.receive(this, JSON.parse(text)); }
    close() {}
    reply(message) { setTimeout(() => this.onmessage && this.onmessage({ data: JSON.stringify(message) }), 0); }
  };
}

class FakeGatewayServer {
  /**
   * @param {{refuse?: {code: string, message: string}, refuseAfter?: number}} [options]
   *   refuse: the error every StartMediaJob gets once `refuseAfter` jobs (default 0) have started
   */
  constructor(options = {}) {
    this.options = options;
    this.jobs = new Map();
    this.started = [];
    this.cancelled = [];
  }
  receive(socket, request) {
    const id = String(request.requestId);
    if (request.getServerInfo) {
      socket.reply({ requestId: id, final: true, serverInfo: { defaultEngine: "flow", engines: [{ name: "flow", available: true, minKeyframeGap: 1, scales: [2, 4] }] } });
    } else if (request.startMediaJob) {
      if (this.options.refuse && this.started.length >= (this.options.refuseAfter || 0)) return socket.reply({ requestId: id, final: true, error: this.options.refuse });
      const jobId = `job-${this.started.length + 1}`;
      const spec = request.startMediaJob.spec;
      this.started.push(spec);
      this.jobs.set(jobId, { spec, state: "JOB_STATE_RUNNING", watchers: [] });
      socket.reply({ requestId: id, final: true, mediaJobStarted: { jobId, outputPath: spec.outputPath, sidecarPath: spec.outputPath.replace(/\.mov$/, ".sparkvsr.json") } });
    } else if (request.watchJob) {
      const job = this.jobs.get(request.watchJob.jobId);
      job.watchers.push({ socket, id });
      socket.reply({ requestId: id, progress: { jobId: request.watchJob.jobId, state: job.state, frameCount: String(job.spec.frameCount) } });
    } else if (request.cancelJob) {
      this.cancelled.push(request.cancelJob.jobId);
      this.finish(request.cancelJob.jobId, "JOB_STATE_CANCELLED", "cancelled by the client");
      socket.reply({ requestId: id, final: true, cancelled: { progress: { jobId: request.cancelJob.jobId, state: "JOB_STATE_CANCELLED" } } });
    }
  }
  /** Ends a job: every watcher gets its final progress. */
  finish(jobId, state = "JOB_STATE_SUCCEEDED", message = "") {
    const job = this.jobs.get(jobId);
    if (!job || job.state !== "JOB_STATE_RUNNING") return;
    job.state = state;
    const outputPath = job.spec.outputPath;
    for (const { socket, id } of job.watchers) {
      const progress = { jobId, state, frameCount: String(job.spec.frameCount), framesDone: String(job.spec.frameCount) };
      if (state === "JOB_STATE_SUCCEEDED") Object.assign(progress, { outputPath, sidecarPath: outputPath.replace(/\.mov$/, ".sparkvsr.json") });
      if (message) progress.message = message;
      socket.reply({ requestId: id, final: true, progress });
    }
  }
  finishAll(state, message) { [...this.jobs.keys()].forEach((jobId) => this.finish(jobId, state, message)); }
}

/** A localStorage stand-in. */
class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

module.exports = { FakeGatewayServer, MemoryStorage, fakeSocketClass };
