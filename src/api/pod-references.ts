/**
 * What a pod references (ConfigMaps, Secrets, its ServiceAccount), and what a kubelet checks before it starts a
 * pod's containers: every ConfigMap and Secret its volumes and environment name must exist (unless marked
 * optional), with the keys they name. A missing volume source holds the pod in ContainerCreating with a
 * `FailedMount` event; a missing environment source is a CreateContainerConfigError with a `Failed` event.
 * Lookups go to the caller's cache (the simulator's informers, the agent's referenced-object cache).
 */
import type { Container, Pod } from "./types.js";

/** The names of the objects a pod references, optional references included. */
export interface PodObjectNames {
  configmaps: Set<string>;
  secrets: Set<string>;
  /** `spec.serviceAccountName` (or the deprecated `serviceAccount`), when set. */
  serviceAccount: string | undefined;
}

function allContainers(pod: Pod): Container[] {
  const spec = pod.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...((spec?.ephemeralContainers ?? []) as Container[])];
}

/**
 * Every ConfigMap and Secret `pod` names (environment, volumes of every kind, image pull secrets) and its
 * ServiceAccount, as upstream's VisitPodConfigmapNames/VisitPodSecretNames walk a pod: what the Node authorizer
 * relates to the pod's node and what NodeRestriction refuses in mirror pods.
 */
export function podObjectNames(pod: Pod): PodObjectNames {
  const configmaps = new Set<string>();
  const secrets = new Set<string>();
  const add = (set: Set<string>, name: string | undefined): void => { if (name) set.add(name); };
  for (const s of pod.spec?.imagePullSecrets ?? []) add(secrets, s.name);
  for (const c of allContainers(pod)) {
    for (const e of c.envFrom ?? []) { add(configmaps, e.configMapRef?.name); add(secrets, e.secretRef?.name); }
    for (const e of c.env ?? []) { add(configmaps, e.valueFrom?.configMapKeyRef?.name); add(secrets, e.valueFrom?.secretKeyRef?.name); }
  }
  for (const v of pod.spec?.volumes ?? []) {
    add(configmaps, v.configMap?.name);
    add(secrets, v.secret?.secretName);
    for (const p of v.projected?.sources ?? []) { add(configmaps, p.configMap?.name); add(secrets, p.secret?.name); }
    add(secrets, v.azureFile?.secretName);
    for (const ref of [v.cephfs?.secretRef, v.cinder?.secretRef, v.flexVolume?.secretRef, v.rbd?.secretRef, v.scaleIO?.secretRef, v.iscsi?.secretRef, v.storageos?.secretRef, v.csi?.nodePublishSecretRef]) add(secrets, ref?.name);
  }
  const serviceAccount = pod.spec?.serviceAccountName || pod.spec?.serviceAccount || undefined;
  return { configmaps, secrets, serviceAccount };
}

/** The two kinds of object a pod can reference for files or environment. */
export type ReferenceKind = "configmap" | "secret";

/** The keys a referenced object holds (`data` and, for ConfigMaps, `binaryData`). */
export interface ReferencedObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** Reads a referenced object from a cache; undefined when it does not exist. */
export type ReferenceLookup = (kind: ReferenceKind, namespace: string, name: string) => ReferencedObject | undefined;

/** Why the kubelet cannot start the pod's containers yet, and what it reports. */
export interface BlockedStart {
  /** Waiting reason of the containers: ContainerCreating (volume) or CreateContainerConfigError (environment). */
  reason: "ContainerCreating" | "CreateContainerConfigError";
  /** Waiting message of the containers (none for ContainerCreating). */
  message?: string;
  /** The Warning event the kubelet records. */
  event: { reason: "FailedMount" | "Failed"; message: string };
  /** Keys (`kind/namespace/name`) of the objects whose creation or change may unblock the pod. */
  waitsFor: string[];
}

/** The key under which pods wait for an object: `kind/namespace/name`. */
export function referenceKey(kind: ReferenceKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function hasKey(obj: ReferencedObject, key: string): boolean {
  return Object.hasOwn(obj.data ?? {}, key) || Object.hasOwn(obj.binaryData ?? {}, key);
}

interface Source { kind: ReferenceKind; name: string; optional: boolean; keys: string[] }

/** A volume's failure message, or undefined when every non-optional source and key exists. */
function sourceProblem(src: Source, namespace: string, lookup: ReferenceLookup): string | undefined {
  const obj = lookup(src.kind, namespace, src.name);
  if (!obj) return src.optional ? undefined : `${src.kind} "${src.name}" not found`;
  if (src.optional) return undefined;
  const missing = src.keys.find((k) => !hasKey(obj, k));
  if (missing === undefined) return undefined;
  return src.kind === "configmap" ? `configmap references non-existent config key: ${missing}` : `references non-existent secret key: ${missing}`;
}

function volumeSources(pod: Pod): { volume: string; sources: Source[] }[] {
  return (pod.spec?.volumes ?? []).map((v) => {
    const sources: Source[] = [];
    const items = (list: { key: string }[] | undefined): string[] => (list ?? []).map((i) => i.key);
    if (v.configMap) sources.push({ kind: "configmap", name: v.configMap.name ?? "", optional: v.configMap.optional ?? false, keys: items(v.configMap.items) });
    if (v.secret) sources.push({ kind: "secret", name: v.secret.secretName ?? "", optional: v.secret.optional ?? false, keys: items(v.secret.items) });
    for (const p of v.projected?.sources ?? []) {
      if (p.configMap) sources.push({ kind: "configmap", name: p.configMap.name ?? "", optional: p.configMap.optional ?? false, keys: items(p.configMap.items) });
      if (p.secret) sources.push({ kind: "secret", name: p.secret.name ?? "", optional: p.secret.optional ?? false, keys: items(p.secret.items) });
    }
    return { volume: v.name, sources };
  });
}

/** The CreateContainerConfigError message of a container's environment, if any (upstream's order: envFrom, then env). */
function envProblem(c: Container, namespace: string, lookup: ReferenceLookup, waits: Set<string>): string | undefined {
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind: ReferenceKind = from.configMapRef ? "configmap" : "secret";
    if (!ref) continue;
    const name = ref.name ?? "";
    if (!lookup(kind, namespace, name) && !ref.optional) {
      waits.add(referenceKey(kind, namespace, name));
      return `${kind} "${name}" not found`;
    }
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    if (!ref || ref.optional) continue;
    const kind: ReferenceKind = e.valueFrom?.configMapKeyRef ? "configmap" : "secret";
    const name = ref.name ?? "";
    const obj = lookup(kind, namespace, name);
    if (obj && hasKey(obj, ref.key)) continue;
    waits.add(referenceKey(kind, namespace, name));
    if (!obj) return `${kind} "${name}" not found`;
    return `couldn't find key ${ref.key} in ${kind === "configmap" ? "ConfigMap" : "Secret"} ${namespace}/${name}`;
  }
  return undefined;
}

/** The CreateContainerConfigError message of container `c`'s environment in `namespace`, if any (envFrom first, then env). */
export function containerEnvProblem(c: Container, namespace: string, lookup: ReferenceLookup): string | undefined {
  return envProblem(c, namespace, lookup, new Set());
}

/**
 * What blocks the start of `pod`'s containers, or undefined when every referenced ConfigMap and Secret (and key) a
 * non-optional volume source or environment variable names exists. Volumes are checked first, as the kubelet
 * mounts them before it builds any container's configuration.
 */
export function blockedStart(pod: Pod, lookup: ReferenceLookup): BlockedStart | undefined {
  const namespace = pod.metadata?.namespace ?? "default";
  for (const { volume, sources } of volumeSources(pod)) {
    for (const src of sources) {
      const problem = sourceProblem(src, namespace, lookup);
      if (problem === undefined) continue;
      return {
        reason: "ContainerCreating",
        event: { reason: "FailedMount", message: `MountVolume.SetUp failed for volume "${volume}" : ${problem}` },
        waitsFor: [referenceKey(src.kind, namespace, src.name)],
      };
    }
  }
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const waits = new Set<string>();
    const message = envProblem(c, namespace, lookup, waits);
    if (message !== undefined) return { reason: "CreateContainerConfigError", message, event: { reason: "Failed", message: `Error: ${message}` }, waitsFor: [...waits] };
  }
  return undefined;
}

/** Which pods wait for which referenced objects, so a ConfigMap or Secret event re-checks only those pods. */
export class ReferenceWaits {
  private readonly byObject = new Map<string, Set<string>>();
  private readonly byPod = new Map<string, string[]>();

  /** Records that pod `podKey` now waits for exactly `objects` (an empty list clears it). */
  set(podKey: string, objects: readonly string[]): void {
    this.clear(podKey);
    if (objects.length === 0) return;
    this.byPod.set(podKey, [...objects]);
    for (const o of objects) {
      let pods = this.byObject.get(o);
      if (!pods) this.byObject.set(o, (pods = new Set()));
      pods.add(podKey);
    }
  }

  /** Forgets what pod `podKey` waits for. */
  clear(podKey: string): void {
    const objects = this.byPod.get(podKey);
    if (!objects) return;
    this.byPod.delete(podKey);
    for (const o of objects) {
      const pods = this.byObject.get(o);
      pods?.delete(podKey);
      if (pods?.size === 0) this.byObject.delete(o);
    }
  }

  /** Keys of the pods waiting for object `objectKey`. */
  podsWaitingFor(objectKey: string): string[] {
    return [...(this.byObject.get(objectKey) ?? [])];
  }

  /** Number of pods waiting for some object. */
  get size(): number {
    return this.byPod.size;
  }
}
