// The SparkVSR gateway: protobuf-JSON envelopes over one WebSocket (ws://HOST:PORT/v1/ws).
"use strict";

const DEFAULT_PORT = 50052;
const DEFAULT_SERVER = `127.0.0.1:${DEFAULT_PORT}`;
const FINISHED = ["JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"];
const CONNECT_TIMEOUT_MS = 5000;

/** No server answers, or the connection broke: the message says what to do. */
class GatewayUnavailable extends Error {}

/** The server refused a call: `code` is the gRPC status name, the message names the problem. */
class GatewayCallError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The WebSocket URL of a server given as "HOST[:PORT]", "http(s)://HOST[:PORT]" or "ws(s)://HOST[:PORT]"
 * (port 50052 when none is given).
 * @param {string} server
 * @param {string} [token]
 */
function socketUrl(server, token) {
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  return `${socketOrigin(server)}/v1/ws${query}`;
}

/**
 * "ws://HOST:PORT" or "wss://HOST:PORT" of a server as the Server field gives it.
 * @param {string} server
 */
function socketOrigin(server) {
  const text = (server || DEFAULT_SERVER).trim();
  const address = text.replace(/^(https?|wss?):\/\//, "").replace(/\/.*$/, "");
  const withPort = /:\d+$/.test(address) ? address : `${address}:${DEFAULT_PORT}`;
  return `${/^(https|wss):/.test(text) ? "wss" : "ws"}://${withPort}`;
}

/**
 * Why UXP will not let the panel reach this server, or null when its manifest allows it: UXP
 * refuses a connection to any domain the manifest's requiredPermissions.network.domains does not
 * list ("all" lists every one; schemastore adobe-uxp-manifest v5, and the UXP manifest v5 guide).
 * @param {{requiredPermissions?: {network?: {domains?: string[] | string}}}} manifest
 * @param {string} server  as the Server field gives it
 * @returns {string | null}
 */
function serverNotAllowed(manifest, server) {
  const domains = manifest.requiredPermissions?.network?.domains || [];
  if (domains === "all") return null;
  const origin = socketOrigin(server);
  const listed = /** @type {string[]} */ (domains).filter((domain) => /^wss?:/.test(domain));
  if (listed.includes(origin)) return null;
  return (
    `the panel's manifest does not let it reach ${origin}: it allows ${listed.join(", ") || "no WebSocket server"}. ` +
    "Reach another server through one of those (ssh -L 50052:HOST:50052 HOST), or add it to " +
    "requiredPermissions.network.domains in the plugin's manifest.json and load the plugin again"
  );
}

/** @param {string} url */
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

  /**
   * Opens the socket; rejects with GatewayUnavailable when nothing answers.
   * @returns {Promise<void>}
   */
  connect(timeoutMs = CONNECT_TIMEOUT_MS) {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      /** @type {WebSocket} */
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

  /** @param {Error} error */
  failPending(error) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    waiting.forEach((call) => call.onError(error));
  }

  /**
   * One message from the gateway: a reply to a pending call. A message that is not a JSON object
   * means the other end is no SparkVSR gateway (or broke): every waiting call fails with that.
   * @param {unknown} data
   */
  receive(data) {
    let reply;
    try {
      reply = JSON.parse(String(data));
    } catch (_) {
      reply = null;
    }
    if (!reply || typeof reply !== "object") {
      this.failPending(new GatewayUnavailable(
        `the server at ${this.url.replace(/\?.*$/, "")} sent a message that is not a SparkVSR gateway reply; check the Server setting`
      ));
      this.close();
      return;
    }
    const id = String(reply.requestId);
    const call = this.pending.get(id);
    if (!call) return;
    if (reply.final) this.pending.delete(id);
    if (reply.error) call.onError(new GatewayCallError(reply.error.code, reply.error.message || reply.error.code));
    else call.onReply(reply);
  }

  /**
   * Sends one GatewayRequest; `onReply` sees every reply to it until the final one.
   * @param {string} call  the request's field (protobuf JSON name), for example "startMediaJob"
   * @param {object} body
   * @param {(reply: any) => void} onReply
   * @param {(error: Error) => void} onError
   */
  send(call, body, onReply, onError) {
    if (!this.socket) throw new GatewayUnavailable(unavailableMessage(this.url));
    const requestId = this.nextId++;
    this.pending.set(String(requestId), { onReply, onError });
    this.socket.send(JSON.stringify({ requestId, [call]: body }));
  }

  /**
   * A unary call: resolves with the reply's one field (for example `serverInfo`).
   * @param {string} call
   * @param {object} body
   * @param {string} field
   * @returns {Promise<any>}
   */
  unary(call, body, field) {
    return new Promise((resolve, reject) => {
      this.send(call, body, (reply) => resolve(reply[field] || {}), reject);
    });
  }

  serverInfo() {
    return this.unary("getServerInfo", {}, "serverInfo");
  }

  /**
   * @param {object} spec  a MediaJobSpec in the protobuf JSON mapping
   * @returns {Promise<{jobId: string, outputPath: string, sidecarPath: string}>}
   */
  startMediaJob(spec) {
    return this.unary("startMediaJob", { spec }, "mediaJobStarted");
  }

  /** @param {string} jobId */
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
      this.send("watchJob", { jobId }, (/** @type {any} */ reply) => {
        const progress = reply.progress || {};
        onProgress(progress);
        if (reply.final || FINISHED.includes(progress.state)) resolve(progress);
      }, reject);
    });
  }
}

module.exports = { DEFAULT_SERVER, FINISHED, GatewayClient, GatewayUnavailable, GatewayCallError, socketUrl, socketOrigin, serverNotAllowed, unavailableMessage };
