import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeProtobufObject, hasProtobufMagic } from "./decode.js";
import { ProtoReader } from "./wire.js";
import { StatusError } from "../../api/status-error.js";

// ---- a tiny encoder for fixtures ----

function varint(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}
const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
const bytesField = (field: number, payload: number[]): number[] => [...tag(field, 2), ...varint(payload.length), ...payload];
const str = (field: number, s: string): number[] => bytesField(field, [...new TextEncoder().encode(s)]);
const int = (field: number, v: bigint | number): number[] => [...tag(field, 0), ...varint(v)];
const msg = (field: number, ...parts: number[][]): number[] => bytesField(field, parts.flat());
const mapEntry = (field: number, k: string, v: string): number[] => msg(field, str(1, k), str(2, v));
const time = (field: number, seconds: number, nanos = 0): number[] => msg(field, int(1, seconds), ...(nanos ? [int(2, nanos)] : []));

function envelope(apiVersion: string, kind: string, raw: number[], extra: number[][] = []): Uint8Array {
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, apiVersion), str(2, kind)), ...bytesField(2, raw), ...str(3, ""), ...str(4, ""), ...extra.flat()]);
}

/** What `kubectl create namespace foo` sends: every non-pointer field written, zero time included. */
function namespaceFoo(): number[] {
  const meta = [str(1, "foo"), str(2, ""), str(3, ""), str(4, ""), str(5, ""), str(6, ""), int(7, 0), time(8, -62135596800)].flat();
  return [...bytesField(1, meta), ...msg(2), ...msg(3, str(1, ""))];
}

function expectStatus(fn: () => unknown, code: number, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

void describe("decodeProtobufObject", () => {
  void test("kubectl create namespace", () => {
    assert.deepEqual(decodeProtobufObject(envelope("v1", "Namespace", namespaceFoo())), {
      apiVersion: "v1", kind: "Namespace", metadata: { name: "foo" }, spec: {}, status: {},
    });
  });

  void test("namespace metadata: generateName, labels, annotations, owner refs, finalizers, times", () => {
    const meta = [
      str(2, "gen-"), str(3, "ns"), int(7, 3), time(8, 1714564800), time(9, 1714564801, 5),
      int(10, 30), mapEntry(11, "a", "1"), mapEntry(11, "b", ""), mapEntry(12, "note", "x y"),
      msg(13, str(1, "Node"), str(3, "n1"), str(4, "u1"), str(5, "v1"), int(6, 1), int(7, 0)),
      str(14, "kubernetes"), str(14, "other"),
    ].flat();
    const obj = decodeProtobufObject(envelope("v1", "Namespace", [...bytesField(1, meta), ...msg(2, str(1, "kubernetes"))]));
    assert.deepEqual(obj, {
      apiVersion: "v1", kind: "Namespace",
      metadata: {
        generateName: "gen-", namespace: "ns", generation: 3, creationTimestamp: "2024-05-01T12:00:00Z", deletionTimestamp: "2024-05-01T12:00:01Z",
        deletionGracePeriodSeconds: 30, labels: { a: "1", b: "" }, annotations: { note: "x y" },
        ownerReferences: [{ kind: "Node", name: "n1", uid: "u1", apiVersion: "v1", controller: true, blockOwnerDeletion: false }],
        finalizers: ["kubernetes", "other"],
      },
      spec: { finalizers: ["kubernetes"] },
    });
  });

  void test("DeleteOptions (drain without eviction), any apiVersion, pointer zeros kept", () => {
    const raw = [int(1, 0), msg(2, str(1, "uid-1"), str(2, "")), int(3, 0), str(4, "Background"), str(5, "All")].flat();
    assert.deepEqual(decodeProtobufObject(envelope("meta.k8s.io/v1", "DeleteOptions", raw)), {
      apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: "uid-1", resourceVersion: "" },
      orphanDependents: false, propagationPolicy: "Background", dryRun: ["All"],
    });
    assert.deepEqual(decodeProtobufObject(envelope("v1", "DeleteOptions", int(1, -1))), { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: -1 });
  });

  void test("Eviction and Binding", () => {
    const ev = [...msg(1, str(1, "p"), str(3, "default")), ...msg(2, int(1, 30))];
    assert.deepEqual(decodeProtobufObject(envelope("policy/v1", "Eviction", ev)), {
      apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "p", namespace: "default" }, deleteOptions: { gracePeriodSeconds: 30 },
    });
    const b = [...msg(1, str(1, "p")), ...msg(2, str(1, "Node"), str(3, "n1"), str(5, "v1"))];
    assert.deepEqual(decodeProtobufObject(envelope("v1", "Binding", b)), {
      apiVersion: "v1", kind: "Binding", metadata: { name: "p" }, target: { kind: "Node", name: "n1", apiVersion: "v1" },
    });
  });

  void test("unknown fields of every wire type are skipped", () => {
    const extra = [[...tag(20, 0), ...varint(5)], [...tag(21, 1), 1, 2, 3, 4, 5, 6, 7, 8], [...tag(22, 5), 1, 2, 3, 4], str(23, "x")];
    const raw = [...bytesField(1, [...str(1, "foo"), ...extra.flat()]), ...extra.flat()];
    assert.deepEqual(decodeProtobufObject(envelope("v1", "Namespace", raw, extra)), { apiVersion: "v1", kind: "Namespace", metadata: { name: "foo" } });
  });

  void test("managedFields with FieldsV1 JSON", () => {
    const mf = msg(17, str(1, "kubectl"), str(2, "Update"), str(3, "v1"), time(4, 1714564800), str(6, "FieldsV1"), msg(7, str(1, '{"f:metadata":{}}')));
    const obj = decodeProtobufObject(envelope("v1", "Namespace", bytesField(1, mf)));
    assert.deepEqual((obj.metadata as Record<string, unknown>).managedFields, [
      { manager: "kubectl", operation: "Update", apiVersion: "v1", time: "2024-05-01T12:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": {} } },
    ]);
  });

  const unsupported: Array<[string, Uint8Array]> = [
    ["a DaemonSet", envelope("apps/v1", "DaemonSet", [])],
    ["a Namespace under another apiVersion", envelope("apps/v1", "Namespace", [])],
    ["a prototype key as kind", envelope("", "constructor", [])],
    ["gzip content encoding", Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, "v1"), str(2, "Namespace")), ...str(3, "gzip")])],
  ];
  for (const [name, body] of unsupported) void test(`415 for ${name}`, () => expectStatus(() => decodeProtobufObject(body), 415, /unknown format/));

  const malformed: Array<[string, number[]]> = [
    ["no magic", [1, 2, 3]],
    ["empty", []],
    ["JSON", [...new TextEncoder().encode('{"kind":"Namespace"}')]],
    ["truncated envelope", [0x6b, 0x38, 0x73, 0x00, 0x0a, 0x10, 0x0a]],
    ["length beyond the end", [0x6b, 0x38, 0x73, 0x00, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ["unterminated varint", [0x6b, 0x38, 0x73, 0x00, 0x08, 0xff, 0xff]],
    ["overlong varint", [0x6b, 0x38, 0x73, 0x00, 0x08, ...Array(11).fill(0xff), 0x01]],
    ["field number zero", [0x6b, 0x38, 0x73, 0x00, 0x00, 0x01]],
    ["group wire type", [0x6b, 0x38, 0x73, 0x00, ...tag(9, 3)]],
    ["missing kind", [0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, "v1"))]],
    ["wrong wire type for name", [...envelope("v1", "Namespace", msg(1, int(1, 5)))]],
    ["absurd timestamp", [...envelope("v1", "Namespace", msg(1, time(8, 2 ** 60)))]],
    ["bad fieldsV1", [...envelope("v1", "Namespace", msg(1, msg(17, msg(7, str(1, "{nope")))))]],
    // 100k levels would overflow the stack of whatever copies the object next (it used to answer 500).
    ["fieldsV1 nested 100k levels deep", [...envelope("v1", "Namespace", msg(1, msg(17, msg(7, str(1, `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`)))))]],
  ];
  for (const [name, bytes] of malformed) void test(`400 for ${name}`, () => expectStatus(() => decodeProtobufObject(Uint8Array.from(bytes)), 400));

  void test("random garbage after the magic never escapes as anything but a StatusError", () => {
    let seed = 12345;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let i = 0; i < 2000; i++) {
      const len = rand() % 64;
      const body = Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...Array.from({ length: len }, () => rand() & 0xff)]);
      try {
        decodeProtobufObject(body);
      } catch (e) {
        assert.ok(e instanceof StatusError, `${String(e)} for ${[...body].join(",")}`);
        assert.ok(e.code === 400 || e.code === 415);
      }
    }
  });

  void test("magic detection", () => {
    assert.equal(hasProtobufMagic(Uint8Array.of(0x6b, 0x38, 0x73, 0x00)), true);
    assert.equal(hasProtobufMagic(Uint8Array.of(0x6b, 0x38, 0x73)), false);
  });
});

void describe("ProtoReader", () => {
  void test("varints: zero, multi-byte, negative int64 and int32", () => {
    const r = new ProtoReader(Uint8Array.from([...varint(0), ...varint(300), ...varint(-2n), ...varint(-5)]));
    assert.equal(r.varint(), 0n);
    assert.equal(r.varint(), 300n);
    assert.equal(r.int64(), -2);
    assert.equal(r.int32(), -5);
    assert.equal(r.done(), true);
  });
});

describe("protobuf Pods (kubectl debug creates them so)", () => {
  test("a node debugging pod decodes to its JSON form: inlined structs, quantities, pointer zeros kept", () => {
    const container = [
      str(1, "debugger"), str(2, "busybox"), str(3, "cat"), str(3, "/host/etc/hostname"),
      msg(8, msg(1, str(1, "cpu"), msg(2, str(1, "100m")))),
      msg(9, str(1, "host-root"), int(2, 0), str(3, "/host")),
      msg(15, int(2, 0)), int(16, 1), int(17, 0), int(18, 1), str(20, "File"),
    ].flat();
    const spec = [
      msg(1, str(1, "host-root"), msg(2, msg(1, str(1, "/")))),
      bytesField(2, container), str(3, "Never"), int(4, 0), str(10, "node-a"), int(11, 1), int(12, 1), int(13, 0),
      msg(22, str(2, "Exists")),
      msg(34, msg(1, str(1, "dbg"), str(2, "busybox")), str(2, "debugger")),
    ].flat();
    const pod = [...msg(1, str(1, "node-debugger-node-a-x2b9q"), mapEntry(11, "app.kubernetes.io/managed-by", "kubectl-debug")), ...bytesField(2, spec)];
    assert.deepEqual(decodeProtobufObject(envelope("v1", "Pod", pod)), {
      apiVersion: "v1", kind: "Pod",
      metadata: { name: "node-debugger-node-a-x2b9q", labels: { "app.kubernetes.io/managed-by": "kubectl-debug" } },
      spec: {
        volumes: [{ name: "host-root", hostPath: { path: "/" } }],
        containers: [{
          name: "debugger", image: "busybox", command: ["cat", "/host/etc/hostname"], resources: { limits: { cpu: "100m" } },
          volumeMounts: [{ name: "host-root", mountPath: "/host" }], securityContext: { privileged: false }, stdin: true, tty: true,
          terminationMessagePolicy: "File",
        }],
        restartPolicy: "Never", terminationGracePeriodSeconds: 0, nodeName: "node-a", hostNetwork: true, hostPID: true,
        tolerations: [{ operator: "Exists" }],
        ephemeralContainers: [{ name: "dbg", image: "busybox", targetContainerName: "debugger" }],
      },
    });
  });
});
