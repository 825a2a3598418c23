/**
 * The files of a pod's ConfigMap, Secret, downward API and projected volumes, as the kubelet's volume plugins
 * compute them: every key (or the listed `items`, key → path) with `mode` or the volume's `defaultMode` (0644),
 * Secret values base64-decoded, downward API fields formatted as the kubelet formats them, and the projected
 * service account token. The objects come from a synchronous lookup the caller filled beforehand.
 */
import type { ReferencedObject, ReferenceKind, ReferenceLookup } from "../api/pod-references.js";
import type { Container, Pod } from "../api/types.js";
import type { Payload } from "./atomic-writer.js";
import { podFieldValue, resourceFieldValue } from "./container-env.js";

type Volume = NonNullable<NonNullable<Pod["spec"]>["volumes"]>[number];
type KeyToPath = { key: string; path: string; mode?: number };
type DownwardFile = NonNullable<NonNullable<Volume["downwardAPI"]>["items"]>[number];
/** A projected service account token source. */
export type TokenSource = { audience?: string; expirationSeconds?: number; path: string };

/** The mode of volume files no `mode`/`defaultMode` sets (0644, the API's default 420). */
export const defaultFileMode = 0o644;

/** What a volume's files are made from. */
export interface PayloadInputs {
  /** ConfigMaps and Secrets of the pod's namespace. */
  lookup: ReferenceLookup;
  /** The token of a projected token source (fetched beforehand); undefined when it could not be had. */
  token: (source: TokenSource) => string | undefined;
  /** The node's allocatable resources (limits default to them). */
  allocatable: Record<string, string>;
}

/** A volume's files cannot be computed: the message of its FailedMount event. */
export class VolumeSetupError extends Error {}

/** The key under which a token source's token is fetched: same audience and lifetime, same token. */
export function tokenSourceKey(source: TokenSource): string {
  return `${source.audience ?? ""}|${source.expirationSeconds ?? 3600}`;
}

function keyValues(kind: ReferenceKind, obj: ReferencedObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(obj.data ?? {})) out.set(k, kind === "secret" ? Buffer.from(v, "base64") : Buffer.from(v, "utf8"));
  for (const [k, v] of Object.entries(obj.binaryData ?? {})) out.set(k, Buffer.from(v, "base64"));
  return out;
}

function addKeys(out: Payload, kind: ReferenceKind, obj: ReferencedObject | undefined, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean, name: string): void {
  if (!obj) {
    if (optional) return;
    throw new VolumeSetupError(`${kind} "${name}" not found`);
  }
  const values = keyValues(kind, obj);
  if (!items?.length) {
    for (const [k, data] of values) out.set(k, { data, mode });
    return;
  }
  for (const item of items) {
    const data = values.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(kind === "configmap" ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { data, mode: item.mode ?? mode });
  }
}

/** `key="value"` lines, sorted by key, as the kubelet writes whole labels or annotations. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m?.[k] ?? "")}`).join("\n");
}

function downwardValue(pod: Pod, file: DownwardFile, allocatable: Record<string, string>): string {
  const path = file.fieldRef?.fieldPath;
  if (path === "metadata.labels") return formatMap(pod.metadata?.labels);
  if (path === "metadata.annotations") return formatMap(pod.metadata?.annotations);
  if (path !== undefined) return podFieldValue(pod, path);
  const ref = file.resourceFieldRef;
  if (!ref) throw new VolumeSetupError(`downward API item "${file.path}" has neither fieldRef nor resourceFieldRef`);
  const first = pod.spec?.containers[0] as Container | undefined;
  if (!first) throw new VolumeSetupError("pod has no containers");
  return resourceFieldValue(pod, first, ref, allocatable);
}

function addDownward(out: Payload, pod: Pod, items: readonly DownwardFile[] | undefined, mode: number, allocatable: Record<string, string>): void {
  for (const file of items ?? []) {
    let value: string;
    try {
      value = downwardValue(pod, file, allocatable);
    } catch (err) {
      throw err instanceof VolumeSetupError ? err : new VolumeSetupError(err instanceof Error ? err.message : String(err));
    }
    out.set(file.path, { data: Buffer.from(value, "utf8"), mode: file.mode ?? mode });
  }
}

/** The files of `volume` of `pod`, or undefined when it is not a ConfigMap, Secret, downward API or projected volume. */
export function volumePayload(pod: Pod, volume: Volume, inputs: PayloadInputs): Payload | undefined {
  const ns = pod.metadata?.namespace ?? "default";
  const out: Payload = new Map();
  if (volume.configMap) {
    const v = volume.configMap;
    addKeys(out, "configmap", inputs.lookup("configmap", ns, v.name ?? ""), v.items, v.defaultMode ?? defaultFileMode, v.optional ?? false, v.name ?? "");
  } else if (volume.secret) {
    const v = volume.secret;
    addKeys(out, "secret", inputs.lookup("secret", ns, v.secretName ?? ""), v.items, v.defaultMode ?? defaultFileMode, v.optional ?? false, v.secretName ?? "");
  } else if (volume.downwardAPI) {
    addDownward(out, pod, volume.downwardAPI.items, volume.downwardAPI.defaultMode ?? defaultFileMode, inputs.allocatable);
  } else if (volume.projected) {
    const mode = volume.projected.defaultMode ?? defaultFileMode;
    for (const s of volume.projected.sources ?? []) {
      if (s.configMap) addKeys(out, "configmap", inputs.lookup("configmap", ns, s.configMap.name ?? ""), s.configMap.items, mode, s.configMap.optional ?? false, s.configMap.name ?? "");
      else if (s.secret) addKeys(out, "secret", inputs.lookup("secret", ns, s.secret.name ?? ""), s.secret.items, mode, s.secret.optional ?? false, s.secret.name ?? "");
      else if (s.downwardAPI) addDownward(out, pod, s.downwardAPI.items, mode, inputs.allocatable);
      else if (s.serviceAccountToken) {
        const token = inputs.token(s.serviceAccountToken);
        if (token === undefined) throw new VolumeSetupError(`failed to fetch token for service account "${pod.spec?.serviceAccountName ?? ""}"`);
        out.set(s.serviceAccountToken.path, { data: Buffer.from(token, "utf8"), mode });
      } else throw new VolumeSetupError("projected volume source of a kind the agent cannot provide (configMap, secret, downwardAPI and serviceAccountToken are supported)");
    }
  } else {
    return undefined;
  }
  return out;
}

/** The token sources of `pod`'s projected volumes. */
export function tokenSources(pod: Pod): TokenSource[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.projected?.sources ?? []).flatMap((s) => (s.serviceAccountToken ? [s.serviceAccountToken] : [])));
}
