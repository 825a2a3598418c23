import { findResource } from "../api/resources.js";
import { StatusError } from "../api/status-error.js";
import type { Lease } from "../api/types.js";
import type { Client } from "../client/client.js";
import { sleep, type Clock, realClock } from "../util/clock.js";

/** How to hold leadership on a coordination.k8s.io Lease. */
export interface LeaderElectionOptions {
  client: Client;
  /** Lease namespace and name, e.g. kube-system/everynode-controller-manager. */
  namespace: string;
  name: string;
  /** This candidate's identity (holderIdentity). */
  identity: string;
  /** A lease not renewed for this long may be taken over (upstream default 15 s). */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long (upstream default 10 s). */
  renewDeadlineMs?: number;
  /** Pause between acquire/renew attempts (upstream default 2 s). */
  retryPeriodMs?: number;
  clock?: Clock;
  /** Wall-clock time for renewTime/acquireTime. */
  now?: () => Date;
}

const leases = (() => {
  const r = findResource("coordination.k8s.io", "leases");
  if (!r) throw new Error("leases resource missing");
  return r;
})();

/** RFC 3339 with microseconds, as Lease times are written. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * Runs `lead` while this candidate holds the Lease: waits to acquire it, calls `lead` with a signal that
 * aborts when leadership is lost (renewal failing past the deadline) or `signal` aborts, and returns when
 * `lead` has returned. Resolves `false` if `signal` aborted before leadership was acquired.
 */
export async function runWithLeaderElection(options: LeaderElectionOptions, signal: AbortSignal, lead: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
  const clock = options.clock ?? realClock();
  const retry = options.retryPeriodMs ?? 2_000;
  while (!signal.aborted) {
    if (await tryAcquireOrRenew(options)) break;
    await sleep(clock, retry, signal);
  }
  if (signal.aborted) return false;

  const leadership = new AbortController();
  const stop = (): void => leadership.abort();
  signal.addEventListener("abort", stop, { once: true });
  const renewing = (async () => {
    const deadline = options.renewDeadlineMs ?? 10_000;
    let lastRenew = clock.now();
    while (!leadership.signal.aborted) {
      await sleep(clock, retry, leadership.signal);
      if (leadership.signal.aborted) break;
      if (await tryAcquireOrRenew(options).catch(() => false)) lastRenew = clock.now();
      else if (clock.now() - lastRenew > deadline) leadership.abort();
    }
  })();
  try {
    await lead(leadership.signal);
  } finally {
    leadership.abort();
    signal.removeEventListener("abort", stop);
    await renewing;
    await release(options).catch(() => undefined);
  }
  return true;
}

/** One acquire-or-renew attempt; true when this candidate holds the lease afterwards. */
export async function tryAcquireOrRenew(o: LeaderElectionOptions): Promise<boolean> {
  const now = (o.now ?? (() => new Date()))();
  const durationSeconds = Math.ceil((o.leaseDurationMs ?? 15_000) / 1000);
  let current: Lease;
  try {
    current = await o.client.get<Lease>(leases, o.namespace, o.name);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
    try {
      await o.client.create<Lease>(leases, o.namespace, {
        apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: o.name, namespace: o.namespace },
        spec: { holderIdentity: o.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      });
      return true;
    } catch (createErr) {
      if (createErr instanceof StatusError && createErr.code === 409) return false;
      throw createErr;
    }
  }
  const spec = current.spec ?? {};
  const held = spec.holderIdentity && spec.holderIdentity !== o.identity;
  const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
  const expired = renewedAt + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < now.getTime();
  if (held && !expired) return false;
  const transitions = (spec.leaseTransitions ?? 0) + (spec.holderIdentity === o.identity ? 0 : 1);
  const next: Lease = {
    ...current,
    spec: {
      ...spec, holderIdentity: o.identity, leaseDurationSeconds: durationSeconds, renewTime: microTime(now), leaseTransitions: transitions,
      acquireTime: spec.holderIdentity === o.identity ? spec.acquireTime : microTime(now),
    },
  };
  try {
    await o.client.update<Lease>(leases, o.namespace, next);
    return true;
  } catch (err) {
    if (err instanceof StatusError && err.code === 409) return false;
    throw err;
  }
}

async function release(o: LeaderElectionOptions): Promise<void> {
  const current = await o.client.get<Lease>(leases, o.namespace, o.name);
  if (current.spec?.holderIdentity !== o.identity) return;
  await o.client.update<Lease>(leases, o.namespace, { ...current, spec: { ...current.spec, holderIdentity: undefined, renewTime: undefined } });
}
