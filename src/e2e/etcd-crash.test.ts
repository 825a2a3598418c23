import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runHaCrashRounds } from "../bench/ha-crash-round.js";
import { kubectlPath } from "./harness.js";

describe("two everynode up processes on a three-member etcd: kill -9 of the leader mid-rollout", () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test("the other server takes over and finishes the rollout; one etcd member killed too; nothing acknowledged lost", async () => {
    const workDir = await mkdtemp(join(tmpdir(), "everynode-ha-crash-"));
    dirs.push(workDir);
    const reports = await runHaCrashRounds({
      workDir, nodes: 5, rounds: 1, seed: 20251206, maxUnavailable: 1, killWithinMs: 1500, timeoutMs: 60_000, kubectl: kubectlPath, victim: "leader",
    });
    assert.equal(reports.length, 1);
    for (const r of reports) {
      assert.equal(r.victim, "leader");
      assert.deepEqual(r.lost, [], "acknowledged writes lost");
      assert.ok(r.acknowledged > 1, "too few writes to mean anything");
      assert.equal(r.duplicates, 0, "a node ran two live pods of the DaemonSet");
      assert.equal(r.repeatedCreates, 0, "a node got the new pod twice while leadership moved");
      assert.equal(r.rolloutStatusOk, true, "kubectl rollout status failed");
      assert.ok(r.convergeMs >= 0, "the rollout never converged");
    }
  });
});
