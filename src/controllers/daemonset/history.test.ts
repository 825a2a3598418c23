import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, computeTemplateHash, fnv1a32, hashAlphabet, revisionData, revisionDataMatches, safeEncodeString } from "./history-hash.js";
import { currentTemplateHash, liveHashes, maxRevision, newRevision, pickCurrentRevision, revisionsToCleanup, splitRevisions } from "./history.js";
import { makeDaemonSet, makePod, makeRevision } from "./testing/fixtures.js";

describe("hashing", () => {
  test("canonical JSON sorts keys and drops null/undefined members", () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: null, c: "x" }], e: undefined }), '{"a":[{"c":"x"}],"b":1}');
  });
  test("FNV-1a 32 reference values", () => {
    assert.equal(fnv1a32(new Uint8Array()), 0x811c9dc5);
    assert.equal(fnv1a32(new TextEncoder().encode("a")), 0xe40c292c);
    assert.equal(fnv1a32(new TextEncoder().encode("foobar")), 0xbf9cf968);
  });
  test("safe encoding maps decimal digits into the alphabet", () => {
    assert.equal(safeEncodeString("0123456789"), "456789bcdf");
    for (const ch of computeTemplateHash({ metadata: { labels: { a: "b" } } })) assert.ok(hashAlphabet.includes(ch));
  });
  test("deterministic, key-order independent, sensitive to content and collisionCount", () => {
    const t1 = { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "i:1" }] } };
    const t2 = { spec: { containers: [{ image: "i:1", name: "c" }] }, metadata: { labels: { app: "x" } } };
    assert.equal(computeTemplateHash(t1), computeTemplateHash(t2));
    assert.notEqual(computeTemplateHash(t1), computeTemplateHash({ ...t1, spec: { containers: [{ name: "c", image: "i:2" }] } }));
    assert.notEqual(computeTemplateHash(t1), computeTemplateHash(t1, 1));
    assert.notEqual(computeTemplateHash(t1, 1), computeTemplateHash(t1, 2));
    assert.equal(computeTemplateHash(t1, 1), computeTemplateHash(t2, 1));
  });
});

describe("revisions", () => {
  const ds = makeDaemonSet({ name: "fluentd", uid: "u1", labels: { app: "fluentd" } });
  ds.metadata!.annotations = { "deprecated.daemonset.template.generation": "1", "kubernetes.io/change-cause": "v1" };
  const hash = currentTemplateHash(ds);

  test("newRevision shape", () => {
    const cr = newRevision(ds, hash, 3);
    assert.equal(cr.metadata?.name, `fluentd-${hash}`);
    assert.deepEqual(cr.metadata?.labels, { app: "fluentd", "controller-revision-hash": hash });
    assert.deepEqual(cr.metadata?.annotations, ds.metadata?.annotations);
    assert.deepEqual(cr.metadata?.ownerReferences, [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "fluentd", uid: "u1", controller: true, blockOwnerDeletion: true }]);
    assert.equal(cr.revision, 3);
    assert.deepEqual(cr.data, { spec: { template: { $patch: "replace", metadata: { creationTimestamp: null, labels: { app: "fluentd" } }, spec: ds.spec!.template.spec } } });
  });
  test("revision data is laid out as kubectl serializes the template, so rollout undo can skip the current revision", () => {
    const t = makeDaemonSet({ name: "x" });
    t.spec!.template = {
      spec: { restartPolicy: "Always", containers: [{ name: "c", image: "i:1", ports: [{ protocol: "TCP", containerPort: 80 }], resources: {} }], securityContext: {} },
      metadata: { labels: { b: "2", a: "1" }, annotations: { z: "1" } },
    };
    assert.equal(JSON.stringify(revisionData(t)),
      '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"z":"1"},"creationTimestamp":null,"labels":{"a":"1","b":"2"}},' +
      '"spec":{"containers":[{"image":"i:1","name":"c","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{}}],"restartPolicy":"Always","securityContext":{}}}}}');
    assert.equal(JSON.stringify(revisionData(makeDaemonSet({ name: "y" })).spec.template.metadata), '{"creationTimestamp":null,"labels":{"app":"y"}}');
    delete t.spec!.template.metadata;
    assert.equal(JSON.stringify(revisionData(t).spec.template.metadata), '{"creationTimestamp":null}');
  });
  test("collisionCount changes the hash", () => {
    const bumped = { ...structuredClone(ds), status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, collisionCount: 1 } };
    assert.notEqual(currentTemplateHash(bumped), hash);
  });
  test("matching data compares canonically", () => {
    const data = JSON.parse(JSON.stringify(revisionData(ds)));
    data.spec.template.metadata.creationTimestamp = null;
    assert.equal(revisionDataMatches(ds, data), true);
    const other = makeDaemonSet({ name: "fluentd", image: "other:1", labels: { app: "fluentd" } });
    assert.equal(revisionDataMatches(other, data), false);
  });
  test("split, max, pick", () => {
    const cur = makeRevision("cur", 1, "h1", revisionData(ds));
    const cur2 = makeRevision("cur2", 1, "h1b", revisionData(ds));
    const old = makeRevision("old", 4, "h0", revisionData(makeDaemonSet({ image: "x" })));
    const { current, old: olds } = splitRevisions(ds, [cur, old, cur2]);
    assert.deepEqual(current.map((r) => r.metadata?.name), ["cur", "cur2"]);
    assert.deepEqual(olds.map((r) => r.metadata?.name), ["old"]);
    assert.equal(maxRevision(olds), 4);
    assert.equal(maxRevision([]), 0);
    const picked = pickCurrentRevision(current)!;
    assert.equal(picked.keep.metadata?.name, "cur2");
    assert.deepEqual(picked.duplicates.map((r) => r.metadata?.name), ["cur"]);
    assert.equal(pickCurrentRevision([]), undefined);
  });
});

describe("revisionsToCleanup", () => {
  const olds = [5, 1, 3, 2, 4].map((n) => makeRevision(`r${n}`, n, `h${n}`));
  const cases = [
    { name: "within the limit", limit: 5, live: [], want: [] },
    { name: "oldest first", limit: 3, live: [], want: ["r1", "r2"] },
    { name: "live hashes are skipped", limit: 3, live: ["h1"], want: ["r2", "r3"] },
    { name: "limit 0", limit: 0, live: ["h5"], want: ["r1", "r2", "r3", "r4"] },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(revisionsToCleanup(olds, c.limit, new Set(c.live)).map((r) => r.metadata?.name), c.want));
  }
  test("liveHashes", () => {
    assert.deepEqual([...liveHashes([makePod({ name: "a", hash: "x" }), makePod({ name: "b" }), makePod({ name: "c", hash: "x" })])], ["x"]);
  });
});
