import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BenchUsageError, benchFlags, numberFlag } from "./bench-args.js";

test("benchFlags reads the named string flags in either form, and switches", () => {
  assert.deepEqual(benchFlags(["--nodes", "10", "--mode=up"], ["nodes", "mode", "phases"]), { nodes: "10", mode: "up" });
  assert.deepEqual(benchFlags(["--status", "--nodes=3"], ["nodes"], ["status", "quiet"]), { nodes: "3", status: "true" });
  assert.throws(() => benchFlags(["--status=x"], [], ["status"]), BenchUsageError);
  assert.throws(() => benchFlags(["--help"], ["nodes"], ["status"]), (e: unknown) => e instanceof BenchUsageError && e.message === "flags: [--nodes VALUE] [--status]");
});

test("benchFlags answers --help, unknown flags, missing values and positionals with a usage error", () => {
  const usageOf = (argv: string[]): BenchUsageError => {
    try {
      benchFlags(argv, ["nodes"]);
    } catch (error) {
      assert.ok(error instanceof BenchUsageError, String(error));
      return error;
    }
    assert.fail(`no error for ${argv.join(" ")}`);
  };
  const help = usageOf(["--help"]);
  assert.equal(help.help, true);
  assert.match(help.message, /\[--nodes VALUE\]/);
  for (const argv of [["--bogus", "1"], ["--nodes"], ["extra"]]) {
    const error = usageOf(argv);
    assert.equal(error.help, false);
    assert.match(error.message, /\[--nodes VALUE\]/, argv.join(" "));
  }
  assert.throws(() => numberFlag({ nodes: "abc" }, "nodes", 1), (e: unknown) => e instanceof BenchUsageError && /--nodes must be a number/.test(e.message));
});

test("a bench program prints a usage error without a stack and exits 2; --help exits 0", async () => {
  const script = fileURLToPath(new URL("./cluster-bench.js", import.meta.url));
  const run = (args: string[]): Promise<{ code: number; stderr: string; stdout: string }> => new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
  const bad = await run(["--mode", "fast"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "--mode must be both, up or inprocess, not fast\n");
  assert.equal(bad.stdout, "");
  const unknown = await run(["--nodez", "5"]);
  assert.equal(unknown.code, 2);
  assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  assert.match(unknown.stderr, /--nodez/);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stderr, /\[--nodes VALUE\]/);
});
