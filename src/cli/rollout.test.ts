import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { DaemonSet } from "../api/types.js";
import { UsageError } from "./flags.js";
import { kubeconfigPath } from "./kube-target.js";
import { describeRollout, parseDaemonSetRef } from "./rollout.js";

function ds(annotations: Record<string, string>, status: NonNullable<DaemonSet["status"]>, generation = 2): DaemonSet {
  return { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "web", generation, annotations }, status } as DaemonSet;
}
const counts = { desiredNumberScheduled: 5, currentNumberScheduled: 5, numberMisscheduled: 0, numberReady: 5, observedGeneration: 2 };

void test("ds/NAME and its long forms; anything else is a usage error", () => {
  for (const ref of ["ds/web", "daemonset/web", "daemonsets/web", "daemonsets.apps/web"]) assert.equal(parseDaemonSetRef(ref), "web");
  for (const bad of [undefined, "web", "deploy/web", "ds/"]) assert.throws(() => parseDaemonSetRef(bad), UsageError);
});

void test("status lines: paused, held, exceeded (exit 1), rolled out", () => {
  const paused = describeRollout(ds({ "rollout.everynode.dev/paused": "true" }, { ...counts, updatedNumberScheduled: 0, numberAvailable: 5 }));
  assert.deepEqual(paused, { lines: ['daemon set "web" rollout is paused: 0 of 5 nodes updated, 5 available', "controls: paused=true"], deadlineExceeded: false });
  const heldCondition = { type: "Progressing", status: "Unknown", reason: "RolloutPaused", message: "held" };
  const held = describeRollout(ds({ "rollout.everynode.dev/partition": "3" }, { ...counts, updatedNumberScheduled: 2, numberAvailable: 5, conditions: [heldCondition] }));
  assert.equal(held.lines[0], 'daemon set "web" rollout is held by partition 3: 2 of 5 nodes updated, 5 available');
  assert.equal(held.lines[2], "Progressing=Unknown (RolloutPaused): held");
  const stuck = { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "1 node stuck: node-1 (why)" };
  const exceeded = describeRollout(ds({}, { ...counts, updatedNumberScheduled: 1, numberAvailable: 4, conditions: [stuck] }));
  assert.equal(exceeded.deadlineExceeded, true);
  assert.equal(exceeded.lines[0], 'daemon set "web" rollout exceeded its progress deadline: 1 of 5 nodes updated, 4 available');
  const done = describeRollout(ds({}, { ...counts, updatedNumberScheduled: 5, numberAvailable: 5 }));
  assert.deepEqual(done.lines, ['daemon set "web" successfully rolled out']);
  const unobserved = describeRollout(ds({}, { ...counts, updatedNumberScheduled: 5, numberAvailable: 5 }, 3));
  assert.equal(unobserved.lines[0], 'daemon set "web" is rolling out: 5 of 5 nodes updated, 5 available');
});

void test("kubeconfig as kubectl finds it: the flag, else the first existing $KUBECONFIG file, else ~/.kube/config", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "everynode-kube-target-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = join(dir, "a");
  await writeFile(a, "");
  assert.equal(kubeconfigPath({ kubeconfig: "/x", envKubeconfig: a, home: dir }), "/x");
  assert.equal(kubeconfigPath({ envKubeconfig: [join(dir, "missing"), a].join(delimiter), home: dir }), a);
  assert.throws(() => kubeconfigPath({ home: dir }), UsageError);
  await mkdir(join(dir, ".kube"));
  await writeFile(join(dir, ".kube", "config"), "");
  assert.equal(kubeconfigPath({ home: dir }), join(dir, ".kube", "config"));
});
