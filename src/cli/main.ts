import { agent, agentUsage } from "./agent.js";
import { controllerManager, controllerManagerUsage } from "./controller-manager.js";
import { kubeconfig, kubeconfigUsage } from "./kubeconfig.js";
import { up, upUsage } from "./up.js";

const usage = `everynode — run one pod on every node, driven by kubectl

Usage: everynode <command> [flags]

Commands:
  up                   start the control plane: API server on embedded SQLite, controllers, simulated nodes
  controller-manager   run the controllers and the scheduler against any API server
  kubeconfig           issue a node credential and print a kubeconfig for it
  agent                join this machine as a node and run the pods bound to it
  version              print the version
  help                 print this help

${upUsage}
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
      case "controller-manager":
        return await controllerManager(rest, out);
      case "kubeconfig":
        return await kubeconfig(rest, out);
      case "agent":
        return await agent(rest, out);
      case "version":
        out("everynode 0.1.0 (Kubernetes API v1.32)");
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
    return 1;
  }
}
