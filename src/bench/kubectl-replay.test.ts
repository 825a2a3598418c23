import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readKubeconfig } from "../client/kubeconfig.js";
import { capturePodTable, discoveryCacheDir, replayKubeconfig, startReplayServer, throttledMs, type CapturedPodTable } from "./kubectl-replay.js";

function page(names: string[], next: string): Buffer {
  return Buffer.from(JSON.stringify({ kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: next ? { continue: next } : {}, rows: names.map((n) => ({ cells: [n] })) }));
}

const capture: CapturedPodTable = {
  version: Buffer.from('{"major":"1","minor":"32"}'),
  pages: new Map([["", page(["a", "b"], "t1")], ["t1", page(["c"], "")]]),
  bytes: 0,
};

test("the replay serves /version and each page by its continue token, and a capture of it reads the same pages", async () => {
  const replay = await startReplayServer(capture);
  const dir = mkdtempSync(join(tmpdir(), "replay-"));
  try {
    const config = join(dir, "kubeconfig");
    writeFileSync(config, replayKubeconfig(replay.url, replay.caCert));
    const { rest } = await readKubeconfig(config);
    assert.equal(rest.server, replay.url);
    const again = await capturePodTable(rest, 2);
    assert.deepEqual([...again.pages.keys()], ["", "t1"]);
    assert.deepEqual(again.pages.get("t1"), capture.pages.get("t1"));
    assert.equal(again.version.toString(), '{"major":"1","minor":"32"}');
    assert.equal(again.bytes, (capture.pages.get("")?.length ?? 0) + (capture.pages.get("t1")?.length ?? 0));
    assert.deepEqual(replay.unanswered, []);
  } finally {
    await replay.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a request the capture does not hold is answered 404 and recorded", async () => {
  const broken: CapturedPodTable = { version: capture.version, pages: new Map([["", page(["a"], "t9")]]), bytes: 0 };
  const replay = await startReplayServer(broken);
  const dir = mkdtempSync(join(tmpdir(), "replay-"));
  try {
    writeFileSync(join(dir, "kubeconfig"), replayKubeconfig(replay.url, replay.caCert));
    const { rest } = await readKubeconfig(join(dir, "kubeconfig"));
    await assert.rejects(capturePodTable(rest), /GET \/api\/v1\/pods\?limit=500&continue=t9: 404/);
    assert.deepEqual(replay.unanswered, ["GET /api/v1/pods?limit=500&continue=t9"]);
  } finally {
    await replay.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the real kubectl trusts the replay through the kubeconfig it is given", { skip: !existsSync("/usr/bin/kubectl") }, async () => {
  const replay = await startReplayServer(capture);
  const dir = mkdtempSync(join(tmpdir(), "replay-"));
  try {
    writeFileSync(join(dir, "kubeconfig"), replayKubeconfig(replay.url, replay.caCert));
    const out = await new Promise<string>((resolve, reject) => {
      execFile("/usr/bin/kubectl", ["--kubeconfig", join(dir, "kubeconfig"), "--cache-dir", join(dir, "cache"), "get", "--raw", "/api/v1/pods?continue=t1"], (error, stdout, stderr) => (error ? reject(new Error(`${error.message} ${stderr}`)) : resolve(stdout)));
    });
    assert.deepEqual(JSON.parse(out), JSON.parse(capture.pages.get("t1")?.toString() ?? ""));
  } finally {
    await replay.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("throttledMs sums kubectl's client-side throttling waits in any Go duration unit", () => {
  const stderr = [
    "I1207 12:44:43.458677 1173 request.go:661] Waited for 182.5ms due to client-side throttling, not priority and fairness, request: GET:https://x",
    "I1207 12:44:44.458677 1173 request.go:661] Waited for 1.2s due to client-side throttling, not priority and fairness, request: GET:https://x",
    "I1207 12:44:45.458677 1173 request.go:661] Waited for 500µs due to client-side throttling, not priority and fairness, request: GET:https://x",
    "I1207 12:44:45.458677 1173 round_trippers.go:560] GET https://x 200 OK in 6 milliseconds",
  ].join("\n");
  assert.equal(throttledMs(stderr), 1383);
  assert.equal(throttledMs(""), 0);
});

test("the discovery cache directory is named as kubectl names it", () => {
  assert.equal(discoveryCacheDir("/c", "https://127.0.0.1:39817"), "/c/discovery/127.0.0.1_39817");
  assert.equal(discoveryCacheDir("/c", "https://[::1]:6443"), "/c/discovery/___1__6443");
});
