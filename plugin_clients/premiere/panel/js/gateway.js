// The SparkVSR gateway: protobuf-JSON envelopes over one WebSocket (ws://HOST:PORT/v1/ws).
"use strict";

const DEFAULT_SERVER = "127.0.0.1:50052";
const FINISHED = ["JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"];
const CONNECT_TIMEOUT_MS = 5000;

/** No server answers, or the connection broke: the message says what to do. */
class GatewayUnavailable extends Error {}

/** The server refused a call: `code` is the gRPC status name, the message names the problem. */
class GatewayCallError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The WebSocket URL of a server given as "HOST:PORT", "http://HOST:PORT" or "ws://HOST:PORT".
 * @param {string} server
 * @param {string} [token]
 */
function socketUrl(server, token) {
  const address = (server || DEFAULT_SERVER).trim().replace(/^(https?|wss?):\/\//, "").replace(/\/.*$/, "");
  const secure = /^(https|wss):/.test(server || "");
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  return `${secure ? "wss" : "ws"}://${address}/v1/ws${query}`;
}

function unavailableMessage(url) {
  return (
    `No SparkVSR server answers at ${url.replace(/\?.*$/, "")}. Start it with \`sparkvsr serve\` ` +
    "(it opens the gateway on port 50052), then press Refresh."
  );
}

class GatewayClient {
  /**
   * @param {string} url  from socketUrl()
   * @param {{new (url: string): WebSocket}} WebSocketClass  the host's WebSocket
   */
  constructor(url, WebSocketClass) {
    this.url = url;
    this.WebSocketClass = WebSocketClass;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.nextId = 1;
    /** @type {Map<string, {onReply: (reply: any) => void, onError: (error: Error) => void}>} */
    this.pending = new Map();
  }

  /** Opens the socket; rejects with GatewayUnavailable when nothing answers. */
  connect(timeoutMs = CONNECT_TIMEOUT_MS) {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new this.WebSocketClass(this.url);
      } catch (error) {
        reject(new GatewayUnavailable(unavailableMessage(this.url)));
        return;
      }
      const timer = setTimeout(() => fail(), timeoutMs);
      const fail = () => {
        clearTimeout(timer);
        socket.onopen = socket.onclose = socket.onerror = null;
        try { socket.close(); } catch (_) { /* already closed */ }
        reject(new GatewayUnavailable(unavailableMessage(this.url)));
      };
      socket.onerror = fail;
      socket.onclose = fail;
      socket.onopen = () => {
        clearTimeout(timer);
        this.socket = socket;
        socket.onmessage = (event) => this.receive(event.data);
        socket.onclose = socket.onerror = () => this.dropped();
        resolve();
      };
    });
  }

  close() {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = socket.onerror = socket.onmessage = null;
      socket.close();
    }
    this.failPending(new GatewayUnavailable("the panel closed its connection to the SparkVSR server"));
  }

  dropped() {
    this.socket = null;
    this.failPending(new GatewayUnavailable(`the connection to the SparkVSR server broke. ${unavailableMessage(this.url)}`));
  }

  failPending(error) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    waiting.forEach((call) => call.onError(error));
  }

  receive(data) {
    const reply = JSON.parse(String(data));
    const id = String(reply.requestId);
    const call = this.pending.get(id);
    if (!call) return;
    if (reply.final) this.pending.delete(id);
    if (reply.error) call.onError(new GatewayCallError(reply.error.code, reply.error.message || reply.error.code));
    else call.onReply(reply);
  }

  /** Sends one GatewayRequest; `onReply` sees every reply to it until the final one. */
  send(call, body, onReply, onError) {
    if (!this.socket) throw new GatewayUnavailable(unavailableMessage(this.url));
    const requestId = this.nextId++;
    this.pending.set(String(requestId), { onReply, onError });
    this.socket.send(JSON.stringify({ requestId, [call]: body }));
  }

  /** A unary call: resolves with the reply's one field (for example `serverInfo`). */
  unary(call, body, field) {
    return new Promise((resolve, reject) => {
      this.send(call, body, (reply) => resolve(reply[field] || {}), reject);
    });
  }

  serverInfo() {
    return this.unary("getServerInfo", {}, "serverInfo");
  }

  /** @returns {Promise<{jobId: string, outputPath: string, sidecarPath: string}>} */
  startMediaJob(spec) {
    return this.unary("startMediaJob", { spec }, "mediaJobStarted");
  }

  cancelJob(jobId) {
    return this.unary("cancelJob", { jobId }, "cancelled");
  }

  /**
   * Follows a job (also one started before a panel reload) until it finishes.
   * @param {string} jobId
   * @param {(progress: any) => void} onProgress  every JobProgress, the final one included
   * @returns {Promise<any>} the final JobProgress
   */
  watchJob(jobId, onProgress) {
    return new Promise((resolve, reject) => {
      this.send("watchJob", { jobId }, (reply) => {
        const progress = reply.progress || {};
        onProgress(progress);
        if (reply.final || FINISHED.includes(progress.state)) resolve(progress);
      }, reject);
    });
  }
}

module.exports = { DEFAULT_SERVER, FINISHED, GatewayClient, GatewayUnavailable, GatewayCallError, socketUrl, unavailableMessage };
