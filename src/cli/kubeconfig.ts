import { issueNodeKubeconfig } from "../server/node-credentials.js";
import { writeSecret } from "../server/pki.js";
import { parseArgs, UsageError } from "./flags.js";

/** Usage text of `everynode kubeconfig`. */
export const kubeconfigUsage = `Usage: everynode kubeconfig --node NAME [flags]

Issues a credential for one node (user system:node:NAME, group system:nodes) and prints a kubeconfig using it.
The node may read nodes and the pods bound to it, and write only its own Node, its Lease in kube-node-lease,
the status of its pods and events. A running "everynode up" on the same data directory accepts it at once.

Flags:
  --node NAME        the node the credential acts as (required)
  --data-dir DIR     the control plane's data directory (default ./.everynode)
  --server URL       server URL in the kubeconfig (default: the one in DIR/kubeconfig)
  --output FILE      write the kubeconfig to FILE (mode 0600) instead of printing it
`;

/** Runs `everynode kubeconfig`; returns the exit code. */
export async function kubeconfig(argv: string[], out: (line: string) => void): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { node: "string", "data-dir": "string", server: "string", output: "string", help: "boolean" });
  if (flags.help) { out(kubeconfigUsage); return 0; }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
  if (typeof flags.node !== "string") throw new UsageError("--node is required");
  const text = await issueNodeKubeconfig({
    dataDir: String(flags["data-dir"] ?? ".everynode"),
    nodeName: flags.node,
    server: typeof flags.server === "string" ? flags.server : undefined,
  });
  if (typeof flags.output === "string") {
    await writeSecret(flags.output, text);
    out(`kubeconfig for node "${flags.node}" written to ${flags.output}`);
  } else {
    out(text.trimEnd());
  }
  return 0;
}
