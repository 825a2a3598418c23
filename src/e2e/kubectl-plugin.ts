/** The `kubectl-everynode` plugin as a user has it: linked into a bin directory the way npm installs the package's bins. */
import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kubectlPath, type KubectlResult, type TestCluster } from "./harness.js";

/** The package's plugin entry point (package.json `bin.kubectl-everynode`). */
export const kubectlPluginEntry = fileURLToPath(new URL("../../bin/kubectl-everynode.js", import.meta.url));

/** kubectl with the plugin's bin directory on its PATH. */
export interface KubectlWithPlugin {
  /** Runs /usr/bin/kubectl with `args` (`input` on stdin) in the cluster's isolated HOME/KUBECONFIG; never throws on exit codes. */
  run(args: string[], input?: string): Promise<KubectlResult>;
  /** Removes the bin directory. */
  remove(): Promise<void>;
}

/** Links `kubectl-everynode` into a fresh bin directory (as npm does into node_modules/.bin) for kubectl to find on PATH. */
export async function withKubectlPlugin(c: TestCluster): Promise<KubectlWithPlugin> {
  const binDir = await mkdtemp(join(tmpdir(), "everynode-plugin-"));
  await symlink(kubectlPluginEntry, join(binDir, "kubectl-everynode"));
  const env = {
    PATH: [binDir, dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(delimiter),
    HOME: c.home, KUBECONFIG: c.kubeconfigPath, KUBECACHEDIR: join(c.home, "cache"),
  };
  return {
    run: (args, input) => new Promise((resolve) => {
      const child = execFile(kubectlPath, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin?.end(input);
    }),
    remove: () => rm(binDir, { recursive: true, force: true }),
  };
}
