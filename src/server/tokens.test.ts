import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TokenFile } from "./tokens.js";

describe("TokenFile", () => {
  let dir = "";
  before(async () => { dir = await mkdtemp(join(tmpdir(), "everynode-tokens-")); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  const admin = { name: "admin", groups: ["system:masters"] };
  const node = { name: "system:node:n1", groups: ["system:nodes"] };

  test("stores only hashes, mode 0600, and authenticates what it issued", async () => {
    const path = join(dir, "a.json");
    const tokens = await TokenFile.load(path);
    const token = await tokens.issue(admin);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.doesNotMatch(await readFile(path, "utf8"), new RegExp(token));
    assert.deepEqual(tokens.authenticate(token), admin);
    assert.equal(tokens.authenticate("nope"), undefined);
    assert.equal(tokens.authenticate(undefined), undefined);
    assert.deepEqual((await TokenFile.load(path)).authenticate(token), admin);
  });

  test("a server picks up tokens another process issued, on first use", async () => {
    const path = join(dir, "b.json");
    const server = await TokenFile.load(path);
    const adminToken = await server.issue(admin);
    const issuer = await TokenFile.load(path);
    const nodeToken = await issuer.issue(node);
    assert.equal(server.authenticate(nodeToken), undefined, "not loaded yet");
    assert.deepEqual(await server.authenticateFresh(nodeToken), node);
    assert.deepEqual(await server.authenticateFresh(adminToken), admin, "the issuer kept the tokens already on disk");
    assert.equal(await server.authenticateFresh("bogus"), undefined);
  });

  test("concurrent issuers in separate instances lose no token", async () => {
    const path = join(dir, "c.json");
    const instances = await Promise.all([TokenFile.load(path), TokenFile.load(path), TokenFile.load(path)]);
    const issued = await Promise.all(Array.from({ length: 12 }, (_, i) => instances[i % 3]!.issue({ name: `u${i}`, groups: [] })));
    const fresh = await TokenFile.load(path);
    issued.forEach((token, i) => assert.equal(fresh.authenticate(token)?.name, `u${i}`));
  });

  test("a malformed file keeps the tokens loaded before; load refuses it", async () => {
    const path = join(dir, "d.json");
    const server = await TokenFile.load(path);
    const token = await server.issue(admin);
    await writeFile(path, "{not json");
    assert.equal(await server.authenticateFresh("other"), undefined);
    assert.deepEqual(await server.authenticateFresh(token), admin);
    await writeFile(path, JSON.stringify([{ name: "x" }]));
    await assert.rejects(TokenFile.load(path), /not a token file/);
  });
});
