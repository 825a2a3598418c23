import { stringify as toYaml } from "yaml";
import { groupVersion, resources, type ResourceInfo } from "../api/resources.js";

/** A seeded PRNG (mulberry32): the same seed gives the same sequence. */
export class Prng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)] as T; }
  /** `n` random bytes. */
  bytes(n: number): Buffer { return Buffer.from(Array.from({ length: n }, () => this.int(256))); }
}

/** The namespace holding the objects whose survival the fuzz test checks. */
export const fuzzNamespace = "fuzz";
/** The namespace where fuzzed creates may really land. */
export const scratchNamespace = "fuzz-scratch";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** A valid object of `resource` named `name` in `namespace` (ignored for cluster-scoped kinds). */
export function sample(resource: ResourceInfo, name: string, namespace = fuzzNamespace): JsonMap {
  const head = { apiVersion: groupVersion(resource), kind: resource.kind };
  switch (resource.resource) {
    case "namespaces": return { ...head, metadata: { name, labels: { team: "a" } } };
    case "nodes": return { ...head, metadata: { name, labels: { zone: "a" } }, spec: { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] }, status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" } } };
    case "pods": return {
      ...head, metadata: { name, labels: { app: "x" }, annotations: { note: "y" } },
      spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }], resources: { requests: { cpu: "100m", memory: "64Mi" } } }], tolerations: [{ operator: "Exists" }] },
    };
    case "events": return { ...head, metadata: { name }, involvedObject: { kind: "Pod", name: "p1", namespace }, reason: "Test", message: "hello", type: "Normal", count: 1 };
    case "daemonsets": return {
      ...head, metadata: { name },
      spec: {
        selector: { matchLabels: { app: name } }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx", env: [{ name: "A", value: "b" }] }] } },
      },
    };
    case "controllerrevisions": return { ...head, metadata: { name }, revision: 1, data: { spec: { template: { x: 1 } } } };
    case "leases": return { ...head, metadata: { name }, spec: { holderIdentity: "me", leaseDurationSeconds: 15 } };
    case "configmaps": return { ...head, metadata: { name }, data: { "a.conf": "x=1" }, binaryData: { bin: "AAEC" } };
    case "secrets": return { ...head, metadata: { name }, type: "Opaque", data: { password: "c2VjcmV0" } };
    case "serviceaccounts": return { ...head, metadata: { name }, automountServiceAccountToken: false };
    case "priorityclasses": return { ...head, metadata: { name }, value: 100, description: "fuzz" };
    case "roles": return { ...head, metadata: { name }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] };
    case "clusterroles": return { ...head, metadata: { name }, rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }] };
    case "rolebindings": return { ...head, metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }, subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }] };
    case "clusterrolebindings": return { ...head, metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "readers" }] };
    case "services": return { ...head, metadata: { name }, spec: { selector: { app: "x" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } };
    case "endpoints": return { ...head, metadata: { name }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ name: "http", port: 80 }] }] };
    case "endpointslices": return { ...head, metadata: { name }, addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.1"], conditions: { ready: true } }], ports: [{ name: "http", port: 80, protocol: "TCP" }] };
    case "daemonjobs": return {
      ...head, metadata: { name },
      spec: {
        backoffLimitPerNode: 2, parallelism: "50%", runOnNewNodes: true,
        template: { metadata: { labels: { job: name } }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] } },
      },
    };
    default: throw new Error(`no sample for ${resource.resource}`);
  }
}

/** The collection path of a resource (namespaced ones in `namespace`). */
export function collectionPath(r: ResourceInfo, namespace = fuzzNamespace): string {
  const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced ? `${root}/namespaces/${namespace}/${r.resource}` : `${root}/${r.resource}`;
}

/** The path of one object (`name` is put in the path as given: escape it yourself). */
export function objectPath(r: ResourceInfo, name: string, namespace = fuzzNamespace): string {
  return `${collectionPath(r, namespace)}/${name}`;
}

/** Every JSON path (as key lists) inside `value`, containers and leaves, root excluded. */
export function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => { out.push([...prefix, i], ...pathsOf(v, [...prefix, i])); });
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

/** Reads the value at `path`. */
export function getAt(root: Json, path: (string | number)[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = Array.isArray(cur) ? cur[k as number] : Object.hasOwn(cur, k) ? cur[k as string] : undefined;
  }
  return cur;
}

/** Sets (or, with `undefined`, deletes) the value at `path`; the parent must exist. */
export function setAt(root: Json, path: (string | number)[], value: Json | undefined): void {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent === null || typeof parent !== "object" || key === undefined) return;
  if (Array.isArray(parent)) {
    if (typeof key !== "number") return;
    if (value === undefined) parent.splice(key, 1);
    else parent[key] = value;
  } else if (value === undefined) {
    delete parent[key as string];
  } else {
    Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
  }
}

/** A value of another JSON type than `v` that no schema of the served kinds accepts in its place. */
export function wrongTypeFor(v: Json): Json {
  if (typeof v === "string") return { wrong: 1 };
  if (typeof v === "number") return true;
  if (typeof v === "boolean") return "yes";
  if (Array.isArray(v)) return "not-a-list";
  return 42;
}

/** `depth` levels of nested JSON objects (`{"a":{"a":…}}`) or arrays, as text. */
export function deepJson(depth: number, kind: "object" | "array" = "object"): string {
  return kind === "object" ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

/** A YAML document whose aliases expand exponentially ("billion laughs"). */
export function yamlBomb(levels = 9): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array.from({ length: 9 }, () => `*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

const hostileStrings = ["", "X", "UPPER", "x".repeat(300), "..", "a/b", "\u0000", "a\u0000b", "😀", "\u202e", "\ud800", "-1", "1e309", "%2e%2e", "$(rm -rf /)", "<script>", "null"];
const hostileNumbers = [0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, -0];

/** A random hostile JSON value (odd strings, numbers, shapes, patch directives, prototype keys, moderate nesting). */
export function hostileValue(rng: Prng): Json {
  switch (rng.int(8)) {
    case 0: case 1: return rng.pick(hostileStrings);
    case 2: return rng.pick(hostileNumbers);
    case 3: return rng.pick([true, false, null]);
    case 4: return rng.pick<Json>([[], {}, [null], [{}], [1, "a", true]]);
    case 5: return rng.pick<Json>([{ $patch: "delete" }, { $patch: "replace" }, { $patch: "bogus" }, { $retainKeys: ["a"] }, [{ $patch: "replace" }], { "$setElementOrder/containers": [{ name: "zz" }] }]);
    case 6: return JSON.parse(rng.pick(['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"toString":1,"hasOwnProperty":2}'])) as Json;
    default: return JSON.parse(deepJson(1 + rng.int(60), rng.next() < 0.5 ? "object" : "array")) as Json;
  }
}

/** Applies 1 to 3 random mutations to `obj` in place (replace, delete, add, retype, tweak, duplicate). */
export function mutate(obj: Json, rng: Prng): void {
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const paths = pathsOf(obj);
    const path = rng.pick(paths);
    const current = getAt(obj, path);
    switch (rng.int(7)) {
      case 0: setAt(obj, path, hostileValue(rng)); break;
      case 1: setAt(obj, path, undefined); break;
      case 2: {
        const target = current !== null && typeof current === "object" && !Array.isArray(current) ? path : path.slice(0, -1);
        const key = rng.pick(["extra", "$patch", "__proto__", "constructor", "metadata", "status", "spec", "x".repeat(200), "😀", ""]);
        const parent = getAt(obj, target);
        if (parent !== null && typeof parent === "object" && !Array.isArray(parent)) setAt(obj, [...target, key], hostileValue(rng));
        break;
      }
      case 3: if (current !== undefined) setAt(obj, path, wrongTypeFor(current)); break;
      case 4:
        if (typeof current === "string") setAt(obj, path, rng.pick([current.toUpperCase(), `${current}/..`, `-${current}`, current.repeat(40), `${current}\u0000`, `${current}😀`]));
        else if (typeof current === "number") setAt(obj, path, rng.pick(hostileNumbers));
        break;
      case 5: if (Array.isArray(current) && current.length > 0) current.push(structuredClone(current[0] as Json)); break;
      default: setAt(obj, path, rng.pick(hostileStrings)); break;
    }
  }
}

/** Random JSON patch operations over `doc`'s paths, mostly malformed or failing. */
export function randomJsonPatch(doc: Json, rng: Prng): Json {
  const paths = pathsOf(doc).map((p) => `/${p.map((k) => String(k).replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`);
  const ops: Json[] = [];
  for (let i = 1 + rng.int(4); i > 0; i--) {
    const op: JsonMap = { op: rng.pick(["add", "remove", "replace", "move", "copy", "test", "bogus", ""]) };
    if (rng.next() < 0.9) op.path = rng.pick([...paths, "", "/", "/nope/deeper", "/spec/-", "/~2", "no-slash", "/metadata/name"]);
    if (rng.next() < 0.7) op.value = hostileValue(rng);
    if (rng.next() < 0.3) op.from = rng.pick([...paths, "/nope", ""]);
    ops.push(rng.next() < 0.05 ? hostileValue(rng) : op);
  }
  return ops;
}

/** Serializes a body as JSON or YAML; sometimes flips one byte. */
export function encode(value: Json, rng: Prng): { body: Buffer; contentType: string } {
  const yaml = rng.next() < 0.25;
  const body = Buffer.from(yaml ? toYaml(value) : JSON.stringify(value));
  if (rng.next() < 0.1 && body.length > 0) body[rng.int(body.length)] = rng.int(256);
  return { body, contentType: yaml ? "application/yaml" : "application/json" };
}

/** The object of each resource that exists before the fuzzing starts (in fuzzNamespace for namespaced ones). */
export const seededNames: Readonly<Record<string, string>> = { namespaces: fuzzNamespace, nodes: "fuzz-node-1", pods: "p1", events: "ev1", daemonsets: "ds1", controllerrevisions: "cr1", leases: "l1" };

/** Pods in the scratch namespace that bindings and evictions of the mutation loop aim at. */
export const scratchPods = Array.from({ length: 20 }, (_, i) => `b-${i}`);

/** One request of the mutation loop. */
export interface MutationRequest {
  label: string;
  resource: ResourceInfo;
  method: string;
  path: string;
  body: Buffer;
  contentType: string;
  /** What a 2xx answer's `kind` must be. */
  answerKind: string;
}

const verbs = ["create", "create", "update", "status", "merge", "strategic", "json", "apply", "binding", "eviction", "delete"] as const;

/**
 * The `i`-th request of the mutation loop: a valid object (or patch, or subresource body) mutated by `rng`, sent with
 * a random verb. Writes to the seeded objects are dry runs; creates, bindings, evictions and deletes land in the
 * scratch namespace, where they may succeed.
 */
export function mutationRequest(rng: Prng, i: number): MutationRequest {
  const verb = rng.pick(verbs);
  const pods = resources.find((r) => r.resource === "pods") as ResourceInfo;
  const validation = rng.pick(["", "&fieldValidation=Strict", "&fieldValidation=Ignore", "&fieldValidation=Warn"]);
  if (verb === "binding" || verb === "eviction" || verb === "delete") {
    const r = verb === "delete" ? rng.pick(resources.filter((x) => x.namespaced)) : pods;
    const name = verb === "delete" ? `m-${rng.int(Math.max(1, i))}` : rng.pick(scratchPods);
    const body: JsonMap = verb === "binding"
      ? { apiVersion: "v1", kind: "Binding", metadata: { name, annotations: { a: "b" } }, target: { apiVersion: "v1", kind: "Node", name: "fuzz-node-1" } }
      : verb === "eviction"
        ? { apiVersion: "policy/v1", kind: "Eviction", metadata: { name }, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: "x" } } }
        : { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, propagationPolicy: "Background", preconditions: { resourceVersion: "1" } };
    mutate(body, rng);
    const { body: bytes, contentType } = encode(body, rng);
    const path = `${objectPath(r, name, scratchNamespace)}${verb === "delete" ? "" : `/${verb}`}`;
    return { label: `#${i} ${verb} ${r.resource}`, resource: r, method: verb === "delete" ? "DELETE" : "POST", path, body: bytes, contentType, answerKind: verb === "delete" ? "" : "Status" };
  }
  const r = verb === "status" ? rng.pick(resources.filter((x) => x.subresources.includes("status"))) : rng.pick(resources);
  const real = verb === "create" && r.namespaced;
  const query = `?${real ? "" : "dryRun=All"}${validation}`;
  const target = seededNames[r.resource] ?? "x";
  const base = sample(r, verb === "create" ? `m-${i}` : target, real ? scratchNamespace : fuzzNamespace);
  mutate(base, rng);
  const label = `#${i} ${verb} ${r.resource}`;
  const at = `${objectPath(r, target)}${verb === "status" ? "/status" : ""}${query}`;
  switch (verb) {
    case "create": return { label, resource: r, method: "POST", path: `${collectionPath(r, real ? scratchNamespace : fuzzNamespace)}${query}`, ...encode(base, rng), answerKind: r.kind };
    case "update": case "status": return { label, resource: r, method: "PUT", path: at, ...encode(base, rng), answerKind: r.kind };
    case "json": return { label, resource: r, method: "PATCH", path: at, body: Buffer.from(JSON.stringify(randomJsonPatch(sample(r, target), rng))), contentType: "application/json-patch+json", answerKind: r.kind };
    case "apply": return { label, resource: r, method: "PATCH", path: `${at}&fieldManager=fuzz`, body: encode(base, rng).body, contentType: "application/apply-patch+yaml", answerKind: r.kind };
    default: return {
      label, resource: r, method: "PATCH", path: at, body: Buffer.from(JSON.stringify(base)),
      contentType: verb === "merge" ? "application/merge-patch+json" : "application/strategic-merge-patch+json", answerKind: r.kind,
    };
  }
}
