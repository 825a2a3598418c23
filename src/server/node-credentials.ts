import { existsSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { JsonName } from "@peculiar/x509";
import type { UserInfo } from "../apiserver/http/auth.js";
import { nodeUser } from "../apiserver/http/authz-node.js";
import { isDNS1123Subdomain } from "../api/validation/names.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { renderKubeconfig } from "./kubeconfig.js";
import { clientAuthUsage, issueCertificate, loadClusterCa } from "./pki.js";
import { TokenFile } from "./tokens.js";

/** What a credential is issued for. */
export interface CredentialOptions {
  /** The data directory of the control plane (`everynode up --data-dir`). */
  dataDir: string;
  /** Who the credential authenticates as. */
  user: UserInfo;
  /**
   * Server URL written into the kubeconfig, or the URLs of several servers of the cluster (one cluster and context
   * each); default the one of the admin kubeconfig in `dataDir`.
   */
  server?: string | readonly string[];
  /**
   * Issue a client certificate (CN = user, O = groups, signed by the cluster CA, valid `certificateDays`) instead of a
   * bearer token. Needs the data directory's PKI (an HTTPS server).
   */
  clientCertificate?: boolean;
  /** Lifetime of a client certificate in days (default 365). */
  certificateDays?: number;
}

/** What a node credential is issued for (see CredentialOptions; the user is `system:node:<nodeName>`). */
export interface NodeCredentialOptions extends Omit<CredentialOptions, "user"> {
  /** The node the credential acts as. */
  nodeName: string;
}

/**
 * Issues a credential for node `nodeName` (user `system:node:<name>`, group `system:nodes`) and returns a kubeconfig
 * that uses it. Throws an Error for an invalid node name or when no server URL is known.
 */
export async function issueNodeKubeconfig(options: NodeCredentialOptions): Promise<string> {
  const problems = isDNS1123Subdomain(options.nodeName);
  if (problems.length > 0) throw new Error(`invalid node name "${options.nodeName}": ${problems.join("; ")}`);
  return issueKubeconfig({ ...options, user: nodeUser(options.nodeName) });
}

/**
 * Issues a credential for `options.user` and returns a kubeconfig that uses it: a bearer token added to the data
 * directory's token file (a running server picks it up on first use), or a client certificate signed by the cluster
 * CA (accepted by any server of that CA at once). Throws an Error when no server URL is known, or a certificate is
 * asked for without the CA.
 */
export async function issueKubeconfig(options: CredentialOptions): Promise<string> {
  if (!options.user.name) throw new Error("the user name must not be empty");
  const dataDir = resolve(options.dataDir);
  const admin = join(dataDir, "kubeconfig");
  const cluster = existsSync(admin) ? await loadKubeconfig(admin) : undefined;
  const given = typeof options.server === "string" ? [options.server] : [...(options.server ?? [])];
  const servers = given.length > 0 ? given : cluster?.server ? [cluster.server] : [];
  if (servers.length === 0) throw new Error(`no server URL: ${admin} does not exist (start "everynode up --data-dir ${options.dataDir}" first) and --server was not given`);
  const pkiDir = join(dataDir, "pki");
  const caPath = join(pkiDir, "ca.crt");
  const caCert = cluster?.caCert ?? (existsSync(caPath) ? await readFile(caPath, "utf8") : undefined);
  const common = { server: servers, caCert, user: options.user.name };

  if (options.clientCertificate) {
    const plain = servers.find((s) => !s.startsWith("https:"));
    if (plain !== undefined) throw new Error(`client certificates need an HTTPS server, not ${plain}`);
    if (!existsSync(join(pkiDir, "ca.key"))) throw new Error(`no cluster CA key in ${pkiDir} (start "everynode up --data-dir ${options.dataDir}" first)`);
    const ca = await loadClusterCa(pkiDir);
    const subject: JsonName = [{ CN: [options.user.name] }, ...options.user.groups.map((g) => ({ O: [g] }))];
    const issued = await issueCertificate(ca, { subject, lifetimeDays: options.certificateDays ?? 365, usage: clientAuthUsage });
    return renderKubeconfig({ ...common, caCert: ca.certPem, clientCert: issued.cert, clientKey: issued.key });
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const tokens = await TokenFile.load(join(dataDir, "tokens.json"));
  const token = await tokens.issue(options.user);
  return renderKubeconfig({ ...common, token });
}
