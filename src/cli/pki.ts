import { readFile } from "node:fs/promises";
import { exportClusterBundle, importClusterBundle } from "../server/cluster-bundle.js";
import { writeSecret } from "../server/pki.js";
import { parseArgs, UsageError } from "./flags.js";

/** Usage text of `everynode pki`. */
export const pkiUsage = `Usage: everynode pki export [--data-dir DIR] [--output FILE]
       everynode pki import [--data-dir DIR] FILE

Shares a cluster between API servers on one etcd. "export" writes the cluster bundle of a data directory: the
cluster CA (certificate and key), the token file (hashes) and the admin kubeconfig's token. It is a secret: it
can sign credentials for the whole cluster. "import" puts a bundle into another server's data directory (created
if missing; one holding another cluster's CA is refused); "everynode up --join-bundle FILE" does the same before it
starts. Every server then issues its own serving certificate from the shared CA for its --listen address, and
accepts the same kubeconfigs. Tokens issued later on one server reach the others with another export and import;
client certificates (everynode kubeconfig --client-certificate) are accepted by every server at once.

Flags:
  --data-dir DIR   the data directory (default ./.everynode)
  --output FILE    export: write the bundle to FILE (mode 0600) instead of printing it
`;

/** Runs `everynode pki export|import`; returns the exit code. */
export async function pki(argv: string[], out: (line: string) => void): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { "data-dir": "string", output: "string", help: "boolean" });
  if (flags.help) { out(pkiUsage); return 0; }
  const [action, ...rest] = positionals;
  const dataDir = String(flags["data-dir"] ?? ".everynode");
  if (action === "export") {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ""}"`);
    const bundle = await exportClusterBundle(dataDir);
    if (typeof flags.output === "string") {
      await writeSecret(flags.output, bundle);
      out(`cluster bundle of ${dataDir} written to ${flags.output} (it holds the CA key: keep it secret)`);
    } else {
      out(bundle.trimEnd());
    }
    return 0;
  }
  if (action === "import") {
    if (flags.output !== undefined) throw new UsageError("--output is a flag of pki export");
    const [file, ...extra] = rest;
    if (file === undefined) throw new UsageError("pki import needs the bundle FILE");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ""}"`);
    out(importLine(dataDir, await importClusterBundle(dataDir, await readFile(file, "utf8"))));
    return 0;
  }
  throw new UsageError(action === undefined ? "pki needs an action: export or import" : `unknown pki action "${action}": export or import`);
}

/** The line reporting an import into `dataDir`. */
export function importLine(dataDir: string, result: { caWritten: boolean; tokensAdded: number }): string {
  return `cluster bundle imported into ${dataDir}: ${result.caWritten ? "cluster CA written" : "same cluster CA already there"}, ${result.tokensAdded} token(s) added`;
}
