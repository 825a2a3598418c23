/** The container runtime interface of the agent: start, signal, wait for and re-adopt containers. */

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
  /** The argv that runs `argv` in the instance's context (its mount namespace: volumes at their mount paths), for exec probes and hooks. */
  execArgv?(argv: readonly string[]): string[];
}

/** A command run inside a container's context (exec probes, preStop hooks, kubectl exec). */
export interface ExecRequest {
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  uid?: number;
  gid?: number;
  /** The target container's main process (for joining its namespaces). */
  pid: number;
}

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
  /** Starts one container instance; throws with a message fit for a CreateContainerError/RunContainerError. */
  start(launch: ContainerLaunch): Promise<ContainerHandle>;
  /** The instances still running from an earlier agent on the same data directory, re-attached to their output. */
  adopt(onOutput: (instance: AdoptedInstance) => ContainerLaunch["onOutput"]): Promise<ContainerHandle[]>;
  /** Forgets everything kept for a pod (after all its instances exited). */
  removePod(podUID: string): Promise<void>;
}
