import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteBackend } from "./sqlite-backend.js";
import type { KeyValue, WatchEvent } from "./backend.js";

const writerScript = fileURLToPath(new URL("./testing/crash-writer.js", import.meta.url));

interface Ack { op: "create" | "update" | "delete"; key: string; revision: number }

/** Runs the writer child until it acknowledged `count` writes, SIGKILLs it, and returns every acknowledged write. */
async function writeThenKill(path: string, mode: "FULL" | "NORMAL", count: number): Promise<Ack[]> {
  const child = spawn(process.execPath, [writerScript, path, mode], { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  let acked = -1; // the "ready" line is not an acknowledgement
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    text += chunk;
    acked += chunk.split("\n").length - 1;
    if (acked >= count) child.kill("SIGKILL");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    assert.equal(await exited, "SIGKILL");
  } finally {
    clearTimeout(timer);
  }
  const lines = text.split("\n").slice(0, -1);
  assert.equal(lines.shift(), "ready");
  return lines.map((line) => {
    const [op, key, revision] = line.split(" ");
    return { op: op as Ack["op"], key: key!, revision: Number(revision) };
  });
}

for (const mode of ["FULL", "NORMAL"] as const) {
  void test(`SQLite (${mode}): after SIGKILL every acknowledged write is present and the store is consistent`, { timeout: 15_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "everynode-crash-"));
    try {
      const acks = await writeThenKill(join(dir, "store.db"), mode, 400);
      assert.ok(acks.length >= 400, `only ${acks.length} writes acknowledged`);
      const backend = SqliteBackend.open({ path: join(dir, "store.db") });
      try {
        const current = await backend.currentRevision();
        assert.ok(current >= Math.max(...acks.map((a) => a.revision)));
        // The full history replays as consecutive revisions 1..current and rebuilds exactly the listed state.
        const state = new Map<string, KeyValue>();
        const seen = new Map<number, WatchEvent>();
        const controller = new AbortController();
        for await (const batch of backend.watch("/crash/", 0, controller.signal)) {
          for (const event of batch) {
            assert.equal(event.kv.modRevision, seen.size + 1, "no gap in the replayed history");
            seen.set(event.kv.modRevision, event);
            if (event.type === "PUT") state.set(event.kv.key, event.kv);
            else state.delete(event.kv.key);
          }
          if (seen.size === current) break;
        }
        const listed = await backend.list("/crash/");
        assert.deepEqual(listed.kvs, [...state.values()].sort((a, b) => (a.key < b.key ? -1 : 1)));
        for (const ack of acks) {
          const event = seen.get(ack.revision);
          assert.ok(event !== undefined, `acknowledged ${ack.op} of ${ack.key} at ${ack.revision} is missing`);
          assert.equal(event.kv.key, ack.key);
          assert.equal(event.type, ack.op === "delete" ? "DELETE" : "PUT");
          assert.ok(event.kv.value.startsWith(ack.op === "delete" ? "update" : ack.op));
        }
        const next = await backend.create("/crash/after", "x");
        assert.equal(next.revision, current + 1);
      } finally {
        await backend.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
