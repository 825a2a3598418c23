import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { open, readFile, rm, stat } from "node:fs/promises";
import { writeSecret } from "./pki.js";

/** A user a bearer token authenticates as. */
export interface TokenUser {
  name: string;
  groups: string[];
}

interface StoredToken extends TokenUser {
  sha256: string;
}

/** Hex SHA-256 of a token: what the token file stores instead of the token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A fresh random bearer token (256 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Identity of one version of the file on disk (a write renames a new file over it, so the inode changes). */
type Stamp = string;

/**
 * The bearer tokens a server accepts, kept hashed in a 0600 JSON file. Several processes may share the file:
 * `issue` appends under a lock file, and `authenticateFresh` picks up tokens other processes issued.
 */
export class TokenFile {
  private reloading: Promise<void> | undefined;

  private constructor(private readonly path: string, private tokens: StoredToken[], private stamp: Stamp | undefined) {}

  /** Loads the token file at `path` (an absent file means no tokens); throws when it is malformed. */
  static async load(path: string): Promise<TokenFile> {
    const { tokens, stamp } = await readTokens(path);
    return new TokenFile(path, tokens, stamp);
  }

  /** Issues a new token for `user`, persists its hash (next to the tokens already on disk) and returns the token. */
  async issue(user: TokenUser): Promise<string> {
    const token = newToken();
    await withLock(`${this.path}.lock`, async () => {
      const onDisk = await readTokens(this.path);
      this.tokens = [...onDisk.tokens, { name: user.name, groups: [...user.groups], sha256: hashToken(token) }];
      await writeSecret(this.path, JSON.stringify(this.tokens, null, 2));
      this.stamp = await stampOf(this.path);
    });
    return token;
  }

  /** The user a presented token belongs to among the tokens loaded, or undefined. Constant-time per entry. */
  authenticate(token: string | undefined): TokenUser | undefined {
    if (!token) return undefined;
    const digest = Buffer.from(hashToken(token), "hex");
    for (const t of this.tokens) {
      const stored = Buffer.from(t.sha256, "hex");
      if (stored.length === digest.length && timingSafeEqual(stored, digest)) return { name: t.name, groups: [...t.groups] };
    }
    return undefined;
  }

  /**
   * As authenticate; an unknown token first makes it re-read the file if the file changed on disk since it was
   * last read (one stat per unknown token, concurrent re-reads shared). A malformed file keeps the tokens loaded.
   */
  async authenticateFresh(token: string | undefined): Promise<TokenUser | undefined> {
    if (!token) return undefined;
    const known = this.authenticate(token);
    if (known) return known;
    this.reloading ??= this.reloadIfChanged().finally(() => { this.reloading = undefined; });
    await this.reloading;
    return this.authenticate(token);
  }

  private async reloadIfChanged(): Promise<void> {
    const current = await stampOf(this.path);
    if (current === this.stamp) return;
    try {
      const fresh = await readTokens(this.path);
      this.tokens = fresh.tokens;
      this.stamp = fresh.stamp;
    } catch {
      // A malformed file: keep serving the tokens loaded before, and do not re-read this version again.
      this.stamp = current;
    }
  }
}

async function stampOf(path: string): Promise<Stamp | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function readTokens(path: string): Promise<{ tokens: StoredToken[]; stamp: Stamp | undefined }> {
  const stamp = await stampOf(path);
  if (stamp === undefined) return { tokens: [], stamp };
  const parsed = JSON.parse(await readFile(path, "utf8")) as unknown;
  if (!Array.isArray(parsed) || !parsed.every(isStoredToken)) throw new Error(`${path}: not a token file`);
  return { tokens: parsed, stamp };
}

function isStoredToken(value: unknown): value is StoredToken {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Record<string, unknown>;
  return typeof t.name === "string" && typeof t.sha256 === "string" && Array.isArray(t.groups) && t.groups.every((g) => typeof g === "string");
}

/** A lock file older than this was left by a process that died while holding it. */
const staleLockMs = 30_000;

/** Runs `fn` holding the lock file `lockPath` (created exclusively; waits up to 10 s for another holder). */
async function withLock<R>(lockPath: string, fn: () => Promise<R>): Promise<R> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await (await open(lockPath, "wx", 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const held = await stat(lockPath).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > staleLockMs) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockPath} (remove it if no everynode process is issuing tokens)`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
