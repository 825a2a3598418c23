/**
 * `everynode agent`: the kubelet for the pods a DaemonSet runs. Registers and heartbeats the machine's Node, runs
 * the pods bound to it through a Runtime, reports their status, and re-adopts the instances an earlier agent on the
 * same data directory left running.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { mustFindResource } from "../api/resources.js";
import { attachWithoutStdinMessage } from "../api/remote-command.js";
import type { Pod, Service } from "../api/types.js";
import { daemonsNotReadyTaint } from "../api/readiness-gate.js";
import type { Client } from "../client/client.js";
import { EventRecorder, objectReference } from "../client/event-recorder.js";
import { Informer } from "../client/informer.js";
import type { Clock } from "../util/clock.js";
import { X509Certificate } from "node:crypto";
import { AgentServer, type AttachResolver, type ExecResolver, type LogResolver, type PortForwardResolver } from "./agent-server.js";
import { dialHostPort } from "./pod-dial.js";
import { nodePortsRejection, takenHostPort } from "./host-port-admission.js";
import { ContainerLogWriter, defaultLogLimits, podLogDir, type LogLimits } from "./container-log.js";
import { instanceLogFiles } from "./container-log-reader.js";
import { readMachineFacts, type MachineFacts } from "./machine.js";
import { NodeHeartbeat } from "./node-heartbeat.js";
import { ObjectCache } from "./object-cache.js";
import { servingCertificate } from "./serving-certificate.js";
import { PodWorker, type PodWorkerContext } from "./pod-worker.js";
import type { PodVolumesContext } from "./pod-volumes.js";
import { podServiceEnv } from "./service-env.js";
import { TokenManager } from "./token-manager.js";
import type { ContainerHandle, ContainerLaunch, Runtime } from "./runtime.js";

const podsResource = mustFindResource("", "pods");

/** Node annotation holding the SHA-256 fingerprint of the agent's serving certificate (the API server checks it). */
export const servingCertAnnotation = "everynode.dev/agent-serving-cert-sha256";

/** Options of an Agent. */
export interface AgentOptions {
  client: Client;
  nodeName: string;
  runtime: Runtime;
  dataDir: string;
  clock: Clock;
  now: () => number;
  /** Where the agent's HTTPS endpoint listens (port 0: any free port); its port goes into daemonEndpoints. */
  listen: { host: string; port: number };
  /** PEM CA whose client certificates the endpoint accepts (the cluster CA of the node kubeconfig). */
  clientCA: string;
  /** Address to report as InternalIP (default: the default-route interface's). */
  nodeIP?: string;
  /** Node status/Lease interval (default 10 s). */
  heartbeatMs?: number;
  /** Register a new Node with the daemons-not-ready taint (default true; see api/readiness-gate.ts). */
  registerGateTaint?: boolean;
  logLimits?: LogLimits;
  /** How often mounted ConfigMaps, Secrets, downward API files and tokens are refreshed (default 60 s, the kubelet's sync period). */
  syncFrequencyMs?: number;
  /** The API server as containers reach it (KUBERNETES_SERVICE_HOST/PORT); default: none set. */
  apiServer?: { host: string; port: number };
  /** Progress lines for the operator. */
  log: (line: string) => void;
  onError: (error: unknown) => void;
}

/** One machine's agent. */
export class Agent {
  private readonly workers = new Map<string, PodWorker>();
  /** Attached clients of each container (`<pod uid>/<container>`), given its output as it is logged. */
  private readonly attached = new Map<string, Set<ContainerLaunch["onOutput"]>>();
  private facts: MachineFacts | undefined;
  private heartbeat: NodeHeartbeat | undefined;

  /** Creates the agent; nothing happens before `run`. */
  constructor(private readonly o: AgentOptions) {}

  /** The worker of the pod with `uid` (for logs and exec). */
  worker(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.workers.values()) {
      const m = w.current().metadata;
      if (m?.namespace === namespace && m.name === name) return w;
    }
    return undefined;
  }

  /** Directory of the container logs. */
  logRoot(): string { return join(this.o.dataDir, "logs"); }

  /** Runs until `signal` aborts; containers keep running after that (a later agent re-adopts them). */
  async run(signal: AbortSignal): Promise<void> {
    const { client, nodeName, runtime, dataDir } = this.o;
    await mkdir(dataDir, { recursive: true });
    const runtimeError = await runtime.unavailable();
    if (runtimeError) this.o.log(`runtime ${runtime.version} cannot run containers on this machine: ${runtimeError}`);
    const readFacts = async (): Promise<MachineFacts> => (this.facts = await readMachineFacts(dataDir, this.o.nodeIP));
    const facts = await readFacts();
    const serving = await servingCertificate(`${nodeName}@agent`, [...new Set([facts.internalIP, "127.0.0.1", nodeName])]);
    const server = new AgentServer({ ...this.o.listen, ...serving, clientCA: this.o.clientCA, logs: this.resolveLogs, portForward: this.resolvePortForward, exec: this.resolveExec, attach: this.resolveAttach,
      pods: () => ({ kind: "PodList", apiVersion: "v1", metadata: {}, items: [...this.workers.values()].map((w) => w.current()) }), onError: this.o.onError });
    const port = await server.start();
    signal.addEventListener("abort", () => { void server.stop(); }, { once: true });
    this.o.log(`agent endpoint listening on https://${this.o.listen.host}:${port}`);
    this.heartbeat = new NodeHeartbeat({
      client, clock: this.o.clock, now: this.o.now, readFacts, intervalMs: this.o.heartbeatMs, onError: this.o.onError,
      node: {
        name: nodeName, runtimeVersion: runtime.version, runtimeError, endpointPort: port,
        taints: this.o.registerGateTaint === false ? [] : [daemonsNotReadyTaint()],
        annotations: { [servingCertAnnotation]: new X509Certificate(serving.cert).fingerprint256 },
      },
    });
    const node = await this.heartbeat.register(signal);
    if (!node) return;
    this.o.log(`node "${nodeName}" registered (InternalIP ${this.facts?.internalIP ?? "?"}, runtime ${runtime.version})`);
    const heartbeat = this.heartbeat.run(signal);
    const recorder = new EventRecorder({ client, component: "kubelet", host: nodeName, onError: this.o.onError });
    const syncMs = this.o.syncFrequencyMs ?? 60_000;
    const volumes: PodVolumesContext = {
      objects: new ObjectCache({ client, ttlMs: syncMs, now: this.o.now }),
      tokens: new TokenManager({ client, now: this.o.now, random: Math.random }),
      allocatable: () => (this.heartbeat?.current()?.status?.allocatable ?? {}),
    };
    const services = new Informer<Service>({ client, resource: mustFindResource("", "services"), onError: this.o.onError });
    const servicesRunning = services.run(signal);
    const ctx = this.workerContext(recorder, volumes, syncMs, services);
    const adopted = runtimeError ? [] : await runtime.adopt((i) => this.logWriter(i.podNamespace, i.podName, i.podUID, i.containerName, i.attempt).write);
    if (adopted.length > 0) this.o.log(`re-adopting ${adopted.length} container instance(s) from ${dataDir}`);
    const byPod = new Map<string, ContainerHandle[]>();
    for (const h of adopted) byPod.set(h.podUID, [...(byPod.get(h.podUID) ?? []), h]);
    const informer = new Informer<Pod>({ client, resource: podsResource, fieldSelector: `spec.nodeName=${nodeName}`, onError: this.o.onError });
    const rejected = new Set<string>();
    const ensure = (pod: Pod): void => {
      if (signal.aborted) return;
      const uid = pod.metadata?.uid ?? "";
      const w = this.workers.get(uid);
      if (w) { w.update(pod); return; }
      if (runtimeError || rejected.has(uid)) return;
      if (!byPod.has(uid) && !pod.status?.startTime && takenHostPort(pod, this.activePods())) {
        rejected.add(uid);
        void this.reject(pod, recorder);
        return;
      }
      const worker = new PodWorker(pod, ctx, byPod.get(uid) ?? []);
      byPod.delete(uid);
      this.workers.set(uid, worker);
      void worker.done.then(async () => {
        this.workers.delete(uid);
        volumes.tokens.forgetPod(uid);
        await rm(podLogDir(this.logRoot(), pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", uid), { recursive: true, force: true });
        await rm(join(dataDir, "pods", uid), { recursive: true, force: true });
      }).catch(this.o.onError);
    };
    informer.addEventHandler({
      onAdd: (pod) => ensure(pod),
      onUpdate: (_old, pod) => ensure(pod),
      onDelete: (pod) => this.workers.get(pod.metadata?.uid ?? "")?.removed(),
    });
    // Shutting down: from the abort on no worker starts a container (a restart here would outlive the agent).
    signal.addEventListener("abort", () => { for (const w of this.workers.values()) w.stop(); }, { once: true });
    const informing = informer.run(signal);
    if (await informer.waitForSync(signal)) await this.reapOrphans(byPod);
    await Promise.all([heartbeat, informing, servicesRunning]);
    for (const w of this.workers.values()) w.stop();
    runtime.detach();
    await recorder.flush();
  }

  /** Finds the log files of a container instance for the endpoint, with kubelet-style errors. */
  private readonly resolveLogs: LogResolver = (namespace, name, container, previous) => {
    const w = this.worker(namespace, name);
    if (!w) return { code: 404, message: `pod "${name}" in namespace "${namespace}" not found on node "${this.o.nodeName}"` };
    const rec = w.container(container);
    if (!rec) return { code: 400, message: `container "${container}" in pod "${name}" is not valid` };
    const pod = w.current();
    let attempt = rec.restartCount;
    if (previous) {
      if (rec.restartCount === 0) return { code: 400, message: `previous terminated container "${container}" in pod "${name}" not found` };
      attempt = rec.restartCount - 1;
    } else if (rec.state.kind === "waiting" && !rec.lastState && rec.restartCount === 0) {
      return { code: 400, message: `container "${container}" in pod "${name}" is waiting to start: ${rec.state.reason}` };
    }
    const dir = join(podLogDir(this.logRoot(), namespace, name, pod.metadata?.uid ?? ""), container);
    return {
      files: () => instanceLogFiles(dir, attempt),
      finished: () => w.handle(container)?.attempt !== attempt || w.container(container)?.state.kind !== "running",
    };
  };

  /** Finds the running container an exec goes to, with the kubelet's errors. */
  private readonly resolveExec: ExecResolver = (namespace, name, container) => {
    const w = this.worker(namespace, name);
    if (!w) return { code: 404, message: "pod does not exist" };
    let target;
    try {
      target = w.execTarget(container);
    } catch (err) {
      return { code: 500, message: err instanceof Error ? err.message : String(err) };
    }
    if (!target) return { code: 500, message: `container not found (${JSON.stringify(container)})` };
    const t = target;
    return { start: (argv, stdin, tty, size) => this.o.runtime.exec({ ...t, argv, stdin, tty, size, onError: this.o.onError }) };
  };

  /** Finds the running container an attach goes to, with the kubelet's errors. */
  private readonly resolveAttach: AttachResolver = (namespace, name, container, stdin) => {
    const w = this.worker(namespace, name);
    if (!w) return { code: 404, message: "pod does not exist" };
    const handle = w.handle(container);
    if (!handle || w.container(container)?.state.kind !== "running") return { code: 500, message: `container not found (${JSON.stringify(container)})` };
    const spec = [...(w.current().spec?.initContainers ?? []), ...(w.current().spec?.containers ?? [])].find((c) => c.name === container);
    if (stdin && !spec?.stdin) return { code: 400, message: attachWithoutStdinMessage(container) };
    // Stdin closed for good (stdinOnce, after an earlier attach): the client's input goes nowhere, as upstream.
    const writer = stdin ? handle.openStdin?.() : undefined;
    const key = `${handle.podUID}/${container}`;
    return {
      exited: handle.exited,
      stdin: writer && { writer, once: spec?.stdinOnce === true, close: () => handle.closeStdin?.() },
      resize: spec?.tty ? (width, height) => handle.resize?.(width, height, this.o.onError) : undefined,
      subscribe: (listener) => {
        const set = this.attached.get(key) ?? new Set();
        this.attached.set(key, set.add(listener));
        return () => { set.delete(listener); if (set.size === 0 && this.attached.get(key) === set) this.attached.delete(key); };
      },
    };
  };

  /**
   * The pod a port-forward reaches. The process runtime runs every pod in the host's network, so its ports are the
   * machine's loopback ports, dialled as the kubelet's runtimes dial `localhost` inside the pod's network.
   */
  private readonly resolvePortForward: PortForwardResolver = (namespace, name) => {
    const w = this.worker(namespace, name);
    if (!w) return { code: 404, message: `pod "${name}" in namespace "${namespace}" not found on node "${this.o.nodeName}"` };
    return { pod: `${namespace}/${name}`, uid: w.current().metadata?.uid ?? "", dial: (port) => dialHostPort(port) };
  };

  /** The pods whose ports count for admission: not terminal and not being deleted (a replacement may follow those). */
  private activePods(): Pod[] {
    return [...this.workers.values()].map((w) => w.current())
      .filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  }

  /** Admission refused the pod: it ends Failed with the kubelet's reason and message, and a Warning event. */
  private async reject(pod: Pod, recorder: EventRecorder): Promise<void> {
    const { reason, message, eventMessage } = nodePortsRejection;
    this.o.log(`rejecting pod ${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}: ${eventMessage}`);
    recorder.event({ ...objectReference(pod, "v1", "Pod"), resourceVersion: undefined }, "Warning", reason, eventMessage);
    try {
      await this.o.client.patch<Pod>(podsResource, pod.metadata?.namespace, pod.metadata?.name ?? "", "merge",
        { status: { phase: "Failed", reason, message, startTime: new Date(this.o.now()).toISOString() } }, { subresource: "status" });
    } catch (err) {
      this.o.onError(err);
    }
  }

  /** Stops instances whose pods no longer exist (deleted while no agent ran). */
  private async reapOrphans(byPod: Map<string, ContainerHandle[]>): Promise<void> {
    for (const [uid, handles] of byPod) {
      this.o.log(`stopping ${handles.length} container instance(s) of pod ${uid}, which no longer exists`);
      for (const h of handles) h.signal("SIGTERM");
      await Promise.race([Promise.all(handles.map((h) => h.exited)), new Promise((r) => setTimeout(r, 5000))]);
      for (const h of handles) h.signal("SIGKILL");
      await Promise.all(handles.map((h) => h.exited));
      await this.o.runtime.removePod(uid);
    }
  }

  private logWriter(namespace: string, name: string, uid: string, container: string, attempt: number): { write: (stream: "stdout" | "stderr", chunk: Buffer) => void; close: () => void } {
    const writer = new ContainerLogWriter(join(podLogDir(this.logRoot(), namespace, name, uid), container), attempt, this.o.logLimits ?? defaultLogLimits, this.o.now);
    const key = `${uid}/${container}`;
    const write = (stream: "stdout" | "stderr", chunk: Buffer): void => {
      writer.write(stream, chunk);
      for (const listener of this.attached.get(key) ?? []) listener(stream, chunk);
    };
    return { write, close: () => writer.flush() };
  }

  private workerContext(recorder: EventRecorder, volumes: PodVolumesContext, syncMs: number, services: Informer<Service>): PodWorkerContext {
    return {
      volumes, syncMs,
      serviceEnv: (pod) => podServiceEnv(pod, services.store.list().filter((s) => s.metadata?.namespace === pod.metadata?.namespace), this.o.apiServer),
      client: this.o.client, runtime: this.o.runtime, clock: this.o.clock, now: this.o.now, recorder,
      nodeIP: () => this.facts?.internalIP ?? "127.0.0.1",
      allocatable: () => (this.heartbeat?.current()?.status?.allocatable ?? {}),
      podDir: (uid) => join(this.o.dataDir, "pods", uid),
      output: (pod, container, attempt) => this.logWriter(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", pod.metadata?.uid ?? "", container, attempt),
      onError: this.o.onError,
    };
  }
}
