import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStore } from "./store.js";

void test("--store: sqlite, memory and etcd endpoints with their flags", () => {
  assert.equal(parseStore("sqlite"), "sqlite");
  assert.equal(parseStore("memory"), "memory");
  assert.deepEqual(parseStore("etcd://10.0.0.1:2379,etcd-2.example:2379,[::1]:2379"), {
    kind: "etcd", endpoints: ["10.0.0.1:2379", "etcd-2.example:2379", "[::1]:2379"], prefix: "/registry",
    caFile: undefined, certFile: undefined, keyFile: undefined,
  });
  assert.deepEqual(parseStore("etcd://h:1", { prefix: "/team-a", caFile: "ca.pem", certFile: "c.pem", keyFile: "k.pem" }), {
    kind: "etcd", endpoints: ["h:1"], prefix: "/team-a", caFile: "ca.pem", certFile: "c.pem", keyFile: "k.pem",
  });
});

void test("--store: bad values are refused with the reason", () => {
  assert.throws(() => parseStore("postgres://x"), /invalid value "postgres:\/\/x" for --store/);
  assert.throws(() => parseStore("etcd://"), /invalid etcd endpoint "" in --store/);
  assert.throws(() => parseStore("etcd://host"), /invalid etcd endpoint "host"/);
  assert.throws(() => parseStore("etcd://host:99999"), /invalid etcd endpoint "host:99999"/);
  assert.throws(() => parseStore("sqlite", { caFile: "ca.pem" }), /--etcd-\* flags need --store etcd/);
  assert.throws(() => parseStore("etcd://h:1", { prefix: "registry" }), /--etcd-prefix/);
  assert.throws(() => parseStore("etcd://h:1", { caFile: "ca", certFile: "c" }), /go together/);
  assert.throws(() => parseStore("etcd://h:1", { certFile: "c", keyFile: "k" }), /needs --etcd-cafile/);
});
