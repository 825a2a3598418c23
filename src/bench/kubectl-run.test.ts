import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { endedChildrenCpuMs } from "./kubectl-run.js";

test("the CPU of an ended child is counted once it has been waited for", { skip: !existsSync("/proc/self/stat") }, async () => {
  const before = endedChildrenCpuMs();
  assert.ok(before !== undefined);
  await new Promise<void>((resolve, reject) => {
    // Busy until the child itself has used 300 ms of CPU, however loaded the machine is.
    execFile(process.execPath, ["-e", "while (process.cpuUsage().user < 300000);"], (error) => (error ? reject(error) : resolve()));
  });
  const spent = (endedChildrenCpuMs() ?? 0) - before;
  assert.ok(spent >= 290, `child CPU ${spent} ms for at least 300 ms of CPU`);
});
