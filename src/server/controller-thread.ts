/**
 * Runs the controllers, scheduler and node simulator in a worker thread of the API server's process, so that they
 * use a second core: the thread reaches the API through a Client served over a MessagePort (the same admission path
 * as the in-process loopback), reports its loop metrics to the main thread's, and asks the main thread to sign
 * legacy ServiceAccount tokens (the signing key stays there). It stops when the signal aborts; a thread that fails
 * is reported and started again.
 */
import { MessageChannel, Worker } from "node:worker_threads";
import type { Client } from "../client/client.js";
import { servePortClient, type PortServeOptions } from "../client/port-server.js";
import { LoopMetricsReplay, type LoopObservation } from "../controller/loop-metrics-relay.js";
import type { LeaderElectionOptions } from "../controller/leader-election.js";
import type { LoopMetrics } from "../controller/loop-metrics.js";
import type { LegacyTokenSigner } from "../controllers/serviceaccount-tokens/tokens-controller.js";
import type { StageConfig } from "../simulator/index.js";
import type { HeapSnapshots } from "./heap-snapshots.js";

/** What the thread is started with (structured-clone data). */
export interface ControllerThreadData {
  nodes: number;
  stages?: StageConfig;
  rootCaCert?: string;
  nodeMonitorGracePeriodMs?: number;
  leaseRenewIntervalMs?: number;
  /** Whether legacy ServiceAccount tokens are signed (by the main thread, on request). */
  signLegacyTokens: boolean;
  /** Run the loops only while holding this Lease (servers sharing a store); absent: always. */
  election?: Omit<LeaderElectionOptions, "client">;
}

/** Messages from the thread to the main thread. */
export type ControllerThreadMessage =
  | { t: "metrics"; batch: LoopObservation[] }
  | { t: "log"; line: string }
  | { t: "sign"; id: number; namespace: string; serviceAccount: { name: string; uid: string }; secretName: string }
  | { t: "stopped" };

/** Messages from the main thread to the thread. */
export type MainThreadMessage =
  | { t: "stop" }
  | { t: "signed"; id: number; token: string }
  | { t: "signFailed"; id: number; message: string };

/** The main thread's side of the controller thread. */
export interface ControllerThreadOptions extends Omit<ControllerThreadData, "signLegacyTokens"> {
  /** The API the thread's calls run on (the loopback client). */
  client: Client;
  /** The watch the thread's watches run on (default client.watch; events are only serialized, so shared objects fit). */
  watch?: Client["watch"];
  /** The stored JSON an answer decodes from, when known (Registry.storedFormOf): it crosses as that text. */
  storedFormOf?: PortServeOptions["storedFormOf"];
  metrics?: LoopMetrics;
  signLegacyToken?: LegacyTokenSigner;
  /** Progress lines and failures. */
  log: (line: string) => void;
  /** Wait before starting a failed thread again (default 1 s). */
  restartDelayMs?: number;
  /** How long a stopping thread may take before it is terminated (default 15 s). */
  stopTimeoutMs?: number;
  /** Includes the thread in these heap snapshots while it runs. */
  heapSnapshots?: HeapSnapshots;
}

const workerUrl = new URL("./controller-worker.js", import.meta.url);

/** Runs the thread until `signal` aborts; resolves once it has exited. */
export async function runControllerThread(options: ControllerThreadOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const failure = await runOnce(options, signal);
    if (failure === undefined || signal.aborted) return;
    options.log(`controller thread failed, starting it again: ${failure}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.restartDelayMs ?? 1_000);
      signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  }
}

/** One life of the thread: undefined when it stopped because asked to, else what went wrong. */
function runOnce(options: ControllerThreadOptions, signal: AbortSignal): Promise<string | undefined> {
  const { client, watch, metrics, signLegacyToken, log, restartDelayMs: _r, stopTimeoutMs, heapSnapshots, ...rest } = options;
  const data: ControllerThreadData = { ...rest, signLegacyTokens: signLegacyToken !== undefined };
  const channel = new MessageChannel();
  const service = servePortClient(channel.port1, client, {
    onError: (error) => log(`controller thread client: ${error instanceof Error ? error.message : String(error)}`), watch, storedFormOf: options.storedFormOf,
  });
  const worker = new Worker(workerUrl, { workerData: { ...data, storedFormOf: undefined, port: channel.port2 }, transferList: [channel.port2] });
  const post = (message: MainThreadMessage): void => worker.postMessage(message);
  const replay = metrics === undefined ? undefined : new LoopMetricsReplay(metrics);
  heapSnapshots?.add(worker, "controller-thread");
  let stopping = false;
  let failure: string | undefined;
  let forced: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    post({ t: "stop" });
    forced = setTimeout(() => { log("controller thread did not stop in time: terminating it"); void worker.terminate(); }, stopTimeoutMs ?? 15_000);
  };
  worker.on("message", (value: unknown) => {
    const message = value as ControllerThreadMessage;
    if (message.t === "metrics") replay?.apply(message.batch);
    else if (message.t === "log") log(message.line);
    else if (message.t === "sign") {
      const signer = signLegacyToken;
      if (signer === undefined) { post({ t: "signFailed", id: message.id, message: "no ServiceAccount signing key" }); return; }
      signer(message.namespace, message.serviceAccount, message.secretName).then(
        (token) => post({ t: "signed", id: message.id, token }),
        (error: unknown) => post({ t: "signFailed", id: message.id, message: error instanceof Error ? error.message : String(error) }),
      );
    }
  });
  worker.on("error", (error) => { failure = error.stack ?? error.message; });
  signal.addEventListener("abort", stop, { once: true });
  return new Promise((resolve) => {
    worker.once("exit", (code) => {
      signal.removeEventListener("abort", stop);
      heapSnapshots?.remove(worker);
      clearTimeout(forced);
      service.close();
      channel.port1.close();
      resolve(stopping ? undefined : (failure ?? `exited with code ${code}`));
    });
  });
}
