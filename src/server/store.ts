/** Choosing and opening the store one control plane process keeps its state in. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Backend } from "../storage/backend.js";
import { EtcdBackend } from "../storage/etcd-backend.js";
import { MemoryBackend } from "../storage/memory-backend.js";
import { SqliteBackend } from "../storage/sqlite-backend.js";

/** etcd as the store: its client endpoints, key prefix and TLS files. */
export interface EtcdStore {
  kind: "etcd";
  /** `host:port` of each member. */
  endpoints: string[];
  /** Where the objects live in etcd (default /registry: keys are /registry/<group>/<resource>/...). */
  prefix?: string;
  /** PEM files for TLS to etcd (the CA turns TLS on; cert and key authenticate this client). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** The store of a control plane: "sqlite" in its data dir (default), "memory" (nothing kept), or etcd. */
export type StoreChoice = "sqlite" | "memory" | EtcdStore;

/** The prefix objects are kept under in etcd by default, as kube-apiserver's --etcd-prefix. */
export const defaultEtcdPrefix = "/registry";

/** The keys the API server stores all start with this root (see storageKey in src/api/resources.ts). */
const keyRoot = "/registry";

/** TLS and prefix flags that go with an `etcd://` store. */
export interface EtcdFlags {
  prefix?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * Parses a `--store` value: `sqlite`, `memory` or `etcd://HOST:PORT[,HOST:PORT...]`. Throws an Error naming the
 * problem for anything else (or etcd flags without an etcd store).
 */
export function parseStore(value: string, etcd: EtcdFlags = {}): StoreChoice {
  const etcdFlagGiven = Object.values(etcd).some((v) => v !== undefined);
  if (value === "sqlite" || value === "memory") {
    if (etcdFlagGiven) throw new Error("--etcd-* flags need --store etcd://HOST:PORT");
    return value;
  }
  if (!value.startsWith("etcd://")) throw new Error(`invalid value "${value}" for --store: must be sqlite, memory or etcd://HOST:PORT[,HOST:PORT...]`);
  const endpoints = value.slice("etcd://".length).replace(/\/+$/, "").split(",").map((e) => e.trim());
  for (const endpoint of endpoints) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(endpoint);
    if (match === null || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new Error(`invalid etcd endpoint "${endpoint}" in --store: must be HOST:PORT`);
    }
  }
  const prefix = etcd.prefix ?? defaultEtcdPrefix;
  if (!prefix.startsWith("/") || prefix.endsWith("/") && prefix !== "/") throw new Error(`invalid value "${prefix}" for --etcd-prefix: must start with / and not end with /`);
  if ((etcd.certFile === undefined) !== (etcd.keyFile === undefined)) throw new Error("--etcd-certfile and --etcd-keyfile go together");
  if (etcd.certFile !== undefined && etcd.caFile === undefined) throw new Error("--etcd-certfile needs --etcd-cafile");
  return { kind: "etcd", endpoints, prefix, caFile: etcd.caFile, certFile: etcd.certFile, keyFile: etcd.keyFile };
}

/** Opens the chosen store (SQLite in `dataDir`/state.db with `sync`). */
export async function openStore(choice: StoreChoice, dataDir: string, sync: "normal" | "full" = "normal"): Promise<Backend> {
  if (choice === "memory") return new MemoryBackend();
  if (choice === "sqlite") return SqliteBackend.open({ path: join(dataDir, "state.db"), synchronous: sync === "full" ? "FULL" : "NORMAL" });
  const tls = choice.caFile !== undefined ? {
    ca: await readFile(choice.caFile),
    cert: choice.certFile !== undefined ? await readFile(choice.certFile) : undefined,
    key: choice.keyFile !== undefined ? await readFile(choice.keyFile) : undefined,
  } : undefined;
  const backend = new EtcdBackend({ endpoints: choice.endpoints, prefix: etcdKeyPrefix(choice.prefix ?? defaultEtcdPrefix), tls });
  try {
    await backend.currentRevision();
  } catch (error) {
    await backend.close();
    throw new Error(`cannot reach etcd at ${choice.endpoints.join(",")}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return backend;
}

/** What the backend prepends so objects land under `prefix` (whose /registry root the keys already carry). */
function etcdKeyPrefix(prefix: string): string {
  if (prefix === keyRoot) return "";
  return prefix.endsWith(keyRoot) ? prefix.slice(0, -keyRoot.length) : prefix;
}

/** True for a store several control plane processes may share. */
export function isShared(choice: StoreChoice): boolean {
  return typeof choice === "object";
}
