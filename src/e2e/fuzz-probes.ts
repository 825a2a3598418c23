/** Helpers of the hostile-request tests (fuzz.test.ts): the probe type, protobuf bodies, snapshots and the runner. */
import { resources } from "../api/resources.js";
import type { KubeObject } from "../api/types.js";
import { deepJson, scratchNamespace } from "./fuzz-corpus.js";
import type { TestCluster } from "./harness.js";
import { statusProblem, type RawAnswer, type RawApi } from "./raw-api.js";

/** One hostile request and, for the few an upstream server also accepts, which success is harmless. */
export interface Probe {
  label: string;
  method: string;
  path: string;
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
  chunked?: boolean;
  anonymous?: boolean;
  /** When set, a 2xx answer is acceptable if this returns true for it. */
  benign?: (answer: RawAnswer) => boolean;
  /** The one code expected (e.g. 415, 405; also the rare 5xx Status upstream answers by design). */
  expect?: number;
}

/** A protobuf field with a length-delimited payload. */
function pbField(field: number, payload: Buffer | string): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return out;
  };
  const bytes = Buffer.from(payload);
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(bytes.length)]), bytes]);
}

/** `kubectl create namespace` as protobuf, but with a managedFields entry whose FieldsV1 JSON nests 100k levels. */
export function deepFieldsV1Namespace(): Buffer {
  const meta = Buffer.concat([pbField(1, "deep-fields"), pbField(17, pbField(7, pbField(1, deepJson(100_000))))]);
  const unknown = Buffer.concat([pbField(1, Buffer.concat([pbField(1, "v1"), pbField(2, "Namespace")])), pbField(2, pbField(1, meta))]);
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), unknown]);
}

/** Objects of every resource outside the scratch namespace, keyed `resource/namespace/name`. */
export async function snapshot(c: TestCluster): Promise<Map<string, KubeObject>> {
  const out = new Map<string, KubeObject>();
  for (const r of resources) {
    const list = await c.plane.client.list(r, undefined);
    for (const o of list.items) {
      if (o.metadata?.namespace === scratchNamespace) continue;
      out.set(`${r.resource}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`, o);
    }
  }
  return out;
}

/** How many objects of each resource a snapshot holds. */
export function countByResource(objects: Map<string, KubeObject>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of objects.keys()) {
    const r = key.slice(0, key.indexOf("/"));
    counts[r] = (counts[r] ?? 0) + 1;
  }
  return counts;
}

/** Sends every probe (8 at a time) and returns one line per answer that is not a proper 4xx Status. */
export async function run(api: RawApi, probes: Probe[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const p = probes[next++] as Probe;
      const headers: Record<string, string> = { Accept: "application/json", ...(p.headers ?? {}) };
      if (p.contentType !== undefined) headers["Content-Type"] = p.contentType;
      let answer: RawAnswer;
      try {
        answer = await api.request(p.method, p.path, { body: p.body, headers, chunked: p.chunked, anonymous: p.anonymous });
      } catch (err) {
        failures.push(`${p.label}: ${p.method} ${p.path.slice(0, 120)}: no answer: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300 && p.benign?.(answer)) continue;
      const problem = statusProblem(answer, p.expect);
      if (problem) failures.push(`${p.label}: ${p.method} ${p.path.slice(0, 120)}: ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return failures;
}
