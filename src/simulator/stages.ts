/**
 * Pod lifecycles as data: a stage says which pods it applies to, how long after they reach that state it
 * fires, and what it writes then. The simulator applies the first stage (in file order) that matches a pod.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import type { Pod } from "../api/types.js";
import { deepCopy, isPlainObject as isRecord } from "../util/json.js";
import defaultStageFile from "./default-stages.json" with { type: "json" };

/** Container states a selector or a stage's `next` can name. */
export type ContainerStateName = "running" | "waiting" | "terminated";

/** Which pods a stage applies to; every field set must hold (pods are always bound to a simulated node). */
export interface StageSelector {
  /** Pod phases (status.phase; a pod without one counts as Pending). */
  phases?: string[];
  /** true: only pods being deleted (deletionTimestamp set); false: only pods not being deleted. */
  deleting?: boolean;
  /** Regular expressions; at least one container image must match one of them. */
  images?: string[];
  /** State every container status must be in; "none" = the pod has no container statuses yet. */
  containerState?: ContainerStateName | "none";
  /** Pod restart policies (spec.restartPolicy; absent counts as Always): e.g. Never and OnFailure for pods that run to completion. */
  restartPolicies?: string[];
  /** Fraction (0..1) of the pods otherwise matching that the stage applies to, drawn once per pod. */
  share?: number;
}

/** When a stage fires, counted from the moment the pod is seen in the matching state. */
export interface StageDelay {
  /** Base delay in milliseconds (default 0). */
  ms?: number;
  /** The delay varies uniformly by up to ± this many milliseconds (never below 0). */
  jitterMs?: number;
  /** Add the pod's deletionGracePeriodSeconds (scaled by the simulator's graceScale). */
  deletionGracePeriod?: boolean;
}

/** What containers look like after a stage. */
export interface StageContainers {
  state: ContainerStateName;
  /** Reason of a waiting or terminated state (e.g. CrashLoopBackOff, Error, Completed). */
  reason?: string;
  message?: string;
  /** Exit code of a terminated state (default 0 for Completed, else 1). */
  exitCode?: number;
  /** The containers restarted: restartCount + 1 and lastState records the terminated run. */
  restart?: boolean;
}

/** What a stage writes: a status change, or the final deletion. */
export interface StageNext {
  /** Delete the pod (gracePeriodSeconds 0), finishing a graceful deletion; other fields are ignored. */
  delete?: boolean;
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
  /** Ready/ContainersReady conditions and the containers' ready flags (running containers only). */
  ready?: boolean;
  /** Pod-level status.reason / status.message (cleared when absent). */
  reason?: string;
  message?: string;
  containers?: StageContainers;
}

/** One lifecycle step. */
export interface Stage {
  name: string;
  selector: StageSelector;
  delay?: StageDelay;
  next: StageNext;
}

/** An ordered list of stages; the first matching stage applies. */
export interface StageConfig {
  stages: Stage[];
}

const phases = new Set(["Pending", "Running", "Succeeded", "Failed", "Unknown"]);
const containerStates = new Set(["running", "waiting", "terminated"]);
const restartPolicies = new Set(["Always", "OnFailure", "Never"]);

function fail(where: string, message: string): never {
  throw new Error(`invalid stage config: ${where}: ${message}`);
}

function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") fail(where, "must be a string");
  return v;
}

function optNumber(v: unknown, where: string, min = 0, max = Number.POSITIVE_INFINITY): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) fail(where, `must be a number between ${min} and ${max}`);
  return v;
}

function optBoolean(v: unknown, where: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") fail(where, "must be true or false");
  return v;
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) fail(where, "must be a list of strings");
  return v as string[];
}

function parseSelector(v: unknown, where: string): StageSelector {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) fail(where, "must be an object");
  const selector: StageSelector = {};
  const ph = stringList(v.phases, `${where}.phases`);
  if (ph) {
    for (const p of ph) if (!phases.has(p)) fail(`${where}.phases`, `unknown phase "${p}"`);
    selector.phases = ph;
  }
  const deleting = optBoolean(v.deleting, `${where}.deleting`);
  if (deleting !== undefined) selector.deleting = deleting;
  const images = stringList(v.images, `${where}.images`);
  if (images) {
    for (const p of images) {
      try { new RegExp(p); } catch { fail(`${where}.images`, `bad regular expression "${p}"`); }
    }
    selector.images = images;
  }
  const state = optString(v.containerState, `${where}.containerState`);
  if (state !== undefined) {
    if (state !== "none" && !containerStates.has(state)) fail(`${where}.containerState`, `unknown state "${state}"`);
    selector.containerState = state as StageSelector["containerState"];
  }
  const policies = stringList(v.restartPolicies, `${where}.restartPolicies`);
  if (policies) {
    for (const p of policies) if (!restartPolicies.has(p)) fail(`${where}.restartPolicies`, `unknown restart policy "${p}"`);
    selector.restartPolicies = policies;
  }
  const share = optNumber(v.share, `${where}.share`, 0, 1);
  if (share !== undefined) selector.share = share;
  return selector;
}

function parseDelay(v: unknown, where: string): StageDelay | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) fail(where, "must be an object");
  const delay: StageDelay = {};
  const ms = optNumber(v.ms, `${where}.ms`);
  if (ms !== undefined) delay.ms = ms;
  const jitter = optNumber(v.jitterMs, `${where}.jitterMs`);
  if (jitter !== undefined) delay.jitterMs = jitter;
  const grace = optBoolean(v.deletionGracePeriod, `${where}.deletionGracePeriod`);
  if (grace !== undefined) delay.deletionGracePeriod = grace;
  return delay;
}

function parseNext(v: unknown, where: string): StageNext {
  if (!isRecord(v)) fail(where, "must be an object");
  const next: StageNext = {};
  const del = optBoolean(v.delete, `${where}.delete`);
  if (del !== undefined) next.delete = del;
  const phase = optString(v.phase, `${where}.phase`);
  if (phase !== undefined) {
    if (phase === "Unknown" || !phases.has(phase)) fail(`${where}.phase`, `unsupported phase "${phase}"`);
    next.phase = phase as StageNext["phase"];
  }
  const ready = optBoolean(v.ready, `${where}.ready`);
  if (ready !== undefined) next.ready = ready;
  const reason = optString(v.reason, `${where}.reason`);
  if (reason !== undefined) next.reason = reason;
  const message = optString(v.message, `${where}.message`);
  if (message !== undefined) next.message = message;
  if (v.containers !== undefined && v.containers !== null) {
    const c = v.containers;
    const cw = `${where}.containers`;
    if (!isRecord(c)) fail(cw, "must be an object");
    const state = optString(c.state, `${cw}.state`);
    if (state === undefined || !containerStates.has(state)) fail(`${cw}.state`, "must be running, waiting or terminated");
    const containers: StageContainers = { state: state as ContainerStateName };
    const cr = optString(c.reason, `${cw}.reason`);
    if (cr !== undefined) containers.reason = cr;
    const cm = optString(c.message, `${cw}.message`);
    if (cm !== undefined) containers.message = cm;
    const code = optNumber(c.exitCode, `${cw}.exitCode`, -2147483648, 2147483647);
    if (code !== undefined) containers.exitCode = code;
    const restart = optBoolean(c.restart, `${cw}.restart`);
    if (restart !== undefined) containers.restart = restart;
    next.containers = containers;
  }
  if (!next.delete && next.phase === undefined && next.ready === undefined && next.containers === undefined) {
    fail(where, "must delete the pod or change its phase, readiness or containers");
  }
  return next;
}

/** Validates decoded stage data: `{stages: [...]}` or a bare list of stages; throws an Error naming the bad field. */
export function parseStages(data: unknown): StageConfig {
  const list = Array.isArray(data) ? data : isRecord(data) ? data.stages : undefined;
  if (!Array.isArray(list)) fail("stages", "must be a list");
  const names = new Set<string>();
  const stages = list.map((raw, i): Stage => {
    const where = `stages[${i}]`;
    if (!isRecord(raw)) fail(where, "must be an object");
    const name = optString(raw.name, `${where}.name`);
    if (!name) fail(`${where}.name`, "is required");
    if (names.has(name)) fail(`${where}.name`, `duplicate name "${name}"`);
    names.add(name);
    const stage: Stage = { name, selector: parseSelector(raw.selector, `${where}.selector`), next: parseNext(raw.next, `${where}.next`) };
    const delay = parseDelay(raw.delay, `${where}.delay`);
    if (delay) stage.delay = delay;
    return stage;
  });
  return { stages };
}

/** Reads a stage file (JSON or YAML) that replaces the default stages; rejects on unreadable or invalid files. */
export async function loadStages(path: string): Promise<StageConfig> {
  const text = await readFile(path, "utf8");
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`cannot parse stage file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseStages(data);
}

/** The built-in stages (default-stages.json): Pending → Running/Ready, graceful deletion, image-triggered faults. */
export function defaultStages(): StageConfig {
  return parseStages(deepCopy(defaultStageFile));
}

/** Precompiled form of a stage config for matching many pods quickly. */
export class StageMatcher {
  private readonly compiled: { stage: Stage; images: RegExp[] | undefined }[];

  /** Compiles the image patterns of `config`. */
  constructor(config: StageConfig) {
    this.compiled = config.stages.map((stage) => ({ stage, images: stage.selector.images?.map((p) => new RegExp(p)) }));
  }

  /**
   * The first stage matching `pod`; `draw(stage)` decides share-limited stages (it should answer the same
   * for the same pod and stage every time); `extraImages` count as images of the pod (a node's simulated fault).
   * Undefined when no stage applies.
   */
  match(pod: Pod, draw: (stage: Stage) => boolean, extraImages: readonly string[] = []): Stage | undefined {
    const phase = pod.status?.phase || "Pending";
    const deleting = Boolean(pod.metadata?.deletionTimestamp);
    const restartPolicy = pod.spec?.restartPolicy || "Always";
    for (const { stage, images } of this.compiled) {
      const s = stage.selector;
      if (s.phases && !s.phases.includes(phase)) continue;
      if (s.deleting !== undefined && s.deleting !== deleting) continue;
      if (s.restartPolicies && !s.restartPolicies.includes(restartPolicy)) continue;
      if (images && ![...podImages(pod), ...extraImages].some((img) => images.some((re) => re.test(img)))) continue;
      if (s.containerState !== undefined && !containersIn(pod, s.containerState)) continue;
      if (s.share !== undefined && !draw(stage)) continue;
      return stage;
    }
    return undefined;
  }
}

function podImages(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.image ?? "");
}

function containersIn(pod: Pod, state: ContainerStateName | "none"): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  if (state === "none") return statuses.length === 0;
  return statuses.length > 0 && statuses.every((cs) => cs.state?.[state] !== undefined && cs.state[state] !== null);
}

/** The delay of a stage for a pod in milliseconds: ms ± jitter (drawn with `random`), plus the scaled grace period. */
export function stageDelayMs(stage: Stage, pod: Pod, graceScale: number, random: () => number): number {
  const d = stage.delay ?? {};
  let ms = d.ms ?? 0;
  if (d.jitterMs) ms += (random() * 2 - 1) * d.jitterMs;
  if (d.deletionGracePeriod) ms += (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000 * graceScale;
  return Math.max(0, Math.round(ms));
}
