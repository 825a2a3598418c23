import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Pod } from "../api/types.js";
import { defaultStages, loadStages, parseStages, stageDelayMs, StageMatcher } from "./stages.js";

function pod(over: { phase?: string; deleting?: boolean; image?: string; state?: "running" | "waiting"; grace?: number; restartPolicy?: string }): Pod {
  return {
    metadata: { name: "p", namespace: "default", deletionTimestamp: over.deleting ? "2026-01-01T00:00:30Z" : undefined, deletionGracePeriodSeconds: over.grace },
    spec: { nodeName: "node-1", restartPolicy: over.restartPolicy, containers: [{ name: "c", image: over.image ?? "nginx" }] },
    status: {
      phase: over.phase,
      containerStatuses: over.state ? [{ name: "c", image: "", imageID: "", ready: false, restartCount: 0, state: { [over.state]: {} } }] : undefined,
    },
  };
}

describe("default stages", () => {
  const matcher = new StageMatcher(defaultStages());
  const never = (): boolean => { throw new Error("no share stages by default"); };
  const cases: [string, Parameters<typeof pod>[0], string | undefined][] = [
    ["pending pod becomes ready", {}, "pod-ready"],
    ["explicit Pending", { phase: "Pending" }, "pod-ready"],
    ["running pod stays", { phase: "Running", state: "running" }, undefined],
    ["deleting pod is deleted", { phase: "Running", deleting: true }, "pod-delete"],
    ["deleting pending pod is deleted", { deleting: true }, "pod-delete"],
    ["fail image", { image: "everynode.dev/fail:v1" }, "pod-fail"],
    ["fail image by digest", { image: "everynode.dev/fail@sha256:00" }, "pod-fail"],
    ["similar image is not a fault", { image: "everynode.dev/failover:1" }, "pod-ready"],
    ["not-ready image", { image: "everynode.dev/not-ready" }, "pod-never-ready"],
    ["crash image starts", { image: "everynode.dev/crash" }, "pod-crash-start"],
    ["crash image crashes when running", { image: "everynode.dev/crash", phase: "Running", state: "running" }, "pod-crash"],
    ["crash image restarts when waiting", { image: "everynode.dev/crash", phase: "Running", state: "waiting" }, "pod-crash-restart"],
    ["failed pod stays", { phase: "Failed" }, undefined],
    ["a Never pod starts", { restartPolicy: "Never" }, "pod-ready"],
    ["a running Never pod completes", { restartPolicy: "Never", phase: "Running", state: "running" }, "pod-complete"],
    ["a running OnFailure pod completes", { restartPolicy: "OnFailure", phase: "Running", state: "running" }, "pod-complete"],
    ["a succeeded pod stays", { restartPolicy: "Never", phase: "Succeeded" }, undefined],
    ["a failing Never pod fails", { restartPolicy: "Never", image: "everynode.dev/fail" }, "pod-fail"],
    ["a failing OnFailure pod starts", { restartPolicy: "OnFailure", image: "everynode.dev/fail" }, "pod-fail-restart-start"],
    ["a failing OnFailure pod exits 1 and is restarted", { restartPolicy: "OnFailure", image: "everynode.dev/fail", phase: "Running", state: "running" }, "pod-fail-restart"],
    ["a failing OnFailure pod runs again after its back-off", { restartPolicy: "OnFailure", image: "everynode.dev/fail", phase: "Running", state: "waiting" }, "pod-fail-restart-again"],
  ];
  for (const [name, p, want] of cases) {
    test(name, () => assert.equal(matcher.match(pod(p), never)?.name, want));
  }
  test("a node's simulated fault counts as an image of its pods", () => {
    assert.equal(matcher.match(pod({ restartPolicy: "Never" }), never, ["everynode.dev/fail"])?.name, "pod-fail");
    assert.equal(matcher.match(pod({}), never, ["everynode.dev/not-ready"])?.name, "pod-never-ready");
  });
});

describe("stage delays", () => {
  const stages = parseStages([
    { name: "j", selector: {}, delay: { ms: 1000, jitterMs: 200 }, next: { phase: "Running" } },
    { name: "g", selector: {}, delay: { ms: 5, deletionGracePeriod: true }, next: { delete: true } },
  ]).stages;
  test("jitter spreads ± around the base", () => {
    assert.equal(stageDelayMs(stages[0]!, pod({}), 1, () => 0), 800);
    assert.equal(stageDelayMs(stages[0]!, pod({}), 1, () => 0.5), 1000);
    assert.equal(stageDelayMs(stages[0]!, pod({}), 1, () => 0.999999), 1200);
  });
  test("the deletion grace period is scaled", () => {
    assert.equal(stageDelayMs(stages[1]!, pod({ deleting: true, grace: 30 }), 0.01, Math.random), 305);
    assert.equal(stageDelayMs(stages[1]!, pod({ deleting: true, grace: 30 }), 1, Math.random), 30_005);
  });
});

describe("loadStages", () => {
  test("reads YAML and JSON files and rejects invalid ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stages-"));
    try {
      const yamlPath = join(dir, "s.yaml");
      await writeFile(yamlPath, [
        "stages:",
        "- name: slow-ready",
        "  selector: {phases: [Pending]}",
        "  delay: {ms: 30000}",
        "  next: {phase: Running, ready: true, containers: {state: running}}",
      ].join("\n"));
      const fromYaml = await loadStages(yamlPath);
      assert.deepEqual(fromYaml.stages.map((s) => [s.name, s.delay?.ms]), [["slow-ready", 30000]]);
      const jsonPath = join(dir, "s.json");
      await writeFile(jsonPath, JSON.stringify([{ name: "die", selector: { images: ["^bad/"], share: 0.25 }, next: { phase: "Failed" } }]));
      const fromJson = await loadStages(jsonPath);
      assert.equal(fromJson.stages[0]?.selector.share, 0.25);
      const badPath = join(dir, "bad.yaml");
      const bad: [unknown, RegExp][] = [
        [{ stages: [{ name: "x", selector: { phases: ["Sleeping"] }, next: { phase: "Running" } }] }, /stages\[0\]\.selector\.phases: unknown phase "Sleeping"/],
        [{ stages: [{ name: "x", next: {} }] }, /stages\[0\]\.next: must delete the pod/],
        [{ stages: [{ name: "x", selector: { share: 2 }, next: { delete: true } }] }, /share: must be a number between 0 and 1/],
        [{ stages: [{ name: "x", selector: { images: ["("] }, next: { delete: true } }] }, /bad regular expression/],
        [{ stages: [{ name: "x", next: { delete: true } }, { name: "x", next: { delete: true } }] }, /duplicate name "x"/],
        [{ nothing: true }, /stages: must be a list/],
        [{ stages: [{ name: "x", selector: { restartPolicies: ["Sometimes"] }, next: { delete: true } }] }, /restartPolicies: unknown restart policy "Sometimes"/],
      ];
      for (const [data, message] of bad) {
        await writeFile(badPath, JSON.stringify(data));
        await assert.rejects(loadStages(badPath), message);
      }
      await assert.rejects(loadStages(join(dir, "missing.yaml")), /ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
