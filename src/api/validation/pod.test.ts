import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { defaultPod } from "../defaults/pod.js";
import { fieldErrorString } from "../status-error.js";
import { updatablePodSpecFields, validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from "./pod.js";

type Obj = Record<string, any>;

function pod(mutate: (p: Obj) => void = () => {}): Obj {
  const p: Obj = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
  };
  mutate(p);
  defaultPod(p);
  return p;
}

const render = (errs: ReturnType<typeof validatePodCreate>) => errs.map(fieldErrorString);

describe("validatePodCreate", () => {
  const cases: Array<[name: string, mutate: (p: Obj) => void, expected: string[]]> = [
    ["valid", () => {}, []],
    ["no containers", (p) => { p.spec.containers = []; }, ["spec.containers: Required value"]],
    ["containers of the wrong type", (p) => { p.spec.containers = "x"; }, ["spec.containers: Invalid value: \"x\": must be of type array"]],
    ["container name and image required", (p) => { p.spec.containers = [{}]; },
      ["spec.containers[0].name: Required value", "spec.containers[0].image: Required value"]],
    ["container name must be a DNS label", (p) => { p.spec.containers[0].name = "C_1"; },
      ["spec.containers[0].name: Invalid value: \"C_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]],
    ["duplicate container names", (p) => { p.spec.containers.push({ name: "c", image: "x" }); },
      ["spec.containers[1].name: Duplicate value: \"c\""]],
    ["init container name clashes with a container", (p) => { p.spec.initContainers = [{ name: "c", image: "x" }]; },
      ["spec.initContainers[0].name: Duplicate value: \"c\""]],
    ["image with surrounding whitespace", (p) => { p.spec.containers[0].image = " busybox"; },
      ["spec.containers[0].image: Invalid value: \" busybox\": must not have leading or trailing whitespace"]],
    ["ports", (p) => {
      p.spec.containers[0].ports = [
        { containerPort: 0 }, { containerPort: 70000, protocol: "ICMP" }, { name: "http", containerPort: 80 }, { name: "http", containerPort: 81 },
      ];
    }, [
      "spec.containers[0].ports[0].containerPort: Required value",
      "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      "spec.containers[0].ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
      "spec.containers[0].ports[3].name: Duplicate value: \"http\"",
    ]],
    ["conflicting host ports", (p) => {
      p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      p.spec.containers.push({ name: "d", image: "x", ports: [{ containerPort: 81, hostPort: 8080 }] });
    }, ["spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""]],
    ["hostNetwork host port must equal container port", (p) => {
      p.spec.hostNetwork = true;
      p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 81 }];
    }, ["spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"]],
    ["resources: invalid quantity, requests over limits", (p) => {
      p.spec.containers[0].resources = { limits: { cpu: "100m", memory: "64Mi" }, requests: { cpu: "200m", memory: "lots" } };
    }, [
      "spec.containers[0].resources.requests: Invalid value: \"200m\": must be less than or equal to cpu limit of 100m",
      "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]],
    ["resources: negative, unknown name, extended resource", (p) => {
      p.spec.containers[0].resources = { requests: { cpu: "-1", foo: "1", "example.com/gpu": "1" } };
    }, [
      "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
      "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources",
      "spec.containers[0].resources.requests[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
      "spec.containers[0].resources.requests[foo]: Invalid value: \"foo\": must be a standard resource for containers",
    ]],
    ["volumes: duplicate names, two sources, missing mount", (p) => {
      p.spec.volumes = [{ name: "a", emptyDir: {} }, { name: "a", emptyDir: {} }, { name: "b", hostPath: { path: "/x" }, configMap: { name: "c" } }];
      p.spec.containers[0].volumeMounts = [{ name: "a", mountPath: "/a" }, { name: "b", mountPath: "/a" }];
    }, [
      "spec.volumes[1].name: Duplicate value: \"a\"",
      "spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type",
      "spec.containers[0].volumeMounts[1].name: Not found: \"b\"",
      "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/a\": must be unique",
    ]],
    ["hostPath type and path", (p) => { p.spec.volumes = [{ name: "h", hostPath: { path: "/a/../b", type: "Dir" } }]; }, [
      "spec.volumes[0].hostPath.path: Invalid value: \"/a/../b\": must not contain '..'",
      "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
    ]],
    ["restartPolicy and dnsPolicy values", (p) => { p.spec.restartPolicy = "Sometimes"; p.spec.dnsPolicy = "Google"; }, [
      "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
      "spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
    ]],
    ["dnsPolicy None needs dnsConfig", (p) => { p.spec.dnsPolicy = "None"; },
      ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]],
    ["tolerations", (p) => {
      p.spec.tolerations = [
        { key: "a", operator: "Exists", value: "b" },
        { key: "b", value: "v", effect: "NoSchedule", tolerationSeconds: 30 },
        { operator: "Equal", value: "x" },
        { key: "c", operator: "Like" },
        { key: "d", operator: "Exists", effect: "Sometimes" },
      ];
    }, [
      "spec.tolerations[0].operator: Invalid value: \"b\": value must be empty when `operator` is 'Exists'",
      "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
      "spec.tolerations[2].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
      "spec.tolerations[3].operator: Unsupported value: \"Like\": supported values: \"Equal\", \"Exists\"",
      "spec.tolerations[4].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
    ]],
    ["node affinity operators", (p) => {
      p.spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{
              matchExpressions: [{ key: "zone", operator: "Near", values: ["a"] }, { key: "zone", operator: "In" }, { key: "x", operator: "Exists", values: ["a"] }],
              matchFields: [{ key: "metadata.uid", operator: "In", values: ["a", "b"] }],
            }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
        },
      };
    }, [
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator",
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key: Invalid value: \"metadata.uid\": not a valid field selector key",
      "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
    ]],
    ["empty node selector terms", (p) => { p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }; },
      ["spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"]],
    ["nodeSelector labels", (p) => { p.spec.nodeSelector = { "disk type": "ssd" }; },
      ["spec.nodeSelector: Invalid value: \"disk type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]],
    ["activeDeadlineSeconds range", (p) => { p.spec.activeDeadlineSeconds = 0; },
      ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]],
    ["probe without handler", (p) => { p.spec.containers[0].livenessProbe = { periodSeconds: 5 }; },
      ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]],
    ["ephemeral containers on create", (p) => { p.spec.ephemeralContainers = [{ name: "e", image: "x" }]; },
      ["spec.ephemeralContainers: Forbidden: cannot be set on create"]],
    ["env var name and valueFrom", (p) => { p.spec.containers[0].env = [{ value: "x" }, { name: "A", value: "v", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }]; }, [
      "spec.containers[0].env[0].name: Required value",
      "spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
    ]],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, () => assert.deepEqual(render(validatePodCreate(pod(mutate))), expected));
  }
});

describe("validatePodUpdate", () => {
  const stored = () => {
    const p = pod((x) => { x.spec.tolerations = [{ key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }]; });
    p.metadata.resourceVersion = "3";
    p.metadata.uid = "u";
    return p;
  };
  test("image change allowed", () => {
    const next = stored();
    next.spec.containers[0].image = "busybox:1.37";
    assert.deepEqual(render(validatePodUpdate(next, stored())), []);
  });
  test("adding tolerations and changing tolerationSeconds allowed", () => {
    const next = stored();
    next.spec.tolerations[0].tolerationSeconds = 30;
    next.spec.tolerations.push({ key: "b", operator: "Exists" });
    assert.deepEqual(render(validatePodUpdate(next, stored())), []);
  });
  test("modifying an existing toleration is forbidden", () => {
    const next = stored();
    next.spec.tolerations[0].key = "z";
    assert.deepEqual(render(validatePodUpdate(next, stored())), ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]);
  });
  test("activeDeadlineSeconds may be set and lowered, not raised or removed", () => {
    const withDeadline = stored();
    withDeadline.spec.activeDeadlineSeconds = 100;
    assert.deepEqual(render(validatePodUpdate(withDeadline, stored())), []);
    const lowered = structuredClone(withDeadline);
    lowered.spec.activeDeadlineSeconds = 50;
    assert.deepEqual(render(validatePodUpdate(lowered, withDeadline)), []);
    const raised = structuredClone(withDeadline);
    raised.spec.activeDeadlineSeconds = 200;
    assert.deepEqual(render(validatePodUpdate(raised, withDeadline)), ["spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"]);
    const removed = structuredClone(withDeadline);
    delete removed.spec.activeDeadlineSeconds;
    assert.deepEqual(render(validatePodUpdate(removed, withDeadline)), ["spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive integer to nil value"]);
  });
  test("other spec changes are forbidden", () => {
    const next = stored();
    next.spec.nodeName = "node-1";
    const errs = validatePodUpdate(next, stored());
    assert.equal(errs.length, 1);
    assert.equal(errs[0]?.field, "spec");
    assert.ok(errs[0]?.detail.startsWith(`Forbidden: pod updates may not change fields other than ${updatablePodSpecFields.join(",")}\n`));
    assert.match(errs[0]?.detail ?? "", /\+ \tNodeName: "node-1"/);
  });
  test("adding a container is forbidden", () => {
    const next = stored();
    next.spec.containers.push({ name: "d", image: "x", imagePullPolicy: "Always", terminationMessagePolicy: "File" });
    assert.deepEqual(render(validatePodUpdate(next, stored())), ["spec.containers: Forbidden: pod updates may not add or remove containers"]);
  });
});

describe("validatePodStatusUpdate", () => {
  const stored = () => {
    const p = pod();
    p.metadata.resourceVersion = "3";
    p.spec.restartPolicy = "Never";
    p.status = { phase: "Succeeded", qosClass: "BestEffort", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 0 } } }] };
    return p;
  };
  test("valid status", () => {
    const next = stored();
    next.status.conditions = [{ type: "Ready", status: "False" }, { type: "example.com/custom", status: "True" }];
    next.status.podIPs = [{ ip: "10.0.0.1" }];
    assert.deepEqual(render(validatePodStatusUpdate(next, stored())), []);
  });
  test("an empty qosClass is not a change (it is backfilled from the stored pod)", () => {
    const next = stored();
    delete next.status.qosClass;
    assert.deepEqual(render(validatePodStatusUpdate(next, stored())), []);
  });
  test("rules", () => {
    const next = stored();
    next.status.qosClass = "Guaranteed";
    next.status.conditions = [{ type: "bad type!" }];
    next.status.containerStatuses = [{ name: "c", state: { running: {} } }];
    next.status.podIPs = [{ ip: "not-an-ip" }];
    assert.deepEqual(render(validatePodStatusUpdate(next, stored())), [
      "metadata.conditions[0].Type: Invalid value: \"bad type!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "status.qosClass: Invalid value: \"Guaranteed\": field is immutable",
      "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state",
      "status.podIPs[0]: Invalid value: \"not-an-ip\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
    ]);
  });
});
