/**
 * The `podman` runtime: OCI images through podman. At start-up it proves that podman can run a container on this
 * machine (a trial `podman run --rootfs /` of `true`, which needs no image or registry) and reports why not when it
 * cannot; starting containers from images is not implemented yet, so every start reports that plainly.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ExecStartError, type ContainerHandle, type ExecProcess, type Runtime } from "./runtime.js";

const run = promisify(execFile);

/** Options of a PodmanRuntime. */
export interface PodmanRuntimeOptions {
  /** The podman binary (default `podman`). */
  binary?: string;
}

/** Containers through Debian's podman. */
export class PodmanRuntime implements Runtime {
  version = "podman://unknown";

  /** Creates the runtime; nothing is checked before `unavailable`. */
  constructor(private readonly options: PodmanRuntimeOptions = {}) {}

  detach(): void {
    // Nothing to let go of: containers this runtime starts are podman's, not this process's.
  }

  async unavailable(): Promise<string | undefined> {
    const podman = this.options.binary ?? "podman";
    try {
      const { stdout } = await run(podman, ["version", "--format", "{{.Client.Version}}"], { timeout: 30_000 });
      this.version = `podman://${stdout.trim()}`;
    } catch (err) {
      return `podman is not usable: ${firstLine(err)}`;
    }
    try {
      await run(podman, ["run", "--rm", "--network", "none", "--rootfs", "/", "true"], { timeout: 60_000 });
    } catch (err) {
      return `podman cannot run a container on this machine: ${firstLine(err)}`;
    }
    return "running pods from OCI images through podman is not implemented yet; use --runtime process";
  }

  cannotRun(): string | undefined {
    return "the podman runtime cannot start containers yet";
  }

  start(): Promise<ContainerHandle> {
    return Promise.reject(new Error("the podman runtime cannot start containers yet"));
  }

  adopt(): Promise<ContainerHandle[]> {
    return Promise.resolve([]);
  }

  exec(): ExecProcess {
    throw new ExecStartError("the podman runtime cannot exec into containers yet");
  }

  removePod(): Promise<void> {
    return Promise.resolve();
  }
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = (e.stderr?.trim() || e.message || String(err)).split("\n").filter(Boolean);
  return text[text.length - 1] ?? "unknown error";
}
