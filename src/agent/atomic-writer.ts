/**
 * The kubelet's AtomicWriter for ConfigMap, Secret, downward API and projected volumes: the files live in a
 * timestamped directory `..YYYY_MM_DD_HH_MM_SS.<random>`, the symlink `..data` points at it, and every
 * user-visible top-level name is a symlink through `..data`. An update writes a new timestamped directory and
 * renames a fresh `..data_tmp` symlink over `..data`, so a reader sees either the old or the new set of files,
 * never a mix; then stale names and the old directory are removed.
 */
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** One file of a volume: its content and permission bits. */
export interface PayloadFile {
  data: Buffer;
  mode: number;
}

/** A volume's files by relative path (`a`, `dir/b`). */
export type Payload = Map<string, PayloadFile>;

const dataDir = "..data";

/** Throws when `path` is not a relative path inside the volume (no `..` element, not absolute, not hidden by `..`). */
export function checkPayloadPath(path: string): void {
  if (path === "" || path.startsWith("/") || path.split("/").some((p) => p === ".." || p === "") || path.startsWith("..")) {
    throw new Error(`invalid path "${path}": must be relative, without '..' elements, and may not start with '..'`);
  }
}

async function currentDir(dir: string): Promise<string | undefined> {
  try {
    return await readlink(join(dir, dataDir));
  } catch {
    return undefined;
  }
}

/** Whether the files under `dir/current` are exactly `payload` (paths, contents and modes). */
async function samePayload(dir: string, current: string, payload: Payload): Promise<boolean> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, current, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else found.push(p);
    }
  };
  try {
    await walk("");
    if (found.length !== payload.size) return false;
    for (const p of found) {
      const want = payload.get(p);
      if (!want) return false;
      const file = join(dir, current, p);
      if (((await stat(file)).mode & 0o7777) !== want.mode) return false;
      if (!(await readFile(file)).equals(want.data)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function timestampPrefix(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

/**
 * Makes `dir` hold exactly `payload`, atomically as the kubelet does; resolves true when something changed.
 * Paths must pass checkPayloadPath.
 */
export async function writeAtomic(dir: string, payload: Payload, now = new Date()): Promise<boolean> {
  for (const p of payload.keys()) checkPayloadPath(p);
  await mkdir(dir, { recursive: true });
  const old = await currentDir(dir);
  if (old !== undefined && await samePayload(dir, old, payload)) return false;
  const ts = await mkdtemp(join(dir, timestampPrefix(now)));
  await chmod(ts, 0o755);
  for (const [p, f] of payload) {
    const file = join(ts, p);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, f.data);
    await chmod(file, f.mode);
  }
  const tmp = join(dir, `${dataDir}_tmp`);
  await rm(tmp, { force: true });
  await symlink(ts.slice(dir.length + 1), tmp);
  await rename(tmp, join(dir, dataDir));
  const visible = new Set([...payload.keys()].map((p) => p.split("/")[0] ?? p));
  for (const name of visible) {
    const link = join(dir, name);
    const target = `${dataDir}/${name}`;
    let existing: string | undefined;
    try { existing = await readlink(link); } catch { existing = undefined; }
    if (existing === target) continue;
    await rm(link, { recursive: true, force: true });
    await symlink(target, link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith("..") || visible.has(name)) continue;
    const st = await lstat(join(dir, name));
    if (st.isSymbolicLink() && (await readlink(join(dir, name))).startsWith(`${dataDir}/`)) await unlink(join(dir, name));
  }
  if (old !== undefined && old !== dataDir && old.startsWith("..")) await rm(join(dir, old), { recursive: true, force: true });
  return true;
}
