/**
 * The write-counting probe of the cluster benchmark: the store's revision read by writing a probe Lease, and the
 * time and store writes of one phase measured through it.
 */
import { mustFindResource } from "../api/resources.js";
import type { Lease } from "../api/types.js";
import type { Client } from "../client/client.js";
import { round } from "./bench-stats.js";

const leases = mustFindResource("coordination.k8s.io", "leases");

/** Reads the store's current revision by writing a probe Lease (one write per reading). */
export class RevisionProbe {
  private rv = "";
  /** A probe writing the Lease `bench-probe` in `namespace` (which must exist) through `client`. */
  constructor(private readonly client: Client, private readonly namespace: string) {}

  /** The store revision right after this call's own write. */
  async read(): Promise<number> {
    const spec = { holderIdentity: "bench", renewTime: new Date().toISOString().replace(/Z$/, "000Z") };
    let lease: Lease;
    if (this.rv === "") {
      lease = await this.client.create<Lease>(leases, this.namespace, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "bench-probe" }, spec });
    } else {
      lease = await this.client.patch<Lease>(leases, this.namespace, "bench-probe", "merge", { spec });
    }
    this.rv = lease.metadata?.resourceVersion ?? "";
    return Number(this.rv);
  }
}

/** Time and store writes of one phase. */
export interface PhaseMeasure {
  seconds: number;
  /** Store revisions the phase produced (every write of every component). */
  writes: number;
  writesPerSecond: number;
  /** CPU seconds the serving process used in the phase, and those of its main thread (when known). */
  cpuSeconds?: number;
  mainThreadCpuSeconds?: number;
}

/** Measures `fn`: wall time and store writes (minus the probe's own). */
export async function measured<R>(probe: RevisionProbe, fn: () => Promise<R>): Promise<{ result: R; measure: PhaseMeasure }> {
  const rev0 = await probe.read();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const writes = Math.max(0, (await probe.read()) - rev0 - 1);
  return { result, measure: { seconds: round(seconds), writes, writesPerSecond: Math.round(writes / Math.max(seconds, 1e-3)) } };
}
