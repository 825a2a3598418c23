import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { stringify as toYaml } from "yaml";
import { findResource, resources, type ResourceInfo } from "../api/resources.js";
import type { KubeObject } from "../api/types.js";
import {
  collectionPath, deepJson, fuzzNamespace, getAt, mutationRequest, objectPath, pathsOf, Prng, sample, scratchNamespace, scratchPods, seededNames, setAt,
  wrongTypeFor, yamlBomb,
} from "./fuzz-corpus.js";
import { countByResource, deepFieldsV1Namespace, run, snapshot, type Probe } from "./fuzz-probes.js";
import { startTestCluster, type TestCluster } from "./harness.js";
import { rawApi, statusProblem, type RawAnswer, type RawApi } from "./raw-api.js";

const res = (group: string, resource: string): ResourceInfo => {
  const r = findResource(group, resource);
  if (!r) throw new Error(`no resource ${resource}`);
  return r;
};
const pods = res("", "pods");
const nodes = res("", "nodes");
const daemonsets = res("apps", "daemonsets");
const leases = res("coordination.k8s.io", "leases");
const revisions = res("apps", "controllerrevisions");
const namespaces = res("", "namespaces");
const seededPath = (r: ResourceInfo): string => objectPath(r, seededNames[r.resource] ?? "");
const json = (v: unknown): string => JSON.stringify(v);
const emptyList = (a: RawAnswer): boolean => (JSON.parse(a.body.toString()) as { items?: unknown[] }).items?.length === 0;

describe("hostile and malformed requests", () => {
  let c: TestCluster;
  let api: RawApi;
  let before_: Map<string, KubeObject>;

  before(async () => {
    c = await startTestCluster({ controllers: false });
    api = await rawApi(c.plane.kubeconfigPath);
    const client = c.plane.client;
    for (const ns of [fuzzNamespace, scratchNamespace]) await client.create(namespaces, undefined, sample(namespaces, ns) as KubeObject);
    for (const r of resources) {
      if (r.resource === "namespaces") continue;
      await client.create(r, r.namespaced ? fuzzNamespace : undefined, sample(r, seededNames[r.resource] ?? "x") as KubeObject);
    }
    await client.create(pods, fuzzNamespace, sample(pods, "p2") as KubeObject);
    for (const name of scratchPods) await client.create(pods, scratchNamespace, sample(pods, name, scratchNamespace) as KubeObject);
    before_ = await snapshot(c);
  });
  after(async () => {
    api.close();
    await c.stop();
  });

  test("broken JSON, YAML and protobuf bodies", async () => {
    const rng = new Prng(1);
    const brokenJson = ["", "{", '{"a":', "[1,2", "nul", '"string"', "123", "[]", "null", '{"metadata":}', "\u00ff\u00fe{}", "\ufeff{}",
      '{"kind":"Pod"}{"extra":1}', '{"a":1e999}', '{"metadata":{"name":"x"},}', "{'single':'quotes'}", '{"a":"\\u12"}', "{\u0000}", "\u0000"];
    const yamlBodies = [yamlBomb(), deepJson(100_000, "array"), `${"- ".repeat(5000)}x`, ": : :", "a:\n\t- tab", "!!binary AAAA", "--- 1\n--- 2", "a: 1\na: 2",
      "*unknown_alias", "&a [*a]", "{a: [b, {c: d}}", "? [a, b]\n: c", `${"a:\n  ".repeat(2000)}b`];
    const probes: Probe[] = [];
    for (const r of resources) {
      for (const body of brokenJson) {
        probes.push({ label: `json create ${r.resource} ${json(body)}`, method: "POST", path: collectionPath(r), body, contentType: "application/json" });
        probes.push({ label: `json update ${r.resource} ${json(body)}`, method: "PUT", path: seededPath(r), body, contentType: "application/json" });
      }
      for (const body of yamlBodies) probes.push({ label: `yaml create ${r.resource} ${json(body.slice(0, 40))}`, method: "POST", path: collectionPath(r), body, contentType: "application/yaml" });
      const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
      for (let i = 0; i < 12; i++) {
        const garbage = rng.bytes(1 + rng.int(200));
        probes.push({ label: `protobuf garbage ${r.resource} #${i}`, method: "POST", path: collectionPath(r), body: garbage, contentType: "application/vnd.kubernetes.protobuf" });
        probes.push({ label: `protobuf magic+garbage ${r.resource} #${i}`, method: "POST", path: collectionPath(r), body: Buffer.concat([magic, garbage]), contentType: "application/vnd.kubernetes.protobuf" });
      }
      // Unknown wrapper declaring huge lengths, truncated varints, deeply nested embedded messages, and a Namespace
      // whose managedFields carry JSON nested 100k levels deep.
      for (const tail of [[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x0a, 0x80], [0x12, 0x05, 0x0a], Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? 0x0a : 0x7f))]) {
        probes.push({ label: `protobuf crafted ${r.resource} ${tail.length}`, method: "POST", path: collectionPath(r), body: Buffer.concat([magic, Buffer.from(tail)]), contentType: "application/vnd.kubernetes.protobuf" });
      }
      probes.push({ label: `protobuf deep fieldsV1 ${r.resource}`, method: "POST", path: collectionPath(r), body: deepFieldsV1Namespace(), contentType: "application/vnd.kubernetes.protobuf" });
      probes.push({ label: `broken DeleteOptions ${r.resource}`, method: "DELETE", path: seededPath(r), body: '{"gracePeriodSeconds":"soon"}', contentType: "application/json" });
      probes.push({ label: `DeleteOptions not JSON ${r.resource}`, method: "DELETE", path: seededPath(r), body: "{", contentType: "application/json" });
    }
    assert.deepEqual(await run(api, probes), []);
  });

  test("wrong types in every field of every served kind", async () => {
    const probes: Probe[] = [];
    for (const r of resources) {
      const base = sample(r, "typed");
      for (const path of pathsOf(base)) {
        // ControllerRevision.data is a RawExtension: any JSON is well typed there.
        if (r.resource === "controllerrevisions" && path[0] === "data") continue;
        const current = getAt(base, path);
        if (current === undefined) continue;
        const obj = structuredClone(base);
        setAt(obj, path, wrongTypeFor(current));
        probes.push({ label: `wrong type ${r.resource} ${path.join(".")}`, method: "POST", path: collectionPath(r), body: json(obj), contentType: "application/json" });
      }
    }
    assert.deepEqual(await run(api, probes), []);
  });

  test("deep nesting and huge bodies", async () => {
    const deep = deepJson(100_000);
    const deepArr = deepJson(100_000, "array");
    const wrap = (prefix: string, inner: string, suffix: string): string => `${prefix}${inner}${suffix}`;
    const podHead = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[{"name":"c","image":"nginx"}]`;
    const probes: Probe[] = [
      { label: "deep object body", method: "POST", path: collectionPath(pods), body: deep, contentType: "application/json" },
      { label: "deep array body", method: "POST", path: collectionPath(pods), body: deepArr, contentType: "application/json" },
      { label: "deep unknown field (Ignore)", method: "POST", path: `${collectionPath(pods)}?fieldValidation=Ignore`, body: wrap(`${podHead},"x":`, deep, "}}"), contentType: "application/json" },
      { label: "deep unknown field (Strict)", method: "POST", path: `${collectionPath(pods)}?fieldValidation=Strict`, body: wrap(`${podHead},"x":`, deep, "}}"), contentType: "application/json" },
      { label: "deep annotations", method: "POST", path: collectionPath(pods), body: wrap(`{"metadata":{"name":"deep","annotations":`, deep, "}}"), contentType: "application/json" },
      { label: "deep revision data", method: "POST", path: collectionPath(revisions), body: wrap(`{"metadata":{"name":"deep"},"revision":1,"data":`, deep, "}"), contentType: "application/json" },
      { label: "deep revision data (yaml)", method: "POST", path: collectionPath(revisions), body: wrap(`{"metadata":{"name":"deep"},"revision":1,"data":`, deepArr, "}"), contentType: "application/yaml" },
      { label: "deep merge patch", method: "PATCH", path: seededPath(pods), body: wrap('{"metadata":{"annotations":', deep, "}}"), contentType: "application/merge-patch+json" },
      { label: "deep strategic patch", method: "PATCH", path: seededPath(daemonsets), body: wrap('{"spec":', deep, "}"), contentType: "application/strategic-merge-patch+json" },
      { label: "deep json patch value", method: "PATCH", path: seededPath(pods), body: wrap('[{"op":"add","path":"/metadata/annotations/x","value":', deep, "}]"), contentType: "application/json-patch+json" },
      { label: "deep apply patch", method: "PATCH", path: `${seededPath(leases)}?fieldManager=fuzz`, body: wrap('{"spec":', deep, "}"), contentType: "application/apply-patch+yaml" },
      { label: "deep DeleteOptions", method: "DELETE", path: seededPath(pods), body: wrap('{"preconditions":', deep, "}"), contentType: "application/json" },
    ];
    const huge = `{"metadata":{"name":"huge","annotations":{"a":"${"x".repeat(4 * 1024 * 1024)}"}}}`;
    for (const chunked of [false, true]) {
      const how = chunked ? "chunked" : "declared";
      probes.push({ label: `huge create ${how}`, method: "POST", path: collectionPath(pods), body: huge, contentType: "application/json", chunked, expect: 413 });
      probes.push({ label: `huge patch ${how}`, method: "PATCH", path: seededPath(pods), body: huge, contentType: "application/merge-patch+json", chunked, expect: 413 });
      probes.push({ label: `huge update ${how}`, method: "PUT", path: seededPath(nodes), body: huge, contentType: "application/yaml", chunked, expect: 413 });
      probes.push({ label: `huge delete ${how}`, method: "DELETE", path: seededPath(pods), body: huge, contentType: "application/json", chunked, expect: 413 });
    }
    assert.deepEqual(await run(api, probes), []);
  });

  test("invalid names in bodies and paths, path traversal, unicode and null bytes", async () => {
    const bad = ["Upper", "a".repeat(254), "a/b", "..", ".", "-a", "a_b", "ünï", "😀", "a\u0000b", " ", "a%2Fb", "%", "\u202egnp.exe", "a\u200bb", "\ud800"];
    // Event and RBAC names only have to be usable as path segments, as upstream (which validates nothing more for v1
    // events, and checks RBAC names with IsValidPathSegmentName: they hold colons, as in system:node).
    const notPathSegments = bad.filter((n) => n === "." || n === ".." || n.includes("/") || n.includes("%"));
    const pathSegmentNamed = new Set(["events", "roles", "rolebindings", "clusterroles", "clusterrolebindings"]);
    const probes: Probe[] = [];
    for (const r of resources) {
      for (const name of pathSegmentNamed.has(r.resource) ? notPathSegments : bad) {
        probes.push({ label: `body name ${r.resource} ${json(name)}`, method: "POST", path: collectionPath(r), body: json(sample(r, name)), contentType: "application/json" });
      }
      for (const seg of ["..", ".", "%2e%2e", "..%2F..%2Fnodes%2Ffuzz-node-1", "p1%2F..", "%2F", "p1%00", "%00", "x".repeat(10_000), "%C3%28", "%F0%9F%98%80", "%zz"]) {
        const path = objectPath(r, seg);
        probes.push({ label: `url name GET ${r.resource} ${seg.slice(0, 30)}`, method: "GET", path });
        probes.push({ label: `url name PUT ${r.resource} ${seg.slice(0, 30)}`, method: "PUT", path, body: json(sample(r, seg)), contentType: "application/json" });
        probes.push({ label: `url name PATCH ${r.resource} ${seg.slice(0, 30)}`, method: "PATCH", path, body: "{}", contentType: "application/merge-patch+json" });
        probes.push({ label: `url name DELETE ${r.resource} ${seg.slice(0, 30)}`, method: "DELETE", path });
      }
    }
    for (const path of ["/api/v1/namespaces/fuzz/pods/p1/../../../nodes", "/api/v1/../../etc/passwd", "/api/v1/namespaces/fuzz/pods/p1/status/../..", "//api/v1/pods",
      "/api/v1/namespaces/fuzz/pods/p1/log", "/apis/apps/v1/namespaces/fuzz/daemonsets/ds1/scale", "/api/v1/namespaces/fuzz/pods/p1/exec", "/apis/apps/v2/daemonsets",
      "/apis/../api/v1/pods", "/api/v1/namespaces/fuzz/persistentvolumeclaims", "/%2e%2e/api", "/api/v1/nodes/fuzz-node-1/proxy/", "/apis/apps/v1/pods", "/api/v1/daemonsets"]) {
      probes.push({ label: `path ${path}`, method: "GET", path });
    }
    // Lists in impossible namespaces find nothing (as upstream, they are not errors).
    for (const ns of ["..", "%2e%2e", "..%2Fkube-system", "fuzz%2Fp1", "%00"]) {
      probes.push({ label: `list in namespace ${ns}`, method: "GET", path: `/api/v1/namespaces/${ns}/pods`, benign: emptyList });
      probes.push({ label: `create in namespace ${ns}`, method: "POST", path: `/api/v1/namespaces/${ns}/pods`, body: json(sample(pods, "trav")), contentType: "application/json" });
      probes.push({ label: `delete collection in namespace ${ns}`, method: "DELETE", path: `/api/v1/namespaces/${ns}/pods`, benign: emptyList });
    }
    assert.deepEqual(await run(api, probes), []);
  });

  test("invalid selectors, quantities and query parameters", async () => {
    const probes: Probe[] = [];
    // (`a in ()` and `a in (b,,c)` look broken but are valid upstream: they mean the value "" among others.)
    const labelSelectors = ["a in (b", "!!", "a=b=c", "=", "x,", "a notin", ",", "a b", "a!=(b)", "\u0000", "a/b/c=v", "UP PER=v", `a=${"b".repeat(100)}`, "!a=b", "(a)", "a in (b c)"];
    const fieldSelectors = ["spec.foo=bar", "=x", "metadata.name!~a", "a,b", "\u0000", "metadata.name=a\\", "status.phase in (x)", "metadata.name"];
    for (const r of [pods, daemonsets, nodes]) {
      for (const s of labelSelectors) {
        probes.push({ label: `labelSelector ${r.resource} ${json(s)}`, method: "GET", path: `${collectionPath(r)}?labelSelector=${encodeURIComponent(s)}` });
        probes.push({ label: `labelSelector watch ${r.resource} ${json(s)}`, method: "GET", path: `${collectionPath(r)}?watch=1&timeoutSeconds=1&labelSelector=${encodeURIComponent(s)}` });
        probes.push({ label: `labelSelector deletecollection ${r.resource} ${json(s)}`, method: "DELETE", path: `${collectionPath(r)}?labelSelector=${encodeURIComponent(s)}` });
      }
      for (const s of fieldSelectors) {
        probes.push({ label: `fieldSelector ${r.resource} ${json(s)}`, method: "GET", path: `${collectionPath(r)}?fieldSelector=${encodeURIComponent(s)}` });
        probes.push({ label: `fieldSelector watch ${r.resource} ${json(s)}`, method: "GET", path: `${collectionPath(r)}?watch=true&timeoutSeconds=1&fieldSelector=${encodeURIComponent(s)}` });
      }
    }
    // (Upstream accepts ".", "1.", a decimal exponent such as 1e1000 and 200-digit numbers: no overflow check.)
    for (const [i, q] of ["abc", "1.5.5", "-1", "1e", "", " 1", "1 ", "0x10", "1Mi1", "∞", "NaN", "+-1", "1e9999999999999999999", "1Ki1"].entries()) {
      const pod = sample(pods, `qty-${i}`);
      setAt(pod, ["spec", "containers", 0, "resources", "requests", "cpu"], q);
      probes.push({ label: `pod quantity ${json(q)}`, method: "POST", path: collectionPath(pods), body: json(pod), contentType: "application/json" });
      const node = sample(nodes, `qty-${i}`);
      setAt(node, ["status", "capacity", "memory"], q);
      probes.push({ label: `node quantity ${json(q)}`, method: "POST", path: collectionPath(nodes), body: json(node), contentType: "application/json" });
    }
    const list = collectionPath(pods);
    for (const q of ["limit=abc", "limit=1e3", "limit=99999999999999999999", "timeoutSeconds=abc", "resourceVersion=xyz", "resourceVersion=-5", "resourceVersion=1.5",
      "resourceVersion=xyz&resourceVersionMatch=Exact", "resourceVersionMatch=Bogus&resourceVersion=1", "continue=garbage", "continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIvcmVnaXN0cnkvIn0",
      "continue=e30", "limit=1&continue=%00", "sendInitialEvents=true", "timeout=abc", "timeout=-1x", "resourceVersion=99999999999999999999",
      "resourceVersion=0&resourceVersionMatch=Exact"]) {
      probes.push({ label: `list ?${q}`, method: "GET", path: `${list}?${q}` });
    }
    // A resourceVersion from the future is upstream's 504 Timeout (cause ResourceVersionTooLarge): clients retry it.
    probes.push({ label: "list at a future resourceVersion", method: "GET", path: `${list}?resourceVersion=999999999&resourceVersionMatch=Exact`, expect: 504 });
    probes.push({ label: "list ?limit=-1 (ignored, as upstream)", method: "GET", path: `${list}?limit=-1`, benign: (a) => !emptyList(a) });
    for (const q of ["resourceVersion=xyz", "resourceVersion=-1", "timeoutSeconds=abc", "resourceVersionMatch=Exact", "sendInitialEvents=maybe&resourceVersionMatch=Exact", "resourceVersion=1.5", "resourceVersion=99999999999999999999"]) {
      probes.push({ label: `watch ?${q}`, method: "GET", path: `${list}?watch=1&${q}` });
      probes.push({ label: `watch one ?${q}`, method: "GET", path: `${seededPath(pods)}?watch=1&${q}` });
    }
    for (const q of ["resourceVersion=xyz", "resourceVersion=-3"]) probes.push({ label: `get ?${q}`, method: "GET", path: `${seededPath(pods)}?${q}` });
    const pod = json(sample(pods, "qp"));
    for (const q of ["dryRun=Maybe", "fieldValidation=Bogus", "fieldManager=%00bad", `fieldManager=${"m".repeat(200)}`, "timeout=abc"]) {
      probes.push({ label: `create ?${q}`, method: "POST", path: `${list}?${q}`, body: pod, contentType: "application/json" });
    }
    for (const q of ["gracePeriodSeconds=abc", "propagationPolicy=Bogus", "dryRun=x", "orphanDependents=true&propagationPolicy=Orphan", "gracePeriodSeconds=1e3"]) {
      probes.push({ label: `delete ?${q}`, method: "DELETE", path: `${seededPath(pods)}?${q}` });
    }
    probes.push({ label: "delete stale precondition", method: "DELETE", path: seededPath(pods), body: json({ preconditions: { resourceVersion: "1", uid: "nope" } }), contentType: "application/json" });
    probes.push({ label: "delete options bad policy body", method: "DELETE", path: seededPath(pods), body: json({ propagationPolicy: "Sideways" }), contentType: "application/json" });
    assert.deepEqual(await run(api, probes), []);
  });

  test("invalid patches of all four types", async () => {
    const p = seededPath(pods);
    const jsonPatches: unknown[] = [
      {}, "str", [1], [null], [{ op: "bogus", path: "/a" }], [{ op: "add" }], [{ op: "add", path: "no-slash", value: 1 }], [{ op: "add", path: "/~2", value: 1 }],
      [{ op: "test", path: "/metadata/name", value: "other" }], [{ op: "test", path: "/nope", value: 1 }], [{ op: "remove", path: "/nope" }],
      [{ op: "replace", path: "/nope/deeper", value: 1 }], [{ op: "move", from: "/spec", path: "/spec/containers/0" }], [{ op: "add", path: "/spec/containers/999", value: {} }],
[{ op: "copy", from: "/nope", path: "/x" }], [{ op: "remove", path: "" }], [{ op: "replace", path: "", value: "scalar" }],
      [{ op: "replace", path: "", value: [] }], [{ op: "replace", path: "/metadata/name", value: "renamed" }], [{ op: "replace", path: "/kind", value: "Node" }],
      [{ op: "replace", path: "/apiVersion", value: "v9" }], [{ op: "add", path: "/spec/containers/0/image", value: 5 }], [{ op: "remove", path: "/spec/containers" }],
      [{ op: "add", path: "/metadata/resourceVersion", value: "1" }], [{ op: "add", path: "/metadata/labels/bad key", value: "v" }],
      Array.from({ length: 10_001 }, () => ({ op: "test", path: "/kind", value: "Pod" })),
      [{ op: "add", path: "/spec/containers/-", value: { name: "c", image: "dup" } }], [{ op: "move", from: "/metadata", path: "" }],
      // Copies that double the object each time, and adds that keep nesting deeper.
      Array.from({ length: 60 }, () => ({ op: "copy", from: "/metadata", path: "/metadata/annotations/x" })),
      Array.from({ length: 60 }, () => ({ op: "copy", from: "", path: "/metadata/x" })),
      Array.from({ length: 200 }, (_, i) => ({ op: "add", path: `/metadata/x${"/a".repeat(i * 20)}`, value: JSON.parse(deepJson(20)) as unknown })),
    ];
    const mergePatches: unknown[] = [[], "str", 5, true, { metadata: { name: "other" } }, { spec: { containers: "x" } }, { metadata: { resourceVersion: "1" } },
      { apiVersion: "v9" }, { kind: "Node" }, { metadata: { labels: { "bad key": "v" } } }, { metadata: "x" }, { spec: { containers: [{ name: "c", image: "" }] } },
      { metadata: { namespace: "other" } }, { metadata: { uid: "changed" } }];
    const strategicPatches: unknown[] = [...mergePatches, { $patch: "delete" }, { $patch: "replace" }, { $patch: "bogus" }, { spec: { containers: [{ $patch: "delete", name: "c" }] } },
      { spec: { containers: { $patch: "replace" } } }, { spec: { containers: [{ $patch: "bogus", name: "c" }] } }, { $retainKeys: "x" }, { spec: { $retainKeys: ["nope"], containers: [] } },
      { "$setElementOrder/containers": "x" }, { metadata: { "$deleteFromPrimitiveList/finalizers": "x" } },
      { spec: { containers: [{ name: "c", image: "nginx", $patch: "replace", ports: "x" }] } }, { spec: { containers: [{ image: "no-name" }] } }, { spec: { tolerations: [{ $patch: "merge" }] } }];
    const applyPatches: string[] = ["{", "[]", '"str"', "- a\n- b", yamlBomb(), "apiVersion: v1\nkind: Node\nmetadata:\n  name: p1\n", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\nspec:\n  containers: x\n", "kind: Pod\nmetadata:\n  name: p1\n", "apiVersion: v1\nmetadata:\n  name: p1\n",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\n  managedFields: x\n", toYaml({ apiVersion: "v1", kind: "Pod", metadata: { name: "p1" }, spec: { containers: [{ name: "c", image: 1 }] } })];
    const probes: Probe[] = [
      ...jsonPatches.map((b, i): Probe => ({ label: `json patch #${i} ${json(b).slice(0, 80)}`, method: "PATCH", path: p, body: json(b), contentType: "application/json-patch+json" })),
      ...mergePatches.map((b, i): Probe => ({ label: `merge patch #${i} ${json(b)}`, method: "PATCH", path: p, body: json(b), contentType: "application/merge-patch+json" })),
      ...strategicPatches.map((b, i): Probe => ({ label: `strategic patch #${i} ${json(b)}`, method: "PATCH", path: p, body: json(b), contentType: "application/strategic-merge-patch+json" })),
      ...applyPatches.map((b, i): Probe => ({ label: `apply patch #${i} ${json(b.slice(0, 60))}`, method: "PATCH", path: `${p}?fieldManager=fuzz`, body: b, contentType: "application/apply-patch+yaml" })),
      { label: "apply without fieldManager", method: "PATCH", path: p, body: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\n", contentType: "application/apply-patch+yaml" },
      { label: "force on merge patch", method: "PATCH", path: `${p}?force=true`, body: "{}", contentType: "application/merge-patch+json" },
      { label: "merge patch of a missing object", method: "PATCH", path: objectPath(pods, "missing"), body: "{}", contentType: "application/merge-patch+json" },
      { label: "status patch on a kind without status", method: "PATCH", path: `${seededPath(leases)}/status`, body: "{}", contentType: "application/merge-patch+json" },
      { label: "patch of daemonset selector (immutable)", method: "PATCH", path: seededPath(daemonsets), body: json({ spec: { selector: { matchLabels: { app: "z" } }, template: { metadata: { labels: { app: "z" } } } } }), contentType: "application/merge-patch+json" },
    ];
    assert.deepEqual(await run(api, probes), []);
  });

  test("strict unknown fields, content types, methods and credentials", async () => {
    const list = collectionPath(pods);
    const strict = `${list}?fieldValidation=Strict`;
    const withUnknown = (path: (string | number)[]): string => { const o = sample(pods, "strict"); setAt(o, path, 1); return json(o); };
    const probes: Probe[] = [
      ...[["bogus"], ["spec", "bogus"], ["metadata", "bogus"], ["spec", "containers", 0, "bogus"], ["spec", "containers", 0, "resources", "bogus"]].map((path): Probe => (
        { label: `strict unknown ${path.join(".")}`, method: "POST", path: strict, body: withUnknown(path), contentType: "application/json" })),
      { label: "strict unknown (yaml)", method: "POST", path: strict, body: toYaml({ ...sample(pods, "strict"), extra: 1 }), contentType: "application/yaml" },
      { label: "strict unknown in update", method: "PUT", path: `${seededPath(pods)}?fieldValidation=Strict`, body: json({ ...sample(pods, "p1"), extra: 1 }), contentType: "application/json" },
      { label: "strict unknown in merge patch", method: "PATCH", path: `${seededPath(pods)}?fieldValidation=Strict`, body: json({ spec: { bogus: 1 } }), contentType: "application/merge-patch+json" },
      { label: "strict unknown in apply", method: "PATCH", path: `${seededPath(pods)}?fieldValidation=Strict&fieldManager=fuzz`, body: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\nbogus: 1\n", contentType: "application/apply-patch+yaml" },
    ];
    for (const type of ["text/plain", "application/xml", "application/json-patch+json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "image/png", "*/*", "application/"]) {
      probes.push({ label: `create as ${type}`, method: "POST", path: list, body: json(sample(pods, "ct")), contentType: type, expect: 415 });
      probes.push({ label: `update as ${type}`, method: "PUT", path: seededPath(pods), body: json(sample(pods, "p1")), contentType: type, expect: 415 });
    }
    for (const type of ["application/json", "text/plain", "application/yaml", "", "application/merge-patch+json+x"]) {
      probes.push({ label: `patch as ${json(type)}`, method: "PATCH", path: seededPath(pods), body: "{}", contentType: type, expect: 415 });
    }
    const methods: [string, string][] = [
      ["PUT", list], ["PATCH", list], ["POST", seededPath(pods)], ["OPTIONS", list], ["POST", "/api/v1/pods"], ["DELETE", "/api/v1/pods"], ["DELETE", "/api/v1/namespaces"],
      ["POST", "/version"], ["PUT", "/healthz"], ["DELETE", "/api"], ["POST", "/apis"], ["PATCH", "/api/v1"], ["POST", "/openapi/v3"], ["POST", `${seededPath(pods)}/status`],
      ["DELETE", `${seededPath(pods)}/status`], ["GET", `${seededPath(pods)}/binding`], ["PUT", `${seededPath(pods)}/eviction`], ["TRACE", list], ["PROPFIND", list],
    ];
    for (const [method, path] of methods) {
      probes.push({ label: `${method} ${path}`, method, path, body: method === "GET" || method === "TRACE" ? undefined : "{}", contentType: "application/json", expect: 405 });
    }
    for (const [label, headers, anonymous] of [["no token", {}, true], ["bad token", { Authorization: "Bearer nope" }, false], ["basic auth", { Authorization: "Basic YTpi" }, false],
      ["empty bearer", { Authorization: "Bearer " }, false]] as const) {
      probes.push({ label: `credentials: ${label}`, method: "GET", path: list, headers, anonymous, expect: 401 });
      probes.push({ label: `credentials: ${label} (write)`, method: "POST", path: list, headers, anonymous, body: json(sample(pods, "anon")), contentType: "application/json", expect: 401 });
    }
    assert.deepEqual(await run(api, probes), []);
  });

  test("a seeded mutation loop over valid objects never gets a server error", async () => {
    const rng = new Prng(20240601);
    const failures: string[] = [];
    const counts: Record<string, number> = {};
    let next = 0;
    const total = 2000;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const m = mutationRequest(rng, next++);
        let answer: RawAnswer;
        try {
          answer = await api.request(m.method, m.path, { body: m.body, headers: { "Content-Type": m.contentType, Accept: "application/json" } });
        } catch (err) {
          failures.push(`${m.label} ${m.method} ${m.path}: no answer: ${String(err)}`);
          continue;
        }
        counts[answer.status] = (counts[answer.status] ?? 0) + 1;
        if (answer.status >= 200 && answer.status < 300) {
          const obj = JSON.parse(answer.body.toString()) as KubeObject;
          if (m.answerKind !== "" && obj.kind !== m.answerKind) failures.push(`${m.label} ${m.method} ${m.path}: ${answer.status} answered a ${String(obj.kind)}`);
          continue;
        }
        const problem = statusProblem(answer);
        if (problem) failures.push(`${m.label} ${m.method} ${m.path} ${m.body.toString().slice(0, 300)}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.deepEqual(failures, []);
    // The loop exercised both outcomes.
    assert.ok(Object.keys(counts).some((code) => code.startsWith("2")), JSON.stringify(counts));
    assert.ok(Object.keys(counts).some((code) => code.startsWith("4")), JSON.stringify(counts));
  });

  test("the server is still up, nothing was polluted, and stored data is unchanged", async () => {
    const health = await api.request("GET", "/healthz");
    assert.equal(health.status, 200);
    assert.equal(health.body.toString(), "ok");
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
    const afterwards = await snapshot(c);
    assert.deepEqual(countByResource(afterwards), countByResource(before_));
    assert.deepEqual(afterwards, before_);
    // Still writable: a valid create works.
    const ok = await api.request("POST", collectionPath(pods), { body: json(sample(pods, "after-fuzz")), headers: { "Content-Type": "application/json" } });
    assert.equal(ok.status, 201, ok.body.toString());
  });
});
