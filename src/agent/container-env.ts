/** What a container is started with: its environment (downward API included), argv with $(VAR) expansion, mounts. */
import { join } from "node:path";
import { parseQuantity, quantityMilliValue } from "../api/quantity.js";
import { containerEnvProblem, type ReferencedObject, type ReferenceKind, type ReferenceLookup } from "../api/pod-references.js";
import type { Container, Pod } from "../api/types.js";

/** A container's start configuration could not be built: the message of a CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

/** The value of a downward API `fieldPath` of `pod`; throws ContainerConfigError for unsupported paths. */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === "labels" ? meta.labels : meta.annotations)?.[sub[2] ?? ""] ?? "";
  switch (fieldPath) {
    case "metadata.name": return meta.name ?? "";
    case "metadata.namespace": return meta.namespace ?? "";
    case "metadata.uid": return meta.uid ?? "";
    case "spec.nodeName": return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP": return pod.status?.hostIP ?? "";
    case "status.hostIPs": return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(",");
    case "status.podIP": return pod.status?.podIP ?? "";
    case "status.podIPs": return (pod.status?.podIPs ?? []).map((i) => i.ip).join(",");
    default: throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** The value of a `resourceFieldRef`: ceil(quantity / divisor); limits default to the node's allocatable. */
export function resourceFieldValue(pod: Pod, container: Container, ref: { containerName?: string; resource: string; divisor?: string | number }, allocatable: Record<string, string>): string {
  const target = ref.containerName ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new ContainerConfigError(`container "${ref.containerName ?? ""}" not found in pod`);
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!m) throw new ContainerConfigError(`unsupported resource: ${ref.resource}`);
  const [, kind = "", name = ""] = m;
  const set = (kind === "limits" ? target.resources?.limits : target.resources?.requests) as Record<string, string | number> | undefined;
  const raw = set?.[name] ?? (kind === "limits" ? allocatable[name] : undefined) ?? "0";
  const value = quantityMilliValue(parseQuantity(String(raw)));
  const divisor = quantityMilliValue(parseQuantity(String(ref.divisor ?? "1")));
  if (divisor <= 0n) throw new ContainerConfigError(`invalid divisor ${String(ref.divisor)}`);
  return String((value + divisor - 1n) / divisor);
}

/** Expands `$(NAME)` references with `env`; `$$(NAME)` escapes; unknown references stay as written. */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === "$$") return "$";
    return name !== undefined && Object.hasOwn(env, name) ? env[name] ?? "" : whole;
  });
}

/** The value of key `key` of a ConfigMap (`data`, else `binaryData` as text) or Secret (base64-decoded `data`). */
function keyValue(kind: ReferenceKind, obj: ReferencedObject, key: string): string | undefined {
  const data = obj.data?.[key];
  if (data !== undefined) return kind === "secret" ? Buffer.from(data, "base64").toString("utf8") : data;
  const binary = obj.binaryData?.[key];
  return binary === undefined ? undefined : Buffer.from(binary, "base64").toString("utf8");
}

/**
 * The environment of `container` in `pod`, as the kubelet builds it: `base` (the service variables), then
 * `envFrom` (prefixed keys; names containing `=` are skipped), then `env` in order, each able to refer to what
 * came before; ConfigMaps and Secrets come from `lookup`. Throws ContainerConfigError with the kubelet's message
 * for a missing non-optional source or key.
 */
export function containerEnv(pod: Pod, container: Container, allocatable: Record<string, string>, lookup: ReferenceLookup = () => undefined, base: Record<string, string> = {}): Record<string, string> {
  const namespace = pod.metadata?.namespace ?? "default";
  const problem = containerEnvProblem(container, namespace, lookup);
  if (problem !== undefined) throw new ContainerConfigError(problem);
  const env: Record<string, string> = { ...base };
  for (const from of container.envFrom ?? []) {
    const kind: ReferenceKind = from.configMapRef ? "configmap" : "secret";
    const obj = lookup(kind, namespace, (from.configMapRef ?? from.secretRef)?.name ?? "");
    if (!obj) continue;
    for (const key of Object.keys(obj.data ?? {})) {
      const name = `${from.prefix ?? ""}${key}`;
      if (!name.includes("=")) env[name] = keyValue(kind, { data: obj.data }, key) ?? "";
    }
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env[e.name] = expandVars(e.value ?? "", env);
    } else if (from.fieldRef) {
      env[e.name] = podFieldValue(pod, from.fieldRef.fieldPath);
    } else if (from.resourceFieldRef) {
      env[e.name] = resourceFieldValue(pod, container, from.resourceFieldRef, allocatable);
    } else {
      const ref = from.configMapKeyRef ?? from.secretKeyRef;
      const kind: ReferenceKind = from.configMapKeyRef ? "configmap" : "secret";
      const obj = ref ? lookup(kind, namespace, ref.name ?? "") : undefined;
      const value = ref && obj ? keyValue(kind, obj, ref.key) : undefined;
      if (value !== undefined) env[e.name] = value;
    }
  }
  return env;
}

/** argv of a container: command then args, `$(VAR)` expanded; empty when the container has no command. */
export function containerArgv(container: Container, env: Record<string, string>): string[] {
  if (!container.command?.length) return [];
  return [...container.command, ...(container.args ?? [])].map((a) => expandVars(a, env));
}

/** A pod volume's host directory, and whether it is always mounted read-only (API data volumes, as the kubelet mounts them). */
export interface VolumeDir { path: string; readOnly: boolean }

/**
 * The host directory of each pod volume the agent can provide, by volume name: hostPath as the host path; emptyDir,
 * configMap, secret, downwardAPI and projected as DATA/pods/<uid>/volumes/<name> (the last four read-only).
 */
export function podVolumeDirs(pod: Pod, podDir: string): Map<string, VolumeDir> {
  const out = new Map<string, VolumeDir>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.hostPath) out.set(v.name, { path: v.hostPath.path, readOnly: false });
    else if (v.emptyDir) out.set(v.name, { path: join(podDir, "volumes", v.name), readOnly: false });
    else if (v.configMap || v.secret || v.downwardAPI || v.projected) out.set(v.name, { path: join(podDir, "volumes", v.name), readOnly: true });
  }
  return out;
}

/** The mounts of `container`; throws ContainerConfigError for volumes this runtime cannot provide. */
export function containerMounts(pod: Pod, container: Container, volumeDirs: Map<string, VolumeDir>): { hostPath: string; containerPath: string; readOnly: boolean }[] {
  return (container.volumeMounts ?? []).map((m) => {
    const dir = volumeDirs.get(m.name);
    if (!dir) {
      const known = (pod.spec?.volumes ?? []).some((v) => v.name === m.name);
      throw new ContainerConfigError(known ? `volume "${m.name}" is of a kind the agent cannot provide (hostPath, emptyDir, configMap, secret, downwardAPI and projected are supported)` : `volume "${m.name}" not found in pod`);
    }
    return { hostPath: m.subPath ? join(dir.path, m.subPath) : dir.path, containerPath: m.mountPath, readOnly: dir.readOnly || (m.readOnly ?? false) };
  });
}
