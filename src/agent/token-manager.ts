/**
 * The agent's ServiceAccount tokens for projected volumes (the kubelet's token manager): one TokenRequest per pod,
 * audience and lifetime, bound to the pod; refreshed once 80% of its lifetime has passed (or after 24 hours), with
 * up to 10 s of jitter, as the kubelet does. A token whose refresh fails is kept while it is still valid.
 */
import { mustFindResource } from "../api/resources.js";
import type { KubeObject, Pod } from "../api/types.js";
import type { Client } from "../client/client.js";
import type { TokenSource } from "./volume-payload.js";

const serviceAccounts = mustFindResource("", "serviceaccounts");
const maxTtlMs = 24 * 3600 * 1000;
const maxJitterMs = 10_000;

interface Held { token: string; expiresAt: number; issuedAt: number }

/** Options of a TokenManager. */
export interface TokenManagerOptions {
  client: Client;
  /** Wall clock, epoch ms. */
  now: () => number;
  /** A number in [0, 1) (jitter). */
  random: () => number;
}

/** Requests and refreshes pod-bound ServiceAccount tokens. */
export class TokenManager {
  private readonly held = new Map<string, Held>();

  /** Creates an empty manager. */
  constructor(private readonly o: TokenManagerOptions) {}

  /** Whether `held` is due for a refresh at `now` (past 80% of its lifetime, or older than 24 h, minus jitter). */
  static requiresRefresh(held: Held, now: number, jitterMs: number): boolean {
    const lifetime = held.expiresAt - held.issuedAt;
    if (now >= held.issuedAt + maxTtlMs - jitterMs) return true;
    return now >= held.expiresAt - lifetime * 0.2 - jitterMs;
  }

  /** The token of `pod` for `source`: the held one, or a new one when due; rejects when none can be had. */
  async token(pod: Pod, source: TokenSource): Promise<string> {
    const meta = pod.metadata ?? {};
    const sa = pod.spec?.serviceAccountName || "default";
    const expirationSeconds = source.expirationSeconds ?? 3600;
    const key = `${meta.uid ?? ""}|${sa}|${source.audience ?? ""}|${expirationSeconds}`;
    const now = this.o.now();
    const held = this.held.get(key);
    if (held && !TokenManager.requiresRefresh(held, now, this.o.random() * maxJitterMs)) return held.token;
    try {
      const answer = await this.o.client.createSubresource(serviceAccounts, meta.namespace, sa, "token", {
        apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest",
        spec: {
          audiences: source.audience ? [source.audience] : [], expirationSeconds,
          boundObjectRef: { apiVersion: "v1", kind: "Pod", name: meta.name ?? "", uid: meta.uid ?? "" },
        },
      } as KubeObject);
      const status = (answer.status ?? {}) as { token?: string; expirationTimestamp?: string };
      if (!status.token) throw new Error("the TokenRequest answer carries no token");
      const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : now + expirationSeconds * 1000;
      this.held.set(key, { token: status.token, expiresAt, issuedAt: expiresAt - expirationSeconds * 1000 });
      return status.token;
    } catch (err) {
      if (held && now < held.expiresAt) return held.token;
      throw err;
    }
  }

  /** Forgets the tokens of the pod with `uid` (it is gone). */
  forgetPod(uid: string): void {
    for (const key of this.held.keys()) if (key.startsWith(`${uid}|`)) this.held.delete(key);
  }
}
