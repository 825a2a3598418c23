import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { defaultControllerRevision, defaultEvent, defaultNamespace, defaultNode } from "./cluster.js";
import { defaultDaemonSet } from "./daemonset.js";
import { computeQOSClass, defaultPod, defaultPodSpec, defaultPullPolicy, imageTag } from "./pod.js";

type Obj = Record<string, any>;

describe("image pull policy", () => {
  const cases: Array<[image: string, tag: string, policy: string]> = [
    ["nginx", "latest", "Always"],
    ["nginx:latest", "latest", "Always"],
    ["nginx:1.27", "1.27", "IfNotPresent"],
    ["registry.k8s.io/fluentd-elasticsearch:1.20", "1.20", "IfNotPresent"],
    ["localhost:5000/app", "latest", "Always"],
    ["localhost:5000/app:v2", "v2", "IfNotPresent"],
    [`busybox@sha256:${"a".repeat(64)}`, "", "IfNotPresent"],
    [`busybox:1.36@sha256:${"a".repeat(64)}`, "1.36", "IfNotPresent"],
    ["Invalid/Upper", "", "IfNotPresent"],
    ["", "", "IfNotPresent"],
  ];
  for (const [image, tag, policy] of cases) {
    test(JSON.stringify(image.slice(0, 40)), () => {
      assert.equal(imageTag(image), tag);
      assert.equal(defaultPullPolicy(image), policy);
    });
  }
});

describe("defaultPodSpec", () => {
  test("template defaults", () => {
    const spec: Obj = {
      containers: [{
        name: "c", image: "nginx:1.27", ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: "0.5", memory: "1024Mi" } },
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
      }],
      volumes: [{ name: "h", hostPath: { path: "/var/log" } }, { name: "s", secret: { secretName: "x" } }, { name: "e" }],
    };
    defaultPodSpec(spec, { isPod: false });
    assert.deepEqual(spec, {
      containers: [{
        name: "c", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }],
        resources: { limits: { cpu: "500m", memory: "1Gi" } },
        livenessProbe: { httpGet: { port: 80, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName", apiVersion: "v1" } } }],
        imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File",
      }],
      volumes: [
        { name: "h", hostPath: { path: "/var/log", type: "" } },
        { name: "s", secret: { secretName: "x", defaultMode: 420 } },
        { name: "e", emptyDir: {} },
      ],
      dnsPolicy: "ClusterFirst", restartPolicy: "Always", securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler",
    });
  });

  test("explicit values are kept", () => {
    const spec: Obj = { restartPolicy: "Never", dnsPolicy: "Default", terminationGracePeriodSeconds: 0, schedulerName: "mine", containers: [{ name: "c", image: "x", imagePullPolicy: "Never" }] };
    defaultPodSpec(spec, { isPod: false });
    assert.equal(spec.restartPolicy, "Never");
    assert.equal(spec.dnsPolicy, "Default");
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.schedulerName, "mine");
    assert.equal(spec.containers[0].imagePullPolicy, "Never");
  });

  test("odd shapes are left alone", () => {
    const spec: Obj = { containers: "x", volumes: [3, null], securityContext: "y" };
    defaultPodSpec(spec, { isPod: true });
    assert.equal(spec.containers, "x");
    assert.equal(spec.securityContext, "y");
    assert.doesNotThrow(() => defaultPodSpec("not an object", { isPod: true }));
  });
});

describe("defaultPod", () => {
  test("pod-only defaults: service links, requests from limits, host ports, status", () => {
    const pod: Obj = {
      metadata: { name: "p" },
      spec: {
        hostNetwork: true,
        containers: [{ name: "c", image: "x:1", ports: [{ containerPort: 9100 }], resources: { limits: { cpu: "1", memory: "128Mi" } } }],
      },
    };
    defaultPod(pod);
    assert.equal(pod.spec.enableServiceLinks, true);
    assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: "1", memory: "128Mi" }, requests: { cpu: "1", memory: "128Mi" } });
    assert.deepEqual(pod.spec.containers[0].ports, [{ containerPort: 9100, hostPort: 9100, protocol: "TCP" }]);
    assert.deepEqual(pod.status, { phase: "Pending", qosClass: "Guaranteed" });
  });

  test("templates get neither service links nor copied requests", () => {
    const spec: Obj = { containers: [{ name: "c", image: "x", resources: { limits: { cpu: "1" } } }] };
    defaultPodSpec(spec, { isPod: false });
    assert.equal(spec.enableServiceLinks, undefined);
    assert.equal(spec.containers[0].resources.requests, undefined);
  });

  const qos: Array<[name: string, containers: Obj[], expected: string]> = [
    ["best effort", [{ name: "a" }], "BestEffort"],
    ["burstable with requests only", [{ name: "a", resources: { requests: { cpu: "100m" } } }], "Burstable"],
    ["guaranteed", [{ name: "a", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1Gi" } } }], "Guaranteed"],
    ["limits differ from requests", [{ name: "a", resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }], "Burstable"],
    ["one container without limits", [
      { name: "a", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }, { name: "b" },
    ], "Burstable"],
  ];
  for (const [name, containers, expected] of qos) test(`QoS: ${name}`, () => assert.equal(computeQOSClass({ containers }), expected));
});

describe("defaultDaemonSet", () => {
  test("fills strategy, history limit, template and status", () => {
    const ds: Obj = { metadata: { name: "x" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } } };
    defaultDaemonSet(ds);
    assert.deepEqual(ds.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
    assert.equal(ds.spec.template.spec.restartPolicy, "Always");
    assert.equal(ds.spec.template.spec.containers[0].imagePullPolicy, "Always");
    assert.equal(ds.spec.template.spec.enableServiceLinks, undefined);
    assert.deepEqual(ds.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  });
  const strategies: Array<[name: string, given: Obj | undefined, expected: Obj]> = [
    ["unset", undefined, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }],
    ["RollingUpdate with surge", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "10%" } }, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "10%" } }],
    ["partial rollingUpdate", { rollingUpdate: { maxUnavailable: "20%" } }, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "20%", maxSurge: 0 } }],
    ["OnDelete", { type: "OnDelete" }, { type: "OnDelete" }],
  ];
  for (const [name, given, expected] of strategies) {
    test(`strategy: ${name}`, () => {
      const ds: Obj = { spec: given === undefined ? {} : { updateStrategy: given } };
      defaultDaemonSet(ds);
      assert.deepEqual(ds.spec.updateStrategy, expected);
    });
  }
  test("keeps explicit revisionHistoryLimit and status", () => {
    const ds: Obj = { spec: { revisionHistoryLimit: 0 }, status: { numberReady: 3 } };
    defaultDaemonSet(ds);
    assert.equal(ds.spec.revisionHistoryLimit, 0);
    assert.equal(ds.status.numberReady, 3);
    assert.equal(ds.status.desiredNumberScheduled, 0);
  });
});

describe("small kinds", () => {
  test("namespace", () => {
    const ns: Obj = { metadata: { name: "team-a", labels: { x: "y" } } };
    defaultNamespace(ns);
    assert.deepEqual(ns, { metadata: { name: "team-a", labels: { x: "y", "kubernetes.io/metadata.name": "team-a" } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
    const finalized: Obj = { metadata: { name: "b" }, spec: { finalizers: [] }, status: { phase: "Terminating" } };
    defaultNamespace(finalized);
    assert.deepEqual(finalized.spec.finalizers, []);
    assert.equal(finalized.status.phase, "Terminating");
  });
  test("node allocatable defaults to capacity", () => {
    const node: Obj = { status: { capacity: { cpu: "4", memory: "8192Mi" } } };
    defaultNode(node);
    assert.deepEqual(node.status.allocatable, { cpu: "4", memory: "8Gi" });
    const noStatus: Obj = {};
    defaultNode(noStatus);
    assert.deepEqual(noStatus, {});
  });
  test("event and controller revision", () => {
    const event: Obj = { reason: "x" };
    defaultEvent(event);
    assert.deepEqual(event, { reason: "x", reportingComponent: "", reportingInstance: "" });
    const rev: Obj = { data: {} };
    defaultControllerRevision(rev);
    assert.equal(rev.revision, 0);
  });
});

describe("Node pod CIDRs", () => {
  const cases: Array<[name: string, spec: Record<string, unknown>, want: Record<string, unknown>]> = [
    ["podCIDR fills podCIDRs", { podCIDR: "10.0.0.0/24" }, { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.0.0/24"] }],
    ["podCIDRs[0] fills podCIDR", { podCIDRs: ["10.0.0.0/24", "fd00::/64"] }, { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.0.0/24", "fd00::/64"] }],
    ["podCIDR wins when they differ", { podCIDR: "10.0.1.0/24", podCIDRs: ["10.0.0.0/24", "fd00::/64"] }, { podCIDR: "10.0.1.0/24", podCIDRs: ["10.0.1.0/24"] }],
    ["agreeing fields are kept", { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.0.0/24", "fd00::/64"] }, { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.0.0/24", "fd00::/64"] }],
    ["neither", {}, {}],
  ];
  for (const [name, spec, want] of cases) {
    test(name, () => {
      const node: Obj = { metadata: { name: "n" }, spec: structuredClone(spec) };
      defaultNode(node);
      assert.deepEqual(node.spec, want);
    });
  }
});
