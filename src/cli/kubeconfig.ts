import { issueKubeconfig, issueNodeKubeconfig } from "../server/node-credentials.js";
import { writeSecret } from "../server/pki.js";
import { parseArgs, UsageError } from "./flags.js";

/** Usage text of `everynode kubeconfig`. */
export const kubeconfigUsage = `Usage: everynode kubeconfig (--node NAME | --user NAME [--group G1,G2]) [flags]

Issues a credential and prints a kubeconfig using it. With --node NAME the credential acts as that node (user
system:node:NAME, group system:nodes): it may read nodes and the pods bound to it, and write only its own Node, its
Lease in kube-node-lease, the status of its pods and events. With --user NAME it acts as that user in the given
groups (members of system:masters may do everything; other users are authorized nothing yet).

The credential is a bearer token (a running "everynode up" on the same data directory accepts it at once), or with
--client-certificate an x509 client certificate signed by the cluster CA (subject CN = user, O = groups; valid for
--days), accepted as kube-apiserver accepts client certificates. Several servers of one cluster (on etcd, sharing
the CA through "everynode pki") accept a client certificate at once; a token only once they have the token file
that holds it (export and import the cluster bundle again).

Flags:
  --node NAME            the node the credential acts as
  --user NAME            the user the credential acts as (instead of --node)
  --group G1,G2          with --user: the groups of the user (comma-separated)
  --client-certificate   issue a client certificate and key instead of a token
  --days N               with --client-certificate: validity in days (default 365)
  --data-dir DIR         the control plane's data directory (default ./.everynode)
  --server URL[,URL...]  server URL in the kubeconfig (default: the one in DIR/kubeconfig); several servers of one
                         cluster (on etcd) give one cluster and context each: everynode-1, everynode-2, ...
  --output FILE          write the kubeconfig to FILE (mode 0600) instead of printing it
`;

/** Runs `everynode kubeconfig`; returns the exit code. */
export async function kubeconfig(argv: string[], out: (line: string) => void): Promise<number> {
  const { flags, positionals } = parseArgs(argv, {
    node: "string", user: "string", group: "string", "client-certificate": "boolean", days: "number",
    "data-dir": "string", server: "string", output: "string", help: "boolean",
  });
  if (flags.help) { out(kubeconfigUsage); return 0; }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
  const node = typeof flags.node === "string" ? flags.node : undefined;
  const user = typeof flags.user === "string" ? flags.user : undefined;
  if ((node === undefined) === (user === undefined)) throw new UsageError(node === undefined ? "--node is required" : "--node and --user exclude each other");
  if (flags.group !== undefined && user === undefined) throw new UsageError("--group needs --user");
  const common = {
    dataDir: String(flags["data-dir"] ?? ".everynode"),
    server: typeof flags.server === "string" ? serverList(flags.server) : undefined,
    clientCertificate: flags["client-certificate"] === true,
    certificateDays: typeof flags.days === "number" ? flags.days : undefined,
  };
  const groups = typeof flags.group === "string" ? flags.group.split(",").map((g) => g.trim()).filter((g) => g !== "") : [];
  const text = node !== undefined
    ? await issueNodeKubeconfig({ ...common, nodeName: node })
    : await issueKubeconfig({ ...common, user: { name: user ?? "", groups } });
  const who = node !== undefined ? `node "${node}"` : `user "${user ?? ""}"`;
  if (typeof flags.output === "string") {
    await writeSecret(flags.output, text);
    out(`kubeconfig for ${who} written to ${flags.output}`);
  } else {
    out(text.trimEnd());
  }
  return 0;
}

/** The URLs of a --server value (comma-separated); a UsageError for an empty one or one that is not http(s). */
function serverList(value: string): string[] {
  const urls = value.split(",").map((u) => u.trim());
  for (const url of urls) {
    if (!/^https?:\/\/[^/\s]+/.test(url)) throw new UsageError(`invalid value "${url}" in --server: must be a URL such as https://10.0.0.1:6443`);
  }
  return urls;
}
