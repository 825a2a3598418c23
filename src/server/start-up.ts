import { join } from "node:path";
import { mustFindResource } from "../api/resources.js";
import type { Node } from "../api/types.js";
import type { Client } from "../client/client.js";
import { isSimulated } from "../simulator/node-status.js";

/** Releases acquired resources in reverse order; what a failed start undoes. */
export class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];

  /** Registers a step to run on `run`, before the steps registered earlier. */
  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  /** Runs every step, last registered first; a failing step is reported and the others still run. */
  async run(report: (error: unknown) => void): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (error) {
        report(error);
      }
    }
    this.steps.length = 0;
  }
}

/** The files of a data directory that hold credentials (all owner-only), for the server log. */
export function credentialFiles(dataDir: string, sqlite: boolean, tls: boolean): string[] {
  const files = [`${join(dataDir, "kubeconfig")} (admin credential)`, `${join(dataDir, "tokens.json")} (token hashes)`];
  if (tls) files.push(`${join(dataDir, "pki", "ca.key")} (cluster CA key: signs client certificates)`, `${join(dataDir, "pki", "server.key")}`);
  files.push(`${join(dataDir, "pki", "sa.key")} (signs ServiceAccount tokens)`);
  if (sqlite) files.push(`${join(dataDir, "state.db")} and its -wal (every stored object, Secrets included)`);
  return files;
}

const nodesResource = mustFindResource("", "nodes");

/**
 * The start-up line saying which nodes will be simulated: those already in the store with the simulated annotation,
 * plus node-1..node-`requested` where missing (what the node simulator does).
 */
export async function simulationLine(client: Client, requested: number): Promise<string> {
  const existing = (await client.list<Node>(nodesResource, undefined)).items;
  const names = new Set(existing.map((n) => n.metadata?.name ?? ""));
  const kept = existing.filter(isSimulated).length;
  const created = Array.from({ length: requested }, (_, i) => `node-${i + 1}`).filter((n) => !names.has(n)).length;
  const total = kept + created;
  const parts = [];
  if (kept > 0) parts.push(`${kept} already in the store`);
  if (created > 0) parts.push(`${created} created now (--nodes ${requested})`);
  if (kept > 0 && requested < kept) parts.push(`--nodes only adds missing nodes node-1..node-N: delete extra ones with kubectl delete node`);
  return `controllers and scheduler started; simulating ${total} node(s)${parts.length > 0 ? `: ${parts.join("; ")}` : ""}`;
}

/** Awaits `work`; a failure is rethrown with what was being done in front of its message. */
export async function inContext<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
