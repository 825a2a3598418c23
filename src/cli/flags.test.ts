import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseArgs, UsageError } from "./flags.js";

const spec = { port: "number", name: "string", simulate: "boolean", help: "boolean" } as const;

describe("parseArgs", () => {
  test("reads --name value, --name=value, booleans, -h and positionals", () => {
    assert.deepEqual(parseArgs(["--port", "8", "--name=a=b", "--simulate", "-h", "pos"], spec), {
      flags: { port: 8, name: "a=b", simulate: true, help: true }, positionals: ["pos"],
    });
  });

  test("accepts --flag=true and --flag=false for booleans, as Kubernetes commands do", () => {
    assert.deepEqual(parseArgs(["--simulate=false"], spec).flags, { simulate: false });
    assert.deepEqual(parseArgs(["--simulate=true"], spec).flags, { simulate: true });
    assert.throws(() => parseArgs(["--simulate=yes"], spec), /invalid value "yes" for --simulate: must be true or false/);
  });

  test("names the bad flag in a UsageError", () => {
    assert.throws(() => parseArgs(["--bogus"], spec), (e: unknown) => e instanceof UsageError && e.message === "unknown flag: --bogus");
    assert.throws(() => parseArgs(["--port"], spec), (e: unknown) => e instanceof UsageError && e.message === "flag needs an argument: --port");
    assert.throws(() => parseArgs(["--port", "-1"], spec), UsageError);
    assert.throws(() => parseArgs(["--port", "1.5"], spec), /invalid value "1.5" for --port: must be a non-negative integer/);
    assert.throws(() => parseArgs(["--port="], spec), /invalid value "" for --port/);
    assert.throws(() => parseArgs(["--help=1"], spec), UsageError);
  });

  test("takes the one-letter forms it is given", () => {
    const kube = { filename: "string", namespace: "string", output: "string", help: "boolean" } as const;
    assert.deepEqual(parseArgs(["-f", "ds.yaml", "-n", "kube-system", "-o", "json", "-h"], kube, { f: "filename", n: "namespace", o: "output" }).flags,
      { filename: "ds.yaml", namespace: "kube-system", output: "json", help: true });
    assert.throws(() => parseArgs(["-n", "x"], kube), (e: unknown) => e instanceof UsageError && e.message === "unknown flag: -n");
  });
});
