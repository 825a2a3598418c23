/** The container runtime interface of the agent: start, signal, wait for and re-adopt containers; exec into them. */
import type { ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";

/** How one container instance is to be started (everything resolved: argv, env, user, mounts). */
export interface ContainerLaunch {
  podUID: string;
  podNamespace: string;
  podName: string;
  containerName: string;
  /** The instance number (the container's restartCount when it starts). */
  attempt: number;
  /** argv; argv[0] is looked up on PATH. */
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  uid?: number;
  gid?: number;
  /** Volumes: a host directory seen at `containerPath` by the container. */
  mounts: { hostPath: string; containerPath: string; readOnly: boolean }[];
  /** Give the container a standard input that attached clients write to (otherwise it reads /dev/null). */
  stdin?: boolean;
  /** Run the container on a terminal of its own (its output then all arrives on stdout). */
  tty?: boolean;
  /** Receives the container's output, stream by stream, in the order it arrives. */
  onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/** How a container instance ended. */
export interface ContainerExit {
  exitCode: number;
  /** Epoch ms. */
  finishedAt: number;
  /** Set when the exit code could not be read (the instance vanished): `ContainerStatusUnknown`. */
  unknown?: boolean;
}

/** A running (or finished) container instance. */
export interface ContainerHandle {
  /** `<runtime>://<id>`, the containerID of the status. */
  readonly id: string;
  readonly podUID: string;
  readonly containerName: string;
  readonly attempt: number;
  /** Epoch ms. */
  readonly startedAt: number;
  /** The container's main process id on the host. */
  readonly pid: number;
  /** Resolves once the instance has exited. */
  readonly exited: Promise<ContainerExit>;
  /** Sends a signal to every process of the instance. */
  signal(signal: "SIGTERM" | "SIGKILL"): void;
  /**
   * A writer of the instance's standard input, for one attached client (ending it does not end the container's
   * input); undefined when the container has no stdin or it was closed for good.
   */
  openStdin?(): Writable | undefined;
  /** Closes the instance's standard input for good: the container reads its end (`stdinOnce`). */
  closeStdin?(): void;
  /** Sets the size of the instance's terminal (a no-op without one); `onError` receives a size that could not be set. */
  resize?(width: number, height: number, onError: (error: unknown) => void): void;
  /** The argv that runs `argv` in the instance's context (its mount namespace: volumes at their mount paths), for exec probes and hooks. */
  execArgv?(argv: readonly string[]): string[];
}

/** A command run inside a running container's context (`kubectl exec`). */
export interface ExecRequest {
  argv: string[];
  /** The container's environment (PATH defaults as for the container). */
  env: Record<string, string>;
  workingDir?: string;
  uid?: number;
  gid?: number;
  /** The target container's main process (for joining its namespaces). */
  pid: number;
  /** Give the command a stdin pipe (otherwise it reads /dev/null). */
  stdin: boolean;
  /** Run the command on a terminal of its own (its output and echo then all arrive on stdout). */
  tty: boolean;
  /** The terminal's initial size (default 80x24). */
  size?: { width: number; height: number };
  /** Receives faults of the running exec (a terminal that could not be resized). */
  onError: (error: unknown) => void;
}

/** A started exec. */
export interface ExecProcess {
  /** The process the runtime started (stdout and stderr piped; stdin too when asked for). */
  child: ChildProcess;
  /** Sets the terminal's size (a no-op without one). */
  resize(width: number, height: number): void;
  /** Kills every process of the exec (its process group, and with a terminal the command's session). */
  kill(): void;
}

/** The command of an exec cannot be started (`exec: "x": executable file not found in $PATH`). */
export class ExecStartError extends Error {}

/** Which container instance a re-adopted handle is. */
export type AdoptedInstance = Pick<ContainerLaunch, "podUID" | "podNamespace" | "podName" | "containerName" | "attempt">;

/** What an agent needs of a container runtime. */
export interface Runtime {
  /** `<type>://<version>` for nodeInfo.containerRuntimeVersion. */
  readonly version: string;
  /** Why this runtime cannot run containers on this machine; undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Why a container with this image/command cannot run here (CreateContainerError message), or undefined. */
  cannotRun(command: readonly string[] | undefined): string | undefined;
  /** Why the image of a container is not run (a Normal `ImageNotUsed` event as it starts); undefined when it is. */
  imageNotUsed?(image: string): string | undefined;
  /** Starts one container instance; throws with a message fit for a CreateContainerError/RunContainerError. */
  start(launch: ContainerLaunch): Promise<ContainerHandle>;
  /**
   * Lets go of the running instances as the agent stops: stops reading their output and watching them, so the
   * agent's process can end while they keep running (the next agent re-adopts them).
   */
  detach(): void;
  /** The instances still running from an earlier agent on the same data directory, re-attached to their output. */
  adopt(onOutput: (instance: AdoptedInstance) => ContainerLaunch["onOutput"]): Promise<ContainerHandle[]>;
  /** Starts `request` in its own process group; throws ExecStartError when the command cannot be started there. */
  exec(request: ExecRequest): ExecProcess;
  /** Forgets everything kept for a pod (after all its instances exited). */
  removePod(podUID: string): Promise<void>;
}
