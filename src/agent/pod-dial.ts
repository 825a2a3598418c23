/** Connecting to a port of a pod that shares the host's network. */
import { connect, type Socket } from "node:net";

/** Go's wording of a connect error (what kubectl users read from the kubelet), e.g. `connect: connection refused`. */
export function dialErrorText(network: "tcp4" | "tcp6", host: string, port: number, err: NodeJS.ErrnoException): string {
  const where = `dial ${network} ${network === "tcp6" ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case "ECONNREFUSED": return `${where}: connect: connection refused`;
    case "EADDRNOTAVAIL": return `${where}: connect: cannot assign requested address`;
    case "ENETUNREACH": return `${where}: connect: network is unreachable`;
    case "ETIMEDOUT": return `${where}: i/o timeout`;
    default: return `${where}: ${err.message}`;
  }
}

function dial(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const fail = (err: Error): void => { socket.destroy(); reject(err); };
    socket.once("connect", () => { socket.setTimeout(0); socket.off("error", fail); resolve(socket); });
    socket.once("error", fail);
    socket.once("timeout", () => fail(Object.assign(new Error("i/o timeout"), { code: "ETIMEDOUT" })));
  });
}

/**
 * Connects to `port` on the host's loopback, IPv4 first and then IPv6, as the kubelet's runtimes connect to
 * `localhost` in a pod's network; rejects with both failures in one message.
 */
export async function dialHostPort(port: number, timeoutMs = 10_000): Promise<Socket> {
  try {
    return await dial("127.0.0.1", port, timeoutMs);
  } catch (v4) {
    try {
      return await dial("::1", port, timeoutMs);
    } catch (v6) {
      throw new Error(`failed to connect to localhost:${port} in the pod's network, IPv4: ${dialErrorText("tcp4", "127.0.0.1", port, v4 as NodeJS.ErrnoException)} IPv6: ${dialErrorText("tcp6", "::1", port, v6 as NodeJS.ErrnoException)}`);
    }
  }
}
