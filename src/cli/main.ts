import { readFileSync } from "node:fs";
import { UsageError } from "./flags.js";

/** The version line `everynode --version` prints: the package's version and the Kubernetes API it serves. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return `everynode ${pkg.version ?? "unknown"} (Kubernetes API v1.32)`;
}

/** The full help text; loads every command's module (each command alone loads only its own, see `main`). */
async function usage(): Promise<string> {
  const [{ upUsage }, { controllerManagerUsage }, { kubeconfigUsage }, { pkiUsage }, { agentUsage }, { planUsage }, { rolloutUsage }] = await Promise.all([
    import("./up.js"), import("./controller-manager.js"), import("./kubeconfig.js"), import("./pki.js"), import("./agent.js"), import("./plan.js"), import("./rollout.js"),
  ]);
  return `everynode — run one pod on every node, driven by kubectl

Usage: everynode <command> [flags]

Commands:
  up                   start the control plane: API server on embedded SQLite, controllers, simulated nodes
  controller-manager   run the controllers and the scheduler against any API server
  kubeconfig           issue a node credential and print a kubeconfig for it
  pki                  export a cluster's CA and tokens, or import them into another server's data directory
  agent                join this machine as a node and run the pods bound to it
  plan                 tell what applying a DaemonSet manifest would do, before it is applied
  rollout              pause, resume, promote or report the rollout of a DaemonSet
  version              print the version (also --version, -v)
  help                 print this help (also --help, -h)

${upUsage}
${controllerManagerUsage}
${kubeconfigUsage}
${pkiUsage}
${agentUsage}
${planUsage}
${rolloutUsage}`;
}

/**
 * Runs the CLI with `argv` (without node and script); resolves to the process exit code. Each command's module is
 * imported only when that command runs, so `everynode agent` does not load the control plane.
 */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string): void => { process.stdout.write(`${line}\n`); };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "up":
        return await (await import("./up.js")).up(rest, out, process.stdout);
      case "controller-manager":
        return await (await import("./controller-manager.js")).controllerManager(rest, out);
      case "kubeconfig":
        return await (await import("./kubeconfig.js")).kubeconfig(rest, out);
      case "pki":
        return await (await import("./pki.js")).pki(rest, out);
      case "agent":
        return await (await import("./agent.js")).agent(rest, out);
      case "plan":
        return await (await import("./plan.js")).plan(rest, out, { env: process.env, readStdin, now: () => Date.now() });
      case "rollout":
        return await (await import("./rollout.js")).rollout(rest, { out, envKubeconfig: process.env.KUBECONFIG });
      case "version":
      case "--version":
      case "-v":
        out(versionLine());
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(await usage());
        return 0;
      default:
        process.stderr.write(`unknown command "${command}"\n\n${await usage()}\n`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) {
      process.stderr.write(`run "everynode ${command ?? ""} --help" for usage\n`);
      return 2;
    }
    return 1;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
