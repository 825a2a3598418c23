/**
 * The entry of the controller thread (see controller-thread.ts): runs the controllers, scheduler and node simulator
 * against the API server of the main thread through a PortClient, until the main thread says stop.
 */
import { setMaxListeners } from "node:events";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { PortClient } from "../client/port-client.js";
import { RelayedLoopMetrics } from "../controller/loop-metrics-relay.js";
import { runControllerManager, runElectedControllerManager, type ControllerManagerOptions } from "./controller-manager.js";
import type { ControllerThreadData, ControllerThreadMessage, MainThreadMessage } from "./controller-thread.js";

async function main(): Promise<void> {
  const control = parentPort;
  if (control === null) throw new Error("controller-worker runs as a worker thread");
  const data = workerData as ControllerThreadData & { port: MessagePort };
  const post = (message: ControllerThreadMessage): void => control.postMessage(message);
  const client = new PortClient(data.port);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  let nextSign = 1;
  const signs = new Map<number, { resolve(token: string): void; reject(error: Error): void }>();
  control.on("message", (value: unknown) => {
    const message = value as MainThreadMessage;
    if (message.t === "stop") abort.abort();
    else {
      const pending = signs.get(message.id);
      signs.delete(message.id);
      if (message.t === "signed") pending?.resolve(message.token);
      else pending?.reject(new Error(message.message));
    }
  });
  const metrics = new RelayedLoopMetrics((batch) => post({ t: "metrics", batch }));
  const options: ControllerManagerOptions = {
    client, metrics, simulate: true, nodes: data.nodes, stages: data.stages, rootCaCert: data.rootCaCert,
    nodeMonitorGracePeriodMs: data.nodeMonitorGracePeriodMs, leaseRenewIntervalMs: data.leaseRenewIntervalMs,
    signLegacyToken: data.signLegacyTokens
      ? (namespace, serviceAccount, secretName) => new Promise<string>((resolve, reject) => {
        const id = nextSign++;
        signs.set(id, { resolve, reject });
        post({ t: "sign", id, namespace, serviceAccount: { name: serviceAccount.name, uid: serviceAccount.uid }, secretName });
      })
      : undefined,
  };
  try {
    if (data.election !== undefined) {
      await runElectedControllerManager(options, { ...data.election, client }, abort.signal, (line) => post({ t: "log", line }));
    } else {
      await runControllerManager(options, abort.signal);
    }
  } finally {
    metrics.flush();
    client.close();
    data.port.close();
    post({ t: "stopped" });
    control.close();
  }
}

await main();
