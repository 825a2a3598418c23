import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
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

/** The bearer tokens a server accepts, kept hashed in a 0600 JSON file. */
export class TokenFile {
  private constructor(private readonly path: string, private tokens: StoredToken[]) {}

  /** Loads the token file at `path` (an absent file means no tokens). */
  static async load(path: string): Promise<TokenFile> {
    const tokens = existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as StoredToken[]) : [];
    return new TokenFile(path, tokens);
  }

  /** Issues a new token for `user`, persists its hash and returns the token itself. */
  async issue(user: TokenUser): Promise<string> {
    const token = newToken();
    this.tokens = [...this.tokens, { ...user, sha256: hashToken(token) }];
    await writeSecret(this.path, JSON.stringify(this.tokens, null, 2));
    return token;
  }

  /** The user a presented token belongs to, or undefined. Comparison is constant-time per entry. */
  authenticate(token: string | undefined): TokenUser | undefined {
    if (!token) return undefined;
    const digest = Buffer.from(hashToken(token), "hex");
    for (const t of this.tokens) {
      const stored = Buffer.from(t.sha256, "hex");
      if (stored.length === digest.length && timingSafeEqual(stored, digest)) return { name: t.name, groups: t.groups };
    }
    return undefined;
  }
}
