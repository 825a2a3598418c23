/**
 * One pod's worker, as the kubelet's pod worker and status manager: runs init containers in order, then the app
 * containers; restarts them per restartPolicy with crash-loop back-off; runs probes; writes the pod's status when
 * it changed; on deletion runs preStop, SIGTERM, SIGKILL after the grace period and deletes the pod with grace 0.
 */
import type { Container, ObjectReference, Pod } from "../api/types.js";
import { containerReference, KubeletEvents, type ContainerEvent } from "../api/kubelet-events.js";
import { mustFindResource } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { Client } from "../client/client.js";
import { objectReference, type EventRecorder } from "../client/event-recorder.js";
import type { Clock } from "../util/clock.js";
import { ContainerConfigError, containerArgv, containerEnv, containerMounts, podVolumeDirs } from "./container-env.js";
import { CrashBackoff, goDuration } from "./crash-backoff.js";
import { ContainerProbes } from "./container-probes.js";
import { generatePodStatus, statusReadiness, type ContainerRecord, type Terminated } from "./pod-status.js";
import type { ContainerExit, ContainerHandle, ContainerLaunch, ExecRequest, Runtime } from "./runtime.js";
import { killContainer } from "./kill-container.js";
import { PodVolumes, type PodVolumesContext } from "./pod-volumes.js";

const podsResource = mustFindResource("", "pods");

/** What every pod worker of an agent shares. */
export interface PodWorkerContext {
  client: Client;
  runtime: Runtime;
  clock: Clock;
  /** Wall clock, epoch ms. */
  now: () => number;
  recorder: EventRecorder;
  nodeIP: () => string;
  allocatable: () => Record<string, string>;
  /** The directory of a pod's volumes. */
  podDir: (uid: string) => string;
  /** ConfigMaps, Secrets and tokens for volumes and environment. */
  volumes: PodVolumesContext;
  /** How often mounted ConfigMap, Secret, downward API and token files are refreshed (the kubelet's sync period). */
  syncMs: number;
  /** The variables every container of a pod gets first (KUBERNETES_SERVICE_HOST, service links). */
  serviceEnv: (pod: Pod) => Record<string, string>;
  /** Output sink of one container instance; `close` flushes it after the instance ended. */
  output: (pod: Pod, container: string, attempt: number) => { write: ContainerLaunch["onOutput"]; close: () => void };
  onError: (error: unknown) => void;
}

/** Runs one pod on this node. */
export class PodWorker {
  private pod: Pod;
  private readonly records = new Map<string, ContainerRecord>();
  private readonly handles = new Map<string, ContainerHandle>();
  private readonly probes = new Map<string, ContainerProbes>();
  private readonly backoff = new CrashBackoff();
  private readonly killing = new Set<string>();
  private readonly starting = new Set<string>();
  private dirty = false;
  private loop: Promise<void> | undefined;
  private lastWritten = "";
  private lastReadiness = "";
  private terminated = false;
  private stopped = false;
  private gone = false;
  private readonly volumes: PodVolumes;
  private resyncPending = false;
  private readonly timers = new Set<() => void>();
  /** Resolves once the pod's containers are stopped and the pod is deleted (or forgotten). */
  readonly done: Promise<void>;
  private finish: () => void = () => undefined;

  /** Starts caring for `pod`; `adopted` are instances of it found running from an earlier agent. */
  constructor(pod: Pod, private readonly ctx: PodWorkerContext, adopted: readonly ContainerHandle[] = []) {
    this.pod = pod;
    this.volumes = new PodVolumes(ctx.volumes, ctx.podDir(pod.metadata?.uid ?? ""), ctx.syncMs, ctx.now);
    this.done = new Promise((resolve) => { this.finish = resolve; });
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const [c, init] of this.containers()) {
      const known = statuses.find((s) => s.name === c.name);
      this.records.set(c.name, {
        name: c.name, image: c.image ?? "", init, restartCount: known?.restartCount ?? 0, ready: false, started: false,
        state: { kind: "waiting", reason: (pod.spec?.initContainers?.length ?? 0) > 0 ? "PodInitializing" : "ContainerCreating" },
      });
    }
    const latest = new Map<string, ContainerHandle>();
    for (const h of adopted) if ((latest.get(h.containerName)?.attempt ?? -1) < h.attempt) latest.set(h.containerName, h);
    for (const h of latest.values()) {
      const rec = this.records.get(h.containerName);
      if (!rec) { h.signal("SIGKILL"); continue; }
      rec.restartCount = h.attempt;
      this.running(rec, h);
    }
    this.trigger();
  }

  /** The pod as last seen. */
  current(): Pod { return this.pod; }

  /** A newer version of the pod arrived. */
  update(pod: Pod): void {
    this.pod = pod;
    // Someone else changed what the stored status says about readiness: report ours again, as the kubelet does.
    if (statusReadiness(pod.status) !== this.lastReadiness) this.lastWritten = "";
    this.trigger();
  }

  /** The pod vanished from the API (force deletion): stop its containers and forget it. */
  removed(): void {
    this.gone = true;
    this.trigger();
  }

  /**
   * Agent shutdown: stops timers and probes and makes the worker inert without touching containers. From now on it
   * starts nothing and writes no status, whatever exits or changes; the next agent re-adopts what still runs.
   */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers) cancel();
    for (const p of this.probes.values()) p.stop();
  }

  /** What is known of container `name` (undefined when the pod has no such container). */
  container(name: string): Readonly<ContainerRecord> | undefined { return this.records.get(name); }

  /** The instance of container `name` now running, if any. */
  handle(name: string): ContainerHandle | undefined { return this.handles.get(name); }

  /**
   * How a command is exec'd into container `name` now: the container's environment, working directory, user and
   * main process; undefined when it is not running.
   */
  execTarget(name: string): Omit<ExecRequest, "argv" | "stdin" | "tty" | "onError"> | undefined {
    const handle = this.handles.get(name);
    const c = this.containers().find(([x]) => x.name === name)?.[0];
    if (!handle || !c || this.records.get(name)?.state.kind !== "running") return undefined;
    return { env: this.env(c), workingDir: c.workingDir, ...this.runAs(c), pid: handle.pid };
  }

  /** The user and group a container runs as (its securityContext over the pod's). */
  private runAs(c: Container): { uid?: number; gid?: number } {
    const sc = { ...this.pod.spec?.securityContext, ...c.securityContext };
    return { uid: sc.runAsUser ?? undefined, gid: sc.runAsGroup ?? undefined };
  }

  private containers(): [Container, boolean][] {
    return [...(this.pod.spec?.initContainers ?? []).map((c): [Container, boolean] => [c, true]), ...(this.pod.spec?.containers ?? []).map((c): [Container, boolean] => [c, false])];
  }

  private trigger(): void {
    this.dirty = true;
    if (this.loop) return;
    this.loop = (async () => {
      while (this.dirty) {
        this.dirty = false;
        try {
          await this.sync();
        } catch (err) {
          this.ctx.onError(err);
          this.after(1000);
        }
      }
      this.loop = undefined;
    })();
  }

  private after(ms: number, before?: () => void): void {
    const cancel = this.ctx.clock.setTimer(ms, () => { this.timers.delete(cancel); before?.(); this.trigger(); });
    this.timers.add(cancel);
  }

  private ref(container: string): ObjectReference {
    return containerReference(this.pod, container);
  }

  private event(container: string, type: "Normal" | "Warning", reason: string, message: string): void {
    this.ctx.recorder.event(this.ref(container), type, reason, message);
  }

  private record(e: ContainerEvent): void {
    this.event(e.container, e.type, e.reason, e.message);
  }

  private async sync(): Promise<void> {
    if (this.terminated || this.stopped) return;
    if (this.gone || this.pod.metadata?.deletionTimestamp) {
      await this.terminate();
      return;
    }
    const phase = this.pod.status?.phase;
    if (phase !== "Succeeded" && phase !== "Failed" && await this.syncVolumes()) this.startWhatIsDue();
    if (!this.stopped) await this.writeStatus();
  }

  /** Sets up (or refreshes) the pod's volumes; false while they cannot be set up (then a FailedMount event and a retry). */
  private async syncVolumes(): Promise<boolean> {
    const configWaits = [...this.records.values()].some((r) => r.state.kind === "waiting" && r.state.reason === "CreateContainerConfigError");
    const outcome = await this.volumes.sync(this.pod, configWaits);
    if (outcome.failure !== undefined && outcome.ready) this.ctx.onError(new Error(`pod ${this.pod.metadata?.namespace ?? ""}/${this.pod.metadata?.name ?? ""}: ${outcome.failure}`));
    if (outcome.failure !== undefined && !outcome.ready) this.ctx.recorder.event({ ...objectReference(this.pod, "v1", "Pod"), resourceVersion: undefined }, "Warning", "FailedMount", outcome.failure);
    if (outcome.nextMs !== undefined) this.resyncLater(outcome.nextMs);
    return outcome.ready;
  }

  private resyncLater(ms: number): void {
    if (this.resyncPending) return;
    this.resyncPending = true;
    this.after(ms, () => { this.resyncPending = false; });
  }

  private startWhatIsDue(): void {
    if (this.stopped) return;
    const policy = this.pod.spec?.restartPolicy ?? "Always";
    for (const c of this.pod.spec?.initContainers ?? []) {
      const rec = this.records.get(c.name);
      if (!rec) continue;
      if (rec.state.kind === "terminated" && rec.state.exitCode === 0) continue;
      if (rec.state.kind === "running" || this.starting.has(c.name)) return;
      if (rec.state.kind === "terminated" && policy === "Never") return;
      this.maybeStart(c, rec);
      return;
    }
    for (const c of this.pod.spec?.containers ?? []) {
      const rec = this.records.get(c.name);
      if (!rec || rec.state.kind === "running" || this.killing.has(c.name) || this.starting.has(c.name)) continue;
      if (rec.state.kind === "terminated") {
        const again = policy === "Always" || (policy === "OnFailure" && rec.state.exitCode !== 0);
        if (!again) continue;
      }
      this.maybeStart(c, rec);
    }
  }

  /** Starts container `c` unless back-off holds it (then it waits in CrashLoopBackOff). */
  private maybeStart(c: Container, rec: ContainerRecord): void {
    const previous = rec.state.kind === "terminated" ? rec.state : rec.lastState && rec.state.kind === "waiting" && rec.state.reason === "CrashLoopBackOff" ? rec.lastState : undefined;
    if (rec.state.kind === "waiting" && (rec.state.reason === "CreateContainerError")) return;
    if (previous) {
      const now = this.ctx.now();
      const wait = this.backoff.check(c.name, previous.finishedAt, now);
      if (wait) {
        const meta = this.pod.metadata ?? {};
        const message = `back-off ${goDuration(wait.backoffMs)} restarting failed container=${c.name} pod=${meta.name ?? ""}_${meta.namespace ?? ""}(${meta.uid ?? ""})`;
        if (rec.state.kind === "terminated") {
          rec.lastState = previous;
        }
        rec.state = { kind: "waiting", reason: "CrashLoopBackOff", message };
        this.record(KubeletEvents.backOff(c.name, this.pod));
        this.after(wait.remainingMs + 10);
        return;
      }
      rec.lastState = previous;
      rec.restartCount++;
    }
    this.starting.add(c.name);
    void this.start(c, rec).catch(this.ctx.onError).finally(() => { this.starting.delete(c.name); this.trigger(); });
  }

  /** The environment of container `c` (ConfigMaps and Secrets as last read). */
  private env(c: Container): Record<string, string> {
    return containerEnv(this.pod, c, this.ctx.allocatable(), this.volumes.lookup, this.ctx.serviceEnv(this.pod));
  }

  private async start(c: Container, rec: ContainerRecord): Promise<void> {
    const cannot = this.ctx.runtime.cannotRun(c.command);
    if (cannot) {
      rec.state = { kind: "waiting", reason: "CreateContainerError", message: cannot };
      this.event(c.name, "Warning", "Failed", `Error: ${cannot}`);
      return;
    }
    let launch: ContainerLaunch;
    const out = this.ctx.output(this.pod, c.name, rec.restartCount);
    try {
      const env = this.env(c);
      launch = {
        podUID: this.pod.metadata?.uid ?? "", podNamespace: this.pod.metadata?.namespace ?? "", podName: this.pod.metadata?.name ?? "",
        containerName: c.name, attempt: rec.restartCount, argv: containerArgv(c, env), env, workingDir: c.workingDir, ...this.runAs(c),
        mounts: containerMounts(this.pod, c, podVolumeDirs(this.pod, this.ctx.podDir(this.pod.metadata?.uid ?? ""))),
        stdin: c.stdin === true, tty: c.tty === true, onOutput: out.write,
      };
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      rec.state = { kind: "waiting", reason: "CreateContainerConfigError", message: err.message };
      this.event(c.name, "Warning", "Failed", `Error: ${err.message}`);
      this.after(10_000);
      return;
    }
    const startedAt = this.ctx.now();
    let handle: ContainerHandle;
    try {
      handle = await this.ctx.runtime.start(launch);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      out.close();
      rec.state = { kind: "terminated", exitCode: 128, reason: "StartError", message, startedAt, finishedAt: this.ctx.now() };
      this.event(c.name, "Warning", "Failed", `Error: ${message}`);
      return;
    }
    const unused = this.ctx.runtime.imageNotUsed?.(c.image ?? "");
    if (unused) this.event(c.name, "Normal", "ImageNotUsed", unused);
    this.record(KubeletEvents.created(c.name));
    this.record(KubeletEvents.started(c.name));
    this.running(rec, handle, out.close);
  }

  /** Records a running instance and follows it to its exit. */
  private running(rec: ContainerRecord, handle: ContainerHandle, closeOutput?: () => void): void {
    rec.state = { kind: "running", startedAt: handle.startedAt, containerID: handle.id };
    this.handles.set(rec.name, handle);
    const c = this.containers().find(([x]) => x.name === rec.name)?.[0];
    rec.started = !c?.startupProbe;
    rec.ready = rec.init ? false : !c?.readinessProbe && rec.started;
    if (c && !rec.init) this.startProbes(c, rec, handle);
    void handle.exited.then((exit) => this.exited(rec, handle, exit, closeOutput));
  }

  private exited(rec: ContainerRecord, handle: ContainerHandle, exit: ContainerExit, closeOutput?: () => void): void {
    closeOutput?.();
    this.probes.get(rec.name)?.stop();
    this.probes.delete(rec.name);
    if (this.handles.get(rec.name) === handle) this.handles.delete(rec.name);
    const t: Terminated = {
      exitCode: exit.exitCode, reason: exit.unknown ? "ContainerStatusUnknown" : exit.exitCode === 0 ? "Completed" : "Error",
      ...(exit.unknown ? { message: "The container could not be located when the pod was terminated" } : {}),
      startedAt: handle.startedAt, finishedAt: exit.finishedAt, containerID: handle.id,
    };
    rec.state = { kind: "terminated", ...t };
    rec.ready = false;
    this.trigger();
  }

  private startProbes(c: Container, rec: ContainerRecord, handle: ContainerHandle): void {
    const probes = new ContainerProbes({
      container: c, clock: this.ctx.clock, env: () => this.env(c), podIP: () => this.ctx.nodeIP(), execArgv: handle.execArgv?.bind(handle),
      onStarted: () => { rec.started = true; if (!c.readinessProbe) rec.ready = true; this.trigger(); },
      onReady: (ready) => { rec.ready = ready; this.trigger(); },
      onUnhealthy: (kind, output) => this.event(c.name, "Warning", "Unhealthy", `${kind} probe failed: ${output}`),
      onLivenessFailure: (kind) => {
        const restarts = (this.pod.spec?.restartPolicy ?? "Always") !== "Never";
        this.event(c.name, "Normal", "Killing", `Container ${c.name} failed ${kind.toLowerCase()} probe${restarts ? ", will be restarted" : ""}`);
        void killContainer(handle, { gracePeriodSeconds: this.pod.spec?.terminationGracePeriodSeconds ?? 30, clock: this.ctx.clock });
      },
    });
    this.probes.set(c.name, probes);
    probes.start();
  }

  private async terminate(): Promise<void> {
    const grace = Math.max(2, this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30);
    const kills = [...this.handles.entries()].map(async ([name, handle]) => {
      if (this.killing.has(name)) return;
      this.killing.add(name);
      this.record(KubeletEvents.killing(name));
      const c = this.containers().find(([x]) => x.name === name)?.[0];
      const preStop = c?.lifecycle?.preStop?.exec?.command;
      await killContainer(handle, {
        gracePeriodSeconds: grace, clock: this.ctx.clock,
        preStop: preStop ? { argv: preStop, env: () => this.env(c as Container) } : undefined,
        onPreStopFailure: (msg) => this.event(name, "Warning", "FailedPreStopHook", msg),
      });
      await handle.exited;
    });
    await Promise.all(kills);
    // Let exit records settle before the final status.
    await new Promise((r) => setImmediate(r));
    this.terminated = true;
    this.stop();
    if (!this.gone) {
      await this.writeStatus();
      try {
        await this.ctx.client.delete(podsResource, this.pod.metadata?.namespace, this.pod.metadata?.name ?? "", {
          gracePeriodSeconds: 0, preconditions: { uid: this.pod.metadata?.uid },
        });
      } catch (err) {
        if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
      }
    }
    await this.ctx.runtime.removePod(this.pod.metadata?.uid ?? "");
    this.finish();
  }

  private async writeStatus(): Promise<void> {
    const ip = this.ctx.nodeIP();
    const status = generatePodStatus(this.pod, [...this.records.values()], { hostIP: ip, podIP: ip }, true, this.ctx.now());
    const comparable = JSON.stringify({ ...status, conditions: status.conditions?.map((c) => ({ ...c, lastTransitionTime: undefined })) });
    if (comparable === this.lastWritten) return;
    try {
      this.pod = await this.ctx.client.patch<Pod>(podsResource, this.pod.metadata?.namespace, this.pod.metadata?.name ?? "", "merge", { status }, { subresource: "status" });
      this.lastWritten = comparable;
      this.lastReadiness = statusReadiness(status);
    } catch (err) {
      if (isStatus(err, 404)) { this.gone = true; this.trigger(); return; }
      throw err;
    }
  }
}
