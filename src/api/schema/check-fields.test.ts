import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkAndPruneFields, checkFields, isPlainUtcTime, isTime, pruneUnknownFields, quantityError, timeError } from "./check-fields.js";
import { findResource, resources } from "../resources.js";
import type { ResourceInfo } from "../resources.js";

const daemonsets = findResource("apps", "daemonsets") as ResourceInfo;
const pods = findResource("", "pods") as ResourceInfo;

function daemonSet(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet",
    metadata: { name: "x", labels: { app: "x" }, ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n", uid: "u" }] },
    spec: {
      selector: { matchLabels: { app: "x" }, matchExpressions: [{ key: "a", operator: "In", values: ["b"] }] },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%", maxSurge: 0 } },
      minReadySeconds: 5,
      template: {
        metadata: { labels: { app: "x" }, annotations: { a: "b" } },
        spec: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "In", values: ["v"] }] }] } } },
          securityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [1, 2] },
          terminationGracePeriodSeconds: 30,
          initContainers: [{ name: "init", image: "busybox", command: ["sh", "-c", "true"] }],
          containers: [{
            name: "main", image: "nginx:1.26",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            env: [{ name: "A", value: "b" }, { name: "N", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
            envFrom: [{ configMapRef: { name: "cm" } }],
            resources: { limits: { cpu: "100m", memory: "64Mi" }, requests: { cpu: 0.1 } },
            livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 10 },
            readinessProbe: { tcpSocket: { port: 80 } },
            lifecycle: { preStop: { exec: { command: ["sleep", "1"] } } },
            volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }],
            securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN"] } },
          }],
          volumes: [
            { name: "data", hostPath: { path: "/var/data", type: "DirectoryOrCreate" } },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            { name: "cm", configMap: { name: "cm", items: [{ key: "k", path: "p" }] } },
            { name: "s", secret: { secretName: "s", defaultMode: 420 } },
            { name: "p", projected: { sources: [{ downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } }] } },
            { name: "pvc", persistentVolumeClaim: { claimName: "c" } },
          ],
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }],
        },
      },
    },
    status: { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, observedGeneration: 2,
      conditions: [{ type: "X", status: "True", lastTransitionTime: "2024-05-01T10:00:00Z" }] },
    ...extra,
  };
}

void describe("checkFields", () => {
  void test("a full, valid DaemonSet has nothing to report", () => {
    assert.deepEqual(checkFields(daemonsets, daemonSet()), { unknownFields: [], typeErrors: [] });
  });

  void test("every served kind has a schema", () => {
    for (const r of resources) assert.deepEqual(checkFields(r, { apiVersion: "x", kind: r.kind, metadata: { name: "a" } }), { unknownFields: [], typeErrors: [] });
  });

  const unknownCases: Array<[string, (o: Record<string, unknown>) => void, string[]]> = [
    ["top level", (o) => { o.bogus = 1; }, ["bogus"]],
    ["spec field", (o) => { (o.spec as Record<string, unknown>).selectr = {}; }, ["spec.selectr"]],
    ["container field in a list", (o) => { containers(o)[0]!.imagee = "x"; }, ["spec.template.spec.containers[0].imagee"]],
    ["case matters", (o) => { o.Spec = {}; }, ["Spec"]],
    ["prototype names are just names", (o) => { Object.assign(o, { constructor: 1, toString: "x" }); }, ["constructor", "toString"]],
    ["several, in order", (o) => { o.a = 1; (o.metadata as Record<string, unknown>).b = 2; }, ["metadata.b", "a"]],
  ];
  for (const [name, mutate, expected] of unknownCases) {
    void test(`unknown field: ${name}`, () => {
      const obj = daemonSet();
      mutate(obj);
      const got = checkFields(daemonsets, obj);
      assert.deepEqual([...got.unknownFields].sort(), [...expected].sort());
      assert.deepEqual(got.typeErrors, []);
    });
  }

  void test("__proto__ given as JSON is an unknown field", () => {
    const obj = JSON.parse('{"kind":"DaemonSet","__proto__":{"x":1},"spec":{"__proto__":1}}') as unknown;
    assert.deepEqual(checkFields(daemonsets, obj).unknownFields, ["__proto__", "spec.__proto__"]);
  });

  const typeCases: Array<[string, (o: Record<string, unknown>) => void, string]> = [
    ["string into int32", (o) => { spec(o).minReadySeconds = "5"; }, "json: cannot unmarshal string into Go struct field DaemonSetSpec.spec.minReadySeconds of type int32"],
    ["fraction into int32", (o) => { spec(o).minReadySeconds = 1.5; }, "json: cannot unmarshal number 1.5 into Go struct field DaemonSetSpec.spec.minReadySeconds of type int32"],
    ["overflow int32", (o) => { spec(o).minReadySeconds = 3000000000; }, "json: cannot unmarshal number 3000000000 into Go struct field DaemonSetSpec.spec.minReadySeconds of type int32"],
    ["number into string", (o) => { containers(o)[0]!.image = 5; }, "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string"],
    ["object into string list item", (o) => { containers(o)[0]!.args = [{}]; }, "json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.args of type string"],
    ["array into struct", (o) => { spec(o).selector = []; }, "json: cannot unmarshal array into Go struct field DaemonSetSpec.spec.selector of type v1.LabelSelector"],
    ["object into list", (o) => { podSpec(o).containers = {}; }, "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"],
    ["number into label", (o) => { (o.metadata as Record<string, unknown>).labels = { a: 1 }; }, "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"],
    ["string into map", (o) => { (o.metadata as Record<string, unknown>).labels = "a=b"; }, "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string"],
    ["string into bool", (o) => { containers(o)[0]!.stdin = "true"; }, "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.stdin of type bool"],
    ["string into int64", (o) => { podSpec(o).terminationGracePeriodSeconds = "30"; }, "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64"],
    ["bool into int-or-string", (o) => { (spec(o).updateStrategy as Record<string, Record<string, unknown>>).rollingUpdate!.maxUnavailable = true; }, "json: cannot unmarshal bool into Go value of type int32"],
    ["bad quantity", (o) => { containers(o)[0]!.resources = { limits: { cpu: "lots" } }; }, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["bad time", (o) => { (o.metadata as Record<string, unknown>).creationTimestamp = "yesterday"; }, "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""],
  ];
  for (const [name, mutate, expected] of typeCases) {
    void test(`type error: ${name}`, () => {
      const obj = daemonSet();
      mutate(obj);
      assert.deepEqual(checkFields(daemonsets, obj), { unknownFields: [], typeErrors: [expected] });
    });
  }

  void test("null is accepted anywhere, free-form data is not checked", () => {
    const obj = daemonSet();
    spec(obj).minReadySeconds = null;
    podSpec(obj).containers = null;
    assert.deepEqual(checkFields(daemonsets, obj), { unknownFields: [], typeErrors: [] });
    const cr = findResource("apps", "controllerrevisions") as ResourceInfo;
    assert.deepEqual(checkFields(cr, { revision: 1, data: { anything: [1, { deep: true }] } }), { unknownFields: [], typeErrors: [] });
  });

  void test("Binding, Eviction and DeleteOptions have schemas", () => {
    assert.deepEqual(checkFields({ group: "", version: "v1", kind: "Binding" }, { metadata: { name: "p" }, target: { kind: "Node", name: "n" }, x: 1 }).unknownFields, ["x"]);
    assert.deepEqual(checkFields({ group: "policy", version: "v1", kind: "Eviction" }, { metadata: { name: "p" }, deleteOptions: { gracePeriodSeconds: 0 } }).unknownFields, []);
    assert.deepEqual(checkFields({ group: "", version: "v1", kind: "DeleteOptions" }, { propagationPolicy: "Background", gracePeriodSeconds: "x" }).typeErrors,
      ["json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64"]);
  });

  void test("Pod status fields are known", () => {
    const pod = { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i" }], nodeName: "n" },
      status: { phase: "Running", podIP: "10.0.0.1", podIPs: [{ ip: "10.0.0.1" }], hostIP: "1.2.3.4", startTime: "2024-01-01T00:00:00Z",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [{ name: "c", ready: true, restartCount: 0, image: "i", imageID: "", started: true,
          state: { running: { startedAt: "2024-01-01T00:00:01Z" } }, lastState: { terminated: { exitCode: 1, finishedAt: "2024-01-01T00:00:00.5Z" } } }] } };
    assert.deepEqual(checkFields(pods, pod), { unknownFields: [], typeErrors: [] });
  });

  void test("non-object bodies and hostile shapes do not throw", () => {
    for (const body of [null, 1, "x", [], [1, 2], true]) assert.deepEqual(checkFields(daemonsets, body), { unknownFields: [], typeErrors: [] });
    let deep: unknown = {};
    for (let i = 0; i < 100000; i++) deep = { a: deep };
    const obj = daemonSet({ bogus: deep });
    spec(obj).template = { spec: { containers: [deep, [deep], 7] } };
    const got = checkFields(daemonsets, obj);
    assert.deepEqual(got.unknownFields, ["spec.template.spec.containers[0].a", "bogus"]);
    assert.equal(got.typeErrors.length, 2);
  });

  void test("reports are capped", () => {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) obj[`f${i}`] = i;
    assert.equal(checkFields(daemonsets, obj).unknownFields.length, 1000);
  });

  void test("an unknown kind is a programming error", () => {
    assert.throws(() => checkFields({ group: "x", version: "v1", kind: "Nope" }, {}), /no schema/);
  });
});

void describe("pruneUnknownFields", () => {
  void test("removes unknown fields at every level and keeps known ones", () => {
    const obj = daemonSet({ bogus: 1 });
    const clean = daemonSet();
    spec(obj).selectr = {};
    containers(obj)[0]!.imagee = "x";
    (podSpec(obj).volumes as Array<Record<string, unknown>>)[0]!.junk = true;
    pruneUnknownFields(daemonsets, obj);
    assert.deepEqual(obj, clean);
  });

  void test("null map values and list items become zero values, as Go decoding makes them; null fields stay", () => {
    const obj = daemonSet();
    (obj.metadata as Record<string, unknown>).labels = { app: null, b: "x" };
    containers(obj)[0]!.command = [null, "run"];
    containers(obj)[0]!.resources = { requests: { cpu: null } };
    podSpec(obj).tolerations = [null];
    spec(obj).minReadySeconds = null;
    pruneUnknownFields(daemonsets, obj);
    assert.deepEqual((obj.metadata as Record<string, unknown>).labels, { app: "", b: "x" });
    assert.deepEqual(containers(obj)[0]!.command, ["", "run"]);
    assert.deepEqual(containers(obj)[0]!.resources, { requests: { cpu: "0" } });
    assert.deepEqual(podSpec(obj).tolerations, [{}]);
    assert.equal(spec(obj).minReadySeconds, null);
    const checked = daemonSet();
    (checked.metadata as Record<string, unknown>).labels = { app: null };
    checkFields(daemonsets, checked);
    assert.deepEqual((checked.metadata as Record<string, unknown>).labels, { app: null }, "checking alone changes nothing");
  });

  void test("leaves values of the wrong type alone", () => {
    const obj = daemonSet();
    spec(obj).minReadySeconds = "5";
    pruneUnknownFields(daemonsets, obj);
    assert.equal(spec(obj).minReadySeconds, "5");
  });
});

void describe("checkAndPruneFields", () => {
  const cases: Array<[string, (o: Record<string, unknown>) => void]> = [
    ["a valid object", () => undefined],
    ["unknown fields at several depths", (o) => { o.extra = 1; spec(o).bogus = { x: 1 }; containers(o)[0]!.imagee = "x"; }],
    ["type errors", (o) => { spec(o).minReadySeconds = "5"; containers(o)[0]!.ports = "80"; }],
    ["nulls in maps and lists", (o) => { podSpec(o).nodeSelector = { a: null }; containers(o)[0]!.command = ["a", null]; }],
    ["a mix of everything", (o) => { o.extra = true; spec(o).minReadySeconds = 1.5; podSpec(o).nodeSelector = { a: null, b: 3 }; }],
  ];
  for (const [name, mutate] of cases) {
    void test(`${name}: reports what checkFields reports and prunes as pruneUnknownFields does`, () => {
      const expected = daemonSet();
      mutate(expected);
      const actual = structuredClone(expected);
      const report = checkFields(daemonsets, expected);
      pruneUnknownFields(daemonsets, expected);
      assert.deepEqual(checkAndPruneFields(daemonsets, actual), report);
      assert.deepEqual(actual, expected);
    });
  }
});

void describe("scalar checks", () => {
  const quantities: Array<[unknown, string | undefined]> = [
    ["100m", undefined], ["1Gi", undefined], ["1.5", undefined], [" 2 ", undefined], ["1e3", undefined], [3, undefined],
    ["", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["1Gb", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    [true, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["1ii", "unable to parse quantity's suffix"],
  ];
  for (const [v, expected] of quantities) void test(`quantity ${JSON.stringify(v)}`, () => assert.equal(quantityError(v), expected));

  void test("times", () => {
    assert.equal(timeError("2024-01-01T00:00:00Z", false), undefined);
    assert.equal(timeError("2024-01-01T00:00:00.123456+02:00", true), undefined);
    assert.equal(timeError(5, false), "json: cannot unmarshal number into Go value of type string");
    assert.match(timeError("2024-13-45T00:00:00Z", false) ?? "", /^parsing time/);
  });
  test("isPlainUtcTime accepts only times the full check accepts, and the usual UTC forms", () => {
    const two = (n: number): string => String(n).padStart(2, "0");
    const candidates: string[] = [];
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) {
        for (let hour = 0; hour <= 25; hour++) candidates.push(`2024-${two(month)}-${two(day)}T${two(hour)}:00:00Z`);
      }
    }
    for (const year of ["0000", "0001", "1970", "2023", "9999", "20x4", "-001"]) {
      for (const rest of ["00:00", "59:59", "60:00", "00:60", "5:00", "00:0a"]) {
        for (const fraction of ["", ".", ".1", ".123456", ".123456789", ".1234567890", ".12a", ".-1"]) {
          for (const zone of ["Z", "z", "+00:00", "", " Z"]) candidates.push(`${year}-02-28T23:${rest}${fraction}${zone}`);
        }
      }
    }
    candidates.push("", "Z", "2024-01-01 00:00:00Z", "2024-01-01t00:00:00Z", "2024-01-01T00:00:00ZZ", "2024/01/01T00:00:00Z", "2024-01-01T00-00-00Z");
    let accepted = 0;
    for (const v of candidates) {
      if (!isPlainUtcTime(v)) continue;
      accepted++;
      assert.ok(isTime(v), v);
    }
    assert.ok(accepted > 8000, String(accepted));
    for (const v of ["2026-01-01T00:00:00Z", "2026-12-28T23:59:59.123456Z", "2026-06-15T12:30:45.1Z"]) assert.ok(isPlainUtcTime(v), v);
    assert.ok(!isPlainUtcTime("2026-01-31T00:00:00Z")); // left to the full check
  });
});

function spec(o: Record<string, unknown>): Record<string, unknown> { return o.spec as Record<string, unknown>; }
function podSpec(o: Record<string, unknown>): Record<string, unknown> {
  return (spec(o).template as Record<string, unknown>).spec as Record<string, unknown>;
}
function containers(o: Record<string, unknown>): Array<Record<string, unknown>> { return podSpec(o).containers as Array<Record<string, unknown>>; }
