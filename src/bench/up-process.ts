import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/everynode.js", import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A running `everynode up` (started by a benchmark, which ends it). */
export class UpProcess {
  private constructor(private readonly child: ChildProcess, private readonly exited: Promise<void>, private readonly out: () => string) {}

  /** Spawns `everynode up` and resolves once it prints the kubeconfig hint. */
  static async start(dataDir: string, args: string[], timeoutMs: number): Promise<UpProcess> {
    const child = spawn(process.execPath, [bin, "up", "--data-dir", dataDir, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr?.on("data", (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let gone = false;
    void exited.then(() => { gone = true; });
    const deadline = Date.now() + timeoutMs;
    while (!/export KUBECONFIG=/.test(out)) {
      if (gone) throw new Error(`everynode up exited early:\n${out}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`everynode up did not start within ${timeoutMs} ms:\n${out}`);
      }
      await sleep(20);
    }
    return new UpProcess(child, exited, () => out);
  }

  /** Everything the process printed so far. */
  output(): string {
    return this.out();
  }

  /** The process id (for reading its memory from /proc). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** kill -9, and wait for the process to be gone. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM (clean shutdown), and wait. */
  async stop(): Promise<void> {
    this.child.kill("SIGTERM");
    await this.exited;
  }
}
