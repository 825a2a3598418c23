import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mustFindResource } from "../../api/resources.js";
import type { DaemonJob, KubeObject } from "../../api/types.js";
import { rejects, startHarness } from "./testing/fixtures.js";

const daemonJobs = mustFindResource("everynode.dev", "daemonjobs");

function manifest(name: string, extra: Record<string, unknown> = {}, restartPolicy = "Never"): KubeObject {
  return {
    apiVersion: "everynode.dev/v1alpha1", kind: "DaemonJob", metadata: { name },
    spec: { template: { spec: { restartPolicy, containers: [{ name: "task", image: "busybox" }] } }, ...extra },
  };
}

describe("DaemonJob admission and strategy", () => {
  test("create defaults backoffLimitPerNode and runOnNewNodes and generates a Job-like selector", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const dj = await h.registry.create(daemonJobs, "default", manifest("scan")) as DaemonJob;
    const uid = dj.metadata?.uid ?? "";
    assert.equal(dj.spec?.backoffLimitPerNode, 6);
    assert.equal(dj.spec?.runOnNewNodes, false);
    assert.equal(dj.spec?.parallelism, undefined);
    assert.deepEqual(dj.spec?.selector, { matchLabels: { "everynode.dev/controller-uid": uid } });
    assert.deepEqual(dj.spec?.template.metadata?.labels, { "everynode.dev/controller-uid": uid, "everynode.dev/daemonjob-name": "scan" });
    assert.equal(dj.spec?.template.spec?.terminationGracePeriodSeconds, 30);
    assert.equal(dj.metadata?.generation, 1);
    assert.deepEqual(dj.status, {});
  });

  test("a given selector must select the template", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const good = manifest("ok", { selector: { matchLabels: { app: "scan" } } });
    (good.spec as { template: { metadata?: unknown } }).template.metadata = { labels: { app: "scan" } };
    const dj = await h.registry.create(daemonJobs, "default", good) as DaemonJob;
    assert.deepEqual(dj.spec?.selector, { matchLabels: { app: "scan" } });
    await rejects(h.registry.create(daemonJobs, "default", manifest("bad", { selector: { matchLabels: { app: "x" } } })), 422,
      "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`");
    await rejects(h.registry.create(daemonJobs, "default", manifest("empty", { selector: {} })), 422, "empty selector is invalid for daemonjob");
  });

  test("rejects restartPolicy Always, negative limits and bad parallelism with field paths", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const err = await rejects(h.registry.create(daemonJobs, "default", manifest("x", { backoffLimitPerNode: -1, parallelism: "150%", activeDeadlineSeconds: -5 }, "Always")), 422);
    assert.equal(err.message, 'DaemonJob.everynode.dev "x" is invalid: [spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never", '
      + "spec.backoffLimitPerNode: Invalid value: -1: must be greater than or equal to 0, spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0, "
      + 'spec.parallelism: Invalid value: 150%: must not be greater than 100%]');
    await rejects(h.registry.create(daemonJobs, "default", manifest("y", { parallelism: "half" })), 422, "spec.parallelism: Invalid value: half: a valid percent string");
    const noPolicy = manifest("z");
    delete (noPolicy.spec as { template: { spec: Record<string, unknown> } }).template.spec.restartPolicy;
    await rejects(h.registry.create(daemonJobs, "default", noPolicy), 422, 'spec.template.spec.restartPolicy: Unsupported value: "Always"');
  });

  test("template and selector are immutable; other spec changes bump the generation; status goes through /status", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const dj = await h.registry.create(daemonJobs, "default", manifest("scan")) as DaemonJob;
    const changedImage = structuredClone(dj);
    const container = changedImage.spec?.template.spec?.containers[0];
    if (container) container.image = "alpine";
    await rejects(h.registry.update(daemonJobs, "default", changedImage as KubeObject), 422, "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable");
    const moreParallel = structuredClone(dj);
    if (moreParallel.spec) moreParallel.spec.parallelism = "50%";
    const updated = await h.registry.update(daemonJobs, "default", moreParallel as KubeObject) as DaemonJob;
    assert.equal(updated.metadata?.generation, 2);
    const withStatus = { ...updated, status: { desired: 3, active: 3, succeeded: 0, failed: 0 } };
    const written = await h.registry.updateStatus(daemonJobs, "default", withStatus as KubeObject) as DaemonJob;
    assert.equal(written.status?.desired, 3);
    assert.equal(written.metadata?.generation, 2);
    await rejects(h.registry.updateStatus(daemonJobs, "default", { ...written, status: { desired: -1 } } as KubeObject), 422, "status.desired: Invalid value: -1");
  });
});
