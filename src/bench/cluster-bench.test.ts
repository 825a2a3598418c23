import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resultTable } from "./bench-report.js";
import { allPhases, instantStages, runClusterBench } from "./cluster-bench-run.js";

describe("cluster bench (smoke, 20 nodes)", () => {
  test("runs every phase in process and reports consistent figures", async () => {
    const lines: string[] = [];
    const traces = new Map<string, string[]>();
    const r = await runClusterBench({
      nodes: 20, mode: "inprocess", stages: "instant", joins: 3, steadySeconds: 0.3, settleSeconds: 0, storeSeconds: 0.1,
      phases: new Set(allPhases), timeoutSeconds: 30, kubectl: undefined, log: (l) => lines.push(l),
      podTrace: (phase, trace) => traces.set(phase, trace),
    });
    assert.equal(r.error, undefined, lines.join("\n"));
    assert.ok((r.nodesReady?.seconds ?? 0) > 0);
    assert.equal(r.daemonSet?.podsPerSecond !== undefined && r.daemonSet.seconds > 0, true);
    assert.deepEqual(r.checks?.problems, []);
    assert.equal(r.checks?.pods, 20);
    assert.equal(r.joins?.joins, 3);
    assert.ok((r.joins?.p99Ms ?? 0) >= (r.joins?.p50Ms ?? 0));
    assert.ok(r.rollout !== undefined);
    assert.deepEqual(r.finalChecks?.problems, []);
    assert.equal(r.finalChecks?.nodes, 23);
    assert.equal(r.finalChecks?.hashes.length, 1);
    assert.notDeepEqual(r.finalChecks?.hashes, r.checks?.hashes, "the rollout replaced the template");
    assert.ok((r.steady?.cpuPercent ?? -1) >= 0);
    assert.ok((r.memory.peakRssBytes) > 0);
    assert.ok((r.store?.updatesPerSecond ?? 0) > 0);
    assert.ok(r.gates.some((g) => g.name.startsWith("one daemon pod") && g.pass));
    assert.match(resultTable(r), /DaemonSet create -> all available/);
    // The pod pipeline traces saw every daemon pod created, bound and Ready (and the rollout's deletions).
    assert.deepEqual([...traces.keys()], ["daemonset", "rollout"]);
    const lag = (phase: string, step: string): string => traces.get(phase)?.find((l) => l.startsWith(step)) ?? "";
    assert.match(lag("daemonset", "created->bound"), /^created->bound: n 20,/);
    assert.match(lag("daemonset", "running->ready"), /^running->ready: n 20,/);
    assert.match(lag("rollout", "deleting->deleted"), /^deleting->deleted: n 2[0-3],/);
  });

  test("instant stages keep the shipped stages, without their delays", () => {
    const stages = instantStages().stages;
    assert.ok(stages.some((s) => s.name === "pod-ready"));
    for (const s of stages) assert.ok(s.delay === undefined || s.delay.deletionGracePeriod === true, s.name);
  });
});
