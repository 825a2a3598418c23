import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ContainerLogWriter } from "./container-log.js";

test("output becomes CRI log lines; partial lines wait for their end; files rotate past the size limit", async () => {
  const dir = await mkdtemp(join(tmpdir(), "everynode-log-"));
  try {
    let now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const w = new ContainerLogWriter(dir, 0, { maxBytes: 200, maxFiles: 2 }, () => now);
    w.write("stdout", Buffer.from("hello\nwor"));
    w.write("stderr", Buffer.from("oops\n"));
    w.write("stdout", Buffer.from("ld\n"));
    const text = await readFile(join(dir, "0.log"), "utf8");
    assert.equal(text, [
      "2026-01-02T03:04:05.678000000Z stdout F hello",
      "2026-01-02T03:04:05.678000000Z stderr F oops",
      "2026-01-02T03:04:05.678000000Z stdout F world", ""].join("\n"));
    for (let i = 0; i < 10; i++) { now += 1000; w.write("stdout", Buffer.from(`line ${i} ${"x".repeat(40)}\n`)); }
    const files = (await readdir(dir)).sort();
    assert.equal(files.length, 2, files.join(","));
    assert.ok(files.includes("0.log"));
    assert.match((await readFile(join(dir, "0.log"), "utf8")), /line 9/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
