import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runCrashRounds } from "../bench/crash-round.js";
import { kubectlPath } from "./harness.js";

describe("kill -9 in the middle of a rollout", () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test("acknowledged writes survive, no node runs two live daemon pods, and the rollout completes after a restart", async () => {
    const workDir = await mkdtemp(join(tmpdir(), "everynode-crash-"));
    dirs.push(workDir);
    const reports = await runCrashRounds({
      workDir, nodes: 5, rounds: 3, seed: 20240611, maxUnavailable: 1, killWithinMs: 1500, timeoutMs: 30_000, kubectl: kubectlPath,
    });
    assert.equal(reports.length, 3);
    for (const r of reports) {
      assert.deepEqual(r.lost, [], `round ${r.round}: acknowledged writes lost after kill -9`);
      assert.ok(r.acknowledged > 1, `round ${r.round}: too few writes to mean anything`);
      assert.equal(r.duplicates, 0, `round ${r.round}: a node ran two live pods of the DaemonSet`);
      assert.equal(r.rolloutStatusOk, true, `round ${r.round}: kubectl rollout status failed`);
      assert.ok(r.convergeMs >= 0, `round ${r.round}: the rollout never converged`);
    }
  });
});
