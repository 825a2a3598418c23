/**
 * What the API servers of one cluster share, as one file: the cluster CA (certificate and key), the key signing
 * ServiceAccount tokens, the hashes of the bearer tokens and the admin kubeconfig's token. `everynode pki export` writes it from the first server's data
 * directory; `everynode pki import` (or `up --join-bundle`) puts it into another server's, which then issues its
 * own serving certificate from the shared CA, so one kubeconfig's CA and credentials work against every server.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { renderKubeconfig } from "./kubeconfig.js";
import { loadClusterCa, parseClusterCa, writeSecret } from "./pki.js";
import { publicKeyOf, serviceAccountKeyPaths } from "./service-account-key.js";
import { TokenFile } from "./tokens.js";

/** The bundle's kind, checked on import. */
const bundleKind = "EverynodeClusterBundle";

/** The contents of a cluster bundle (JSON). */
interface ClusterBundle {
  kind: typeof bundleKind;
  version: 1;
  /** PEM certificate and PKCS#8 key of the cluster CA. */
  caCert: string;
  caKey: string;
  /** The token file (hashes only). */
  tokens: unknown[];
  /** The admin kubeconfig's bearer token, so every server's kubeconfig carries the same admin credential. */
  adminToken?: string;
  /** PKCS#8 PEM key signing ServiceAccount tokens (absent in bundles of servers that had none yet). */
  serviceAccountKey?: string;
}

/** What an import did. */
export interface ImportResult {
  /** The CA was written (false: the directory already had this CA). */
  caWritten: boolean;
  /** Tokens of the bundle the directory did not know yet. */
  tokensAdded: number;
  /** The ServiceAccount signing key was written (false: the bundle had none, or the directory had this one). */
  serviceAccountKeyWritten: boolean;
}

/**
 * The bundle of the data directory `dataDir` (JSON text; it holds the CA key: keep it secret). Throws when the
 * directory has no cluster CA yet.
 */
export async function exportClusterBundle(dataDir: string): Promise<string> {
  const dir = resolve(dataDir);
  const pki = join(dir, "pki");
  if (!existsSync(join(pki, "ca.crt")) || !existsSync(join(pki, "ca.key"))) {
    throw new Error(`no cluster CA in ${pki}: start "everynode up --data-dir ${dataDir}" (with TLS) there first`);
  }
  await loadClusterCa(pki);
  const tokensPath = join(dir, "tokens.json");
  const tokens = existsSync(tokensPath) ? (JSON.parse(await readFile(tokensPath, "utf8")) as unknown[]) : [];
  const bundle: ClusterBundle = {
    kind: bundleKind, version: 1,
    caCert: await readFile(join(pki, "ca.crt"), "utf8"), caKey: await readFile(join(pki, "ca.key"), "utf8"),
    tokens, adminToken: await adminToken(dir),
  };
  const saKey = serviceAccountKeyPaths(pki).key;
  if (existsSync(saKey)) bundle.serviceAccountKey = await readFile(saKey, "utf8");
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/**
 * Puts the bundle `text` into the data directory `dataDir` (created 0700 if missing): the CA, the tokens it lacks
 * (merged with its own) and, when it has none, an admin kubeconfig with the bundle's admin token (`up` rewrites
 * its server URL). Throws, changing nothing, for a malformed bundle or a directory holding another cluster's CA.
 */
export async function importClusterBundle(dataDir: string, text: string): Promise<ImportResult> {
  const bundle = parseBundle(text);
  try {
    await parseClusterCa(bundle.caCert, bundle.caKey);
  } catch (error) {
    throw new Error(`the cluster bundle's CA certificate and key are not a usable CA: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (bundle.serviceAccountKey !== undefined) {
    try {
      await publicKeyOf(bundle.serviceAccountKey);
    } catch (error) {
      throw new Error(`the cluster bundle's serviceAccountKey is not an ECDSA P-256 private key: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const dir = resolve(dataDir);
  const pki = join(dir, "pki");
  const caCertPath = join(pki, "ca.crt");
  const saKeyPath = serviceAccountKeyPaths(pki).key;
  let caWritten = false;
  if (existsSync(caCertPath)) {
    if ((await readFile(caCertPath, "utf8")).trim() !== bundle.caCert.trim()) {
      throw new Error(`${dir} already belongs to another cluster (its pki/ca.crt is not the bundle's CA): import into an empty data directory`);
    }
  }
  const ownSaKey = existsSync(saKeyPath) ? (await readFile(saKeyPath, "utf8")).trim() : undefined;
  if (bundle.serviceAccountKey !== undefined && ownSaKey !== undefined && ownSaKey !== bundle.serviceAccountKey.trim()) {
    throw new Error(`${saKeyPath} is not the bundle's ServiceAccount signing key: tokens of the cluster would not be accepted here; import into an empty data directory`);
  }
  if (!existsSync(caCertPath)) {
    await mkdir(pki, { recursive: true, mode: 0o700 });
    await writeSecret(join(pki, "ca.key"), bundle.caKey);
    await writeFile(caCertPath, bundle.caCert);
    caWritten = true;
  }
  let serviceAccountKeyWritten = false;
  if (bundle.serviceAccountKey !== undefined && ownSaKey === undefined) {
    await writeSecret(saKeyPath, bundle.serviceAccountKey);
    serviceAccountKeyWritten = true;
  }
  const tokensPath = join(dir, "tokens.json");
  const own = existsSync(tokensPath) ? (JSON.parse(await readFile(tokensPath, "utf8")) as unknown[]) : [];
  const known = new Set(own.map(tokenHash));
  const added = bundle.tokens.filter((t) => !known.has(tokenHash(t)));
  if (added.length > 0 || !existsSync(tokensPath)) await writeSecret(tokensPath, JSON.stringify([...own, ...added], null, 2));
  // The merged file must still load as a token file (the bundle's entries were checked one by one).
  await TokenFile.load(tokensPath);
  const kubeconfigPath = join(dir, "kubeconfig");
  if (bundle.adminToken !== undefined && !existsSync(kubeconfigPath)) {
    await writeSecret(kubeconfigPath, renderKubeconfig({ server: "https://127.0.0.1:6443", caCert: bundle.caCert, token: bundle.adminToken, user: "admin" }));
  }
  return { caWritten, tokensAdded: added.length, serviceAccountKeyWritten };
}

function parseBundle(text: string): ClusterBundle {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new Error(`not a cluster bundle (invalid JSON: ${error instanceof Error ? error.message : String(error)})`);
  }
  const b = doc as Partial<ClusterBundle> | null;
  if (typeof b !== "object" || b === null || b.kind !== bundleKind) throw new Error(`not a cluster bundle (kind is not ${bundleKind}): write one with "everynode pki export"`);
  if (b.version !== 1) throw new Error(`unsupported cluster bundle version ${String(b.version)} (this everynode reads version 1)`);
  if (typeof b.caCert !== "string" || !b.caCert.includes("BEGIN CERTIFICATE")) throw new Error("the cluster bundle has no CA certificate (caCert)");
  if (typeof b.caKey !== "string" || !b.caKey.includes("PRIVATE KEY")) throw new Error("the cluster bundle has no CA key (caKey)");
  if (!Array.isArray(b.tokens) || !b.tokens.every(isTokenEntry)) throw new Error("the cluster bundle's tokens are not a token file's entries");
  if (b.adminToken !== undefined && (typeof b.adminToken !== "string" || b.adminToken === "")) throw new Error("the cluster bundle's adminToken is not a token");
  if (b.serviceAccountKey !== undefined && (typeof b.serviceAccountKey !== "string" || !b.serviceAccountKey.includes("PRIVATE KEY"))) throw new Error("the cluster bundle's serviceAccountKey is not a PEM private key");
  return b as ClusterBundle;
}

function isTokenEntry(value: unknown): boolean {
  const t = value as Record<string, unknown> | null;
  return typeof t === "object" && t !== null && typeof t.name === "string" && typeof t.sha256 === "string"
    && Array.isArray(t.groups) && t.groups.every((g) => typeof g === "string");
}

function tokenHash(value: unknown): string {
  return String((value as { sha256?: unknown }).sha256);
}

/** The bearer token of the admin kubeconfig in `dir`, if there is one. */
async function adminToken(dir: string): Promise<string | undefined> {
  const path = join(dir, "kubeconfig");
  if (!existsSync(path)) return undefined;
  const doc = parse(await readFile(path, "utf8")) as { users?: { user?: { token?: string } }[] } | null;
  const token = doc?.users?.[0]?.user?.token;
  return typeof token === "string" && token !== "" ? token : undefined;
}
