import { existsSync, readdirSync } from "node:fs";
import { chmod, lstat, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { SqliteBackend, StoreLockedError, StoreUnusableError } from "../storage/sqlite-backend.js";
import { writeSecret } from "./pki.js";

/** How the data directory looked before this process touched it. */
export interface DataDirOrigin {
  /** Absolute path of the directory. */
  path: string;
  /** The directory did not exist. */
  created: boolean;
  /** The directory existed but held nothing. */
  wasEmpty: boolean;
}

/** Creates the data directory (mode 0700, also when it existed) and reports whether it is fresh. */
export async function prepareDataDir(path: string): Promise<DataDirOrigin> {
  const created = !existsSync(path);
  const wasEmpty = created || readdirSync(path).length === 0;
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
  return { path, created, wasEmpty };
}

/** After a failed start: removes what this process created in a data directory that was fresh; keeps any other. */
export async function discardIfFresh(origin: DataDirOrigin): Promise<void> {
  if (origin.created) {
    await rm(origin.path, { recursive: true, force: true });
  } else if (origin.wasEmpty) {
    for (const entry of readdirSync(origin.path)) await rm(join(origin.path, entry), { recursive: true, force: true });
  }
}

/** The file a running `everynode up` keeps in its data directory to say who holds it. */
const holderFile = "holder.json";

/** Who holds a data directory: the serving process and the URL it serves on (once known). */
export interface Holder {
  pid: number;
  url?: string;
}

/** Records this process as the holder of the data directory. */
export async function writeHolder(dataDir: string, holder: Holder): Promise<void> {
  await writeSecret(join(dataDir, holderFile), `${JSON.stringify(holder)}\n`);
}

/** Removes the holder record (on a clean stop). */
export async function removeHolder(dataDir: string): Promise<void> {
  await rm(join(dataDir, holderFile), { force: true });
}

/** The live process recorded as holding the data directory, if any. */
export async function readHolder(dataDir: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, holderFile), "utf8")) as Partial<Holder>;
    if (typeof parsed.pid !== "number" || parsed.pid === process.pid) return undefined;
    process.kill(parsed.pid, 0);
    return { pid: parsed.pid, url: typeof parsed.url === "string" ? parsed.url : undefined };
  } catch {
    return undefined;
  }
}

/** The files of the store: the database and SQLite's write-ahead log and shared-memory index beside it. */
export function storeFiles(dataDir: string): string[] {
  const db = join(dataDir, "state.db");
  return [db, `${db}-wal`, `${db}-shm`];
}

/** How to open the store of a data directory. */
export interface OpenStoreOptions {
  synchronous: "NORMAL" | "FULL";
  /** Move an existing store aside (state.db.discarded-<time>) and start with an empty one. */
  resetStore?: boolean;
  log: (line: string) => void;
}

const freshHint = "to start with an empty store on purpose, run with --reset-store (the old files are moved aside, not deleted)";

/**
 * Opens `dataDir/state.db`, creating it (mode 0600, as its WAL) only in a data directory that never had one. A
 * store that is empty (0 bytes), missing from a used data directory (one with a kubeconfig), unreadable, or not an
 * everynode store is refused, never re-initialised; one held by another process is refused naming that process.
 */
export async function openStore(dataDir: string, options: OpenStoreOptions): Promise<SqliteBackend> {
  const [db] = storeFiles(dataDir) as [string];
  if (options.resetStore) await moveStoreAside(dataDir, options.log);
  const size = (await stat(db).catch(() => undefined))?.size;
  if (size === 0) throw new StoreUnusableError(`${db} is empty (0 bytes): the store is gone or was truncated; refusing to start as an empty cluster; ${freshHint}`);
  if (size === undefined && !options.resetStore && existsSync(join(dataDir, "kubeconfig"))) {
    throw new StoreUnusableError(`${db} is missing from a data directory that was used before; refusing to start as an empty cluster; ${freshHint}`);
  }
  if (size === undefined) await (await open(db, "a", 0o600)).close();
  // SQLite creates the WAL with the database file's mode: make both owner-only, also in data directories made before.
  for (const file of storeFiles(dataDir)) await chmod(file, 0o600).catch(ignoreMissing);
  try {
    return SqliteBackend.open({ path: db, synchronous: options.synchronous, create: size === undefined });
  } catch (error) {
    if (error instanceof StoreLockedError) {
      const holder = await readHolder(dataDir);
      const who = holder ? `a running everynode up (pid ${holder.pid}${holder.url ? `, serving ${holder.url}` : ""})` : "another process";
      throw new StoreLockedError(`data directory ${dataDir} is in use by ${who}: stop it first, or use another --data-dir`);
    }
    if (error instanceof StoreUnusableError) throw new StoreUnusableError(`${error.message}; refusing to start; ${freshHint}`);
    throw error;
  }
}

async function moveStoreAside(dataDir: string, log: (line: string) => void): Promise<void> {
  const holder = await readHolder(dataDir);
  if (holder) throw new StoreLockedError(`data directory ${dataDir} is in use by a running everynode up (pid ${holder.pid}${holder.url ? `, serving ${holder.url}` : ""}): stop it before --reset-store`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (const file of storeFiles(dataDir)) {
    if (!(await lstat(file).catch(() => undefined))) continue;
    const aside = file.replace(/state\.db/, `state.db.discarded-${stamp}`);
    await rename(file, aside);
    log(`--reset-store: moved ${file} to ${aside}`);
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
