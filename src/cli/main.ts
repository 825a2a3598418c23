import { agent, agentUsage } from "./agent.js";
import { controllerManager, controllerManagerUsage } from "./controller-manager.js";
import { kubeconfig, kubeconfigUsage } from "./kubeconfig.js";
import { readFileSync } from "node:fs";
import { UsageError } from "./flags.js";
import { plan, planUsage } from "./plan.js";
import { up, upUsage } from "./up.js";

/** The version line `everynode --version` prints: the package's version and the Kubernetes API it serves. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return `everynode ${pkg.version ?? "unknown"} (Kubernetes API v1.32)`;
}

const usage = `everynode — run one pod on every node, driven by kubectl

Usage: everynode <command> [flags]

Commands:
  up                   start the control plane: API server on embedded SQLite, controllers, simulated nodes
  plan                 tell what applying a DaemonSet manifest would do, before it is applied
  controller-manager   run the controllers and the scheduler against any API server
  kubeconfig           issue a node credential and print a kubeconfig for it
  agent                join this machine as a node and run the pods bound to it
  version              print the version (also --version, -v)
  help                 print this help (also --help, -h)

${upUsage}
${planUsage}
${controllerManagerUsage}
${kubeconfigUsage}
${agentUsage}`;

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string): void => { process.stdout.write(`${line}\n`); };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "up":
        return await up(rest, out, process.stdout);
      case "plan":
        return await plan(rest, out, { env: process.env, readStdin, now: () => Date.now() });
      case "controller-manager":
        return await controllerManager(rest, out);
      case "kubeconfig":
        return await kubeconfig(rest, out);
      case "agent":
        return await agent(rest, out);
      case "version":
      case "--version":
      case "-v":
        out(versionLine());
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(usage);
        return 0;
      default:
        process.stderr.write(`unknown command "${command}"\n\n${usage}\n`);
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
