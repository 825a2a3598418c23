import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { defaultDaemonSet } from "../defaults/daemonset.js";
import { fieldErrorString, invalid } from "../status-error.js";
import { validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate } from "./daemonset.js";

type Obj = Record<string, any>;

function daemonSet(mutate: (ds: Obj) => void = () => {}): Obj {
  const ds: Obj = {
    apiVersion: "apps/v1", kind: "DaemonSet",
    metadata: { name: "x", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "x" } },
      template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } },
    },
  };
  mutate(ds);
  defaultDaemonSet(ds);
  return ds;
}

const render = (errs: ReturnType<typeof validateDaemonSet>) => errs.map(fieldErrorString);

describe("validateDaemonSet", () => {
  const percentMsg = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
  const cases: Array<[name: string, mutate: (ds: Obj) => void, expected: string[]]> = [
    ["valid after defaults", () => {}, []],
    ["OnDelete strategy", (ds) => { ds.spec.updateStrategy = { type: "OnDelete" }; }, []],
    ["matchExpressions selecting the template", (ds) => {
      ds.spec.selector = { matchExpressions: [{ key: "app", operator: "In", values: ["x", "y"] }] };
    }, []],
    ["selector does not match template labels", (ds) => { ds.spec.selector.matchLabels = { app: "y" }; },
      ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"]],
    ["missing selector selects nothing", (ds) => { delete ds.spec.selector; },
      ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"]],
    ["empty selector", (ds) => { ds.spec.selector = {}; },
      ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset"]],
    ["empty matchLabels", (ds) => { ds.spec.selector = { matchLabels: {} }; },
      ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset"]],
    ["invalid selector operator skips the match check", (ds) => { ds.spec.selector = { matchExpressions: [{ key: "app", operator: "Is", values: ["x"] }] }; },
      ["spec.selector.matchExpressions[0].operator: Invalid value: \"Is\": not a valid selector operator"]],
    ["restartPolicy must be Always", (ds) => { ds.spec.template.spec.restartPolicy = "Never"; },
      ["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""]],
    ["activeDeadlineSeconds forbidden", (ds) => { ds.spec.template.spec.activeDeadlineSeconds = 10; },
      ["spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"]],
    ["negative minReadySeconds", (ds) => { ds.spec.minReadySeconds = -1; },
      ["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"]],
    ["negative revisionHistoryLimit", (ds) => { ds.spec.revisionHistoryLimit = -1; },
      ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]],
    ["zero revisionHistoryLimit is fine", (ds) => { ds.spec.revisionHistoryLimit = 0; }, []],
    ["unknown strategy type", (ds) => { ds.spec.updateStrategy = { type: "Recreate" }; },
      ["spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Recreate\", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: \"RollingUpdate\", \"OnDelete\""]],
    ["bad percent", (ds) => { ds.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10" + "x" } }; },
      [`spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 10x: ${percentMsg}`,
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]],
    ["percent over 100", (ds) => { ds.spec.updateStrategy = { rollingUpdate: { maxUnavailable: "101%" } }; },
      ["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 101%: must not be greater than 100%"]],
    ["negative maxUnavailable", (ds) => { ds.spec.updateStrategy = { rollingUpdate: { maxUnavailable: -1 } }; },
      ["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"]],
    ["maxSurge with non-zero maxUnavailable", (ds) => { ds.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 1, maxSurge: "20%" } }; },
      ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 20%: may not be set when maxUnavailable is non-zero"]],
    ["both zero", (ds) => { ds.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 0 } }; },
      ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]],
    ["both zero as percentages", (ds) => { ds.spec.updateStrategy = { rollingUpdate: { maxUnavailable: "0%", maxSurge: "0%" } }; },
      ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]],
    ["surge only", (ds) => { ds.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 0, maxSurge: "20%" } }; }, []],
    ["container without image", (ds) => { delete ds.spec.template.spec.containers[0].image; },
      ["spec.template.spec.containers[0].image: Required value"]],
    ["template label keys are checked under spec.template.labels", (ds) => {
      ds.spec.selector.matchLabels = { app: "x" };
      ds.spec.template.metadata.labels = { app: "x", "bad key!": "v" };
    }, ["spec.template.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]],
    ["replicas-like string where an integer belongs", (ds) => { ds.spec.minReadySeconds = "3"; },
      ["spec.minReadySeconds: Invalid value: \"3\": must be of type integer"]],
    ["spec of the wrong type", (ds) => { ds.spec = "x"; }, ["spec: Invalid value: \"x\": must be of type object"]],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, () => assert.deepEqual(render(validateDaemonSet(daemonSet(mutate))), expected));
  }

  test("whole message reads like the API server's", () => {
    const errs = validateDaemonSet(daemonSet((ds) => { ds.spec.selector.matchLabels = { app: "y" }; }));
    assert.equal(invalid({ group: "apps", resource: "daemonsets", kind: "DaemonSet" }, "x", errs).message,
      "DaemonSet.apps \"x\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`");
  });
});

describe("validateDaemonSetUpdate", () => {
  const stored = () => {
    const ds = daemonSet();
    ds.metadata.resourceVersion = "7";
    ds.metadata.uid = "u";
    return ds;
  };
  test("template change is allowed", () => {
    const next = stored();
    next.spec.template.spec.containers[0].image = "nginx:1.28";
    assert.deepEqual(render(validateDaemonSetUpdate(next, stored())), []);
  });
  test("selector is immutable", () => {
    const next = stored();
    next.spec.selector = { matchLabels: { app: "x", tier: "a" } };
    next.spec.template.metadata.labels.tier = "a";
    assert.deepEqual(render(validateDaemonSetUpdate(next, stored())),
      ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"x\", \"tier\":\"a\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]);
  });
  test("removing the selector is an immutable change too", () => {
    const next = stored();
    delete next.spec.selector;
    assert.deepEqual(render(validateDaemonSetUpdate(next, stored())), [
      "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`",
      "spec.selector: Invalid value: \"null\": field is immutable",
    ]);
  });
  test("update still validates the spec", () => {
    const next = stored();
    next.spec.minReadySeconds = -5;
    assert.deepEqual(render(validateDaemonSetUpdate(next, stored())), ["spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"]);
  });
});

describe("validateDaemonSetStatusUpdate", () => {
  const base = () => ({ metadata: { name: "x", namespace: "default", resourceVersion: "3" }, status: { collisionCount: 2, numberReady: 1 } });
  test("valid counts", () => assert.deepEqual(render(validateDaemonSetStatusUpdate(base(), base())), []));
  test("negative counts and decremented collisionCount", () => {
    const next = base();
    next.status = { collisionCount: 1, numberReady: -1 };
    assert.deepEqual(render(validateDaemonSetStatusUpdate(next, base())), [
      "status.numberReady: Invalid value: -1: must be greater than or equal to 0",
      "status.collisionCount: Invalid value: 1: cannot be decremented",
    ]);
  });
});

describe("rollout control annotations", () => {
  test("valid controls pass; invalid ones are rejected naming the annotation", () => {
    const ok = daemonSet((ds) => {
      ds.metadata.resourceVersion = "1";
      ds.metadata.annotations = { "rollout.everynode.dev/partition": "2", "rollout.everynode.dev/paused": "true" };
    });
    assert.deepEqual(validateDaemonSet(ok), []);
    const bad = daemonSet((ds) => { ds.metadata.resourceVersion = "1"; ds.metadata.annotations = { "rollout.everynode.dev/partition": "two" }; });
    const errs = validateDaemonSet(bad);
    assert.equal(invalid({ group: "apps", resource: "daemonsets", kind: "DaemonSet" }, "x", errs).message,
      'DaemonSet.apps "x" is invalid: metadata.annotations[rollout.everynode.dev/partition]: Invalid value: "two": must be a non-negative integer (at most 2147483647)');
    assert.deepEqual(render(validateDaemonSetUpdate(bad, ok)), render(errs));
  });

  test("the node readiness gate annotation is \"true\" or \"false\"", () => {
    for (const value of ["true", "false"]) assert.deepEqual(validateDaemonSet(daemonSet((d) => { d.metadata.annotations = { "everynode.dev/node-readiness-gate": value }; })), []);
    assert.deepEqual(render(validateDaemonSet(daemonSet((d) => { d.metadata.annotations = { "everynode.dev/node-readiness-gate": "yes" }; }))), [
      'metadata.annotations[everynode.dev/node-readiness-gate]: Invalid value: "yes": must be "true" or "false"',
    ]);
  });

  test("a progress deadline must exceed minReadySeconds, as a Deployment's", () => {
    const ds = daemonSet((d) => { d.spec.minReadySeconds = 10; d.metadata.annotations = { "rollout.everynode.dev/progress-deadline-seconds": "10" }; });
    assert.deepEqual(render(validateDaemonSet(ds)), [
      'metadata.annotations[rollout.everynode.dev/progress-deadline-seconds]: Invalid value: "10": must be greater than minReadySeconds',
    ]);
    ds.metadata.annotations["rollout.everynode.dev/progress-deadline-seconds"] = "11";
    assert.deepEqual(validateDaemonSet(ds), []);
  });
});
