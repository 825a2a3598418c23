import { existsSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { nodeUser } from "../apiserver/http/authz-node.js";
import { isDNS1123Subdomain } from "../api/validation/names.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { renderKubeconfig } from "./kubeconfig.js";
import { TokenFile } from "./tokens.js";

/** What a node credential is issued for. */
export interface NodeCredentialOptions {
  /** The data directory of the control plane (`everynode up --data-dir`). */
  dataDir: string;
  /** The node the credential acts as. */
  nodeName: string;
  /** Server URL written into the kubeconfig; default the one of the admin kubeconfig in `dataDir`. */
  server?: string;
}

/**
 * Issues a bearer token for node `nodeName` (user `system:node:<name>`, group `system:nodes`) into the data
 * directory's token file (a running server picks it up on first use) and returns a kubeconfig that uses it.
 * Throws an Error for an invalid node name or when no server URL is known.
 */
export async function issueNodeKubeconfig(options: NodeCredentialOptions): Promise<string> {
  const problems = isDNS1123Subdomain(options.nodeName);
  if (problems.length > 0) throw new Error(`invalid node name "${options.nodeName}": ${problems.join("; ")}`);
  const dataDir = resolve(options.dataDir);
  const admin = join(dataDir, "kubeconfig");
  const cluster = existsSync(admin) ? await loadKubeconfig(admin) : undefined;
  const server = options.server ?? cluster?.server;
  if (!server) throw new Error(`no server URL: ${admin} does not exist (start "everynode up --data-dir ${options.dataDir}" first) and --server was not given`);
  const caPath = join(dataDir, "pki", "ca.crt");
  const caCert = cluster?.caCert ?? (existsSync(caPath) ? await readFile(caPath, "utf8") : undefined);

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const user = nodeUser(options.nodeName);
  const tokens = await TokenFile.load(join(dataDir, "tokens.json"));
  const token = await tokens.issue(user);
  return renderKubeconfig({ server, caCert: server.startsWith("https:") ? caCert : undefined, token, user: user.name });
}
