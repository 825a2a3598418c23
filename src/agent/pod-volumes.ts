/**
 * Setting up a pod's ConfigMap, Secret, downward API and projected volumes on the agent, as the kubelet's volume
 * manager does before it starts containers and again on every sync: the referenced objects are read (through the
 * TTL cache), a missing non-optional source holds the pod with `MountVolume.SetUp failed for volume "v" : …`,
 * and the files are (re)written atomically in DATA/pods/<uid>/volumes/<name>.
 */
import { join } from "node:path";
import { blockedStart, podObjectNames, referenceKey, type ReferencedObject, type ReferenceKind, type ReferenceLookup } from "../api/pod-references.js";
import type { Pod } from "../api/types.js";
import { writeAtomic } from "./atomic-writer.js";
import type { ObjectCache } from "./object-cache.js";
import type { TokenManager } from "./token-manager.js";
import { tokenSourceKey, tokenSources, volumePayload, VolumeSetupError } from "./volume-payload.js";

/** What setting up volumes needs of the agent. */
export interface PodVolumesContext {
  objects: ObjectCache;
  tokens: TokenManager;
  allocatable: () => Record<string, string>;
}

/** The objects a pod's volumes and environment reference, read; failures by object key. */
export interface FetchedReferences {
  lookup: ReferenceLookup;
  errors: Map<string, string>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads every ConfigMap and Secret `pod`'s volumes and environment name (image pull secrets aside). */
export async function fetchReferences(pod: Pod, objects: ObjectCache): Promise<FetchedReferences> {
  const ns = pod.metadata?.namespace ?? "default";
  const names = podObjectNames({ ...pod, spec: pod.spec ? { ...pod.spec, imagePullSecrets: undefined } : undefined });
  const found = new Map<string, ReferencedObject>();
  const errors = new Map<string, string>();
  const wanted: [ReferenceKind, string][] = [...[...names.configmaps].map((n): [ReferenceKind, string] => ["configmap", n]), ...[...names.secrets].map((n): [ReferenceKind, string] => ["secret", n])];
  await Promise.all(wanted.map(async ([kind, name]) => {
    const key = referenceKey(kind, ns, name);
    try {
      const obj = await objects.get(kind, ns, name);
      if (obj) found.set(key, obj);
    } catch (err) {
      errors.set(key, message(err));
    }
  }));
  return { lookup: (kind, namespace, name) => found.get(referenceKey(kind, namespace, name)), errors };
}

/** The first volume of `pod` that references object `key`, else "" (an environment reference). */
function volumeReferencing(pod: Pod, key: string): string {
  const ns = pod.metadata?.namespace ?? "default";
  for (const v of pod.spec?.volumes ?? []) {
    const names = podObjectNames({ spec: { volumes: [v], containers: [] } });
    if ([...names.configmaps].some((n) => referenceKey("configmap", ns, n) === key) || [...names.secrets].some((n) => referenceKey("secret", ns, n) === key)) return v.name;
  }
  return "";
}

/**
 * Sets up (or refreshes) the volumes of `pod` under `podDir`; resolves the FailedMount message when a volume
 * cannot be set up (the pod's containers must not start), else undefined.
 */
export async function setUpVolumes(pod: Pod, podDir: string, refs: FetchedReferences, ctx: PodVolumesContext): Promise<string | undefined> {
  for (const [key, error] of refs.errors) {
    const volume = volumeReferencing(pod, key);
    return volume ? `MountVolume.SetUp failed for volume "${volume}" : ${error}` : `failed to read ${key.split("/")[0] ?? ""} ${key.split("/").slice(1).join("/")}: ${error}`;
  }
  const blocked = blockedStart(pod, refs.lookup);
  if (blocked?.reason === "ContainerCreating") return blocked.event.message;
  const tokens = new Map<string, string>();
  const tokenErrors = new Map<string, string>();
  for (const source of tokenSources(pod)) {
    const key = tokenSourceKey(source);
    if (tokens.has(key) || tokenErrors.has(key)) continue;
    try {
      tokens.set(key, await ctx.tokens.token(pod, source));
    } catch (err) {
      tokenErrors.set(key, message(err));
    }
  }
  const allocatable = ctx.allocatable();
  for (const volume of pod.spec?.volumes ?? []) {
    let failure: string | undefined;
    const payload = (() => {
      try {
        return volumePayload(pod, volume, { lookup: refs.lookup, allocatable, token: (s) => {
          const t = tokens.get(tokenSourceKey(s));
          if (t === undefined) failure = `failed to fetch token: ${tokenErrors.get(tokenSourceKey(s)) ?? "unknown error"}`;
          return t;
        } });
      } catch (err) {
        if (!(err instanceof VolumeSetupError)) throw err;
        failure ??= err.message;
        return undefined;
      }
    })();
    if (failure !== undefined) return `MountVolume.SetUp failed for volume "${volume.name}" : ${failure}`;
    if (payload) await writeAtomic(join(podDir, "volumes", volume.name), payload);
  }
  return undefined;
}

/** What a volume sync found: whether containers may start, the failure to report, when to sync again. */
export interface VolumeSyncOutcome {
  ready: boolean;
  failure?: string;
  /** Sync again after this many ms. */
  nextMs?: number;
}

/**
 * One pod's volumes over time: set up before its containers start, retried with back-off (1 s doubling up to the
 * sync period) while they cannot be, then refreshed once per sync period, when the pod's labels or annotations
 * change, or when asked (a container waits for its configuration). A failed refresh keeps the files as they are.
 */
export class PodVolumes {
  private refs: FetchedReferences | undefined;
  private ready = false;
  private syncedAt = 0;
  private podKey = "";
  private retryMs = 0;

  /** Manages the volumes under `podDir`. */
  constructor(private readonly ctx: PodVolumesContext, private readonly podDir: string, private readonly syncMs: number, private readonly now: () => number) {}

  /** The ConfigMaps and Secrets as last read (for the containers' environment). */
  readonly lookup: ReferenceLookup = (kind, namespace, name) => this.refs?.lookup(kind, namespace, name);

  /** Sets up or refreshes the volumes of `pod` when due (or when `force`). */
  async sync(pod: Pod, force: boolean): Promise<VolumeSyncOutcome> {
    const now = this.now();
    const key = JSON.stringify([pod.metadata?.labels, pod.metadata?.annotations]);
    if (this.ready && !force && key === this.podKey && now - this.syncedAt < this.syncMs) return { ready: true, nextMs: this.syncMs - (now - this.syncedAt) };
    this.refs = await fetchReferences(pod, this.ctx.objects);
    const failure = await setUpVolumes(pod, this.podDir, this.refs, this.ctx);
    this.syncedAt = now;
    this.podKey = key;
    if (failure === undefined || this.ready) {
      this.ready = true;
      this.retryMs = 0;
      return { ready: true, failure, nextMs: this.syncMs };
    }
    this.retryMs = Math.min(this.syncMs, Math.max(1000, this.retryMs * 2));
    return { ready: false, failure, nextMs: this.retryMs };
  }
}
