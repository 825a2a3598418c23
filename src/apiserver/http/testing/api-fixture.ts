import { bootstrapCluster, Registry } from "../../registry/index.js";
import { MemoryBackend } from "../../../storage/memory-backend.js";
import type { ApiHandlerOptions } from "../server.js";
import { serveApi } from "./serve.js";

/** The API served over the real Registry on a MemoryBackend, system namespaces created. */
export interface TestApi {
  url: string;
  registry: Registry;
  /** fetch relative to the server, JSON bodies stringified, Content-Type JSON unless given. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a Registry + MemoryBackend and the HTTP handler over it on loopback. */
export async function startTestApi(options: { registry?: { bookmarkIntervalMs?: number; watchBufferSize?: number }; handler?: Partial<ApiHandlerOptions> } = {}): Promise<TestApi> {
  const backend = new MemoryBackend();
  const registry = new Registry({ backend, ...options.registry });
  const abort = new AbortController();
  await registry.start(abort.signal);
  await bootstrapCluster(registry);
  const server = await serveApi({ client: registry, ...options.handler });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    return fetch(`${server.url}${path}`, init);
  };
  return {
    url: server.url,
    registry,
    call,
    close: async () => {
      await server.close();
      abort.abort();
      registry.close();
      await backend.close();
    },
  };
}

/** A valid DaemonSet manifest named `name` selecting `app=<app>`. */
export function daemonSet(name: string, app = "x"): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, labels: { app } },
    spec: {
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: "main", image: "nginx" }] } },
    },
  };
}

/** Reads a watch response line by line. */
export class LineReader {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(res: Response) {
    if (!res.body) throw new Error("response has no body");
    this.reader = res.body.getReader();
  }

  /** The next line parsed as JSON; undefined at the end of the stream. */
  async next(): Promise<Record<string, any> | undefined> {
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        return JSON.parse(line) as Record<string, any>;
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Stops reading (closing the connection). */
  async cancel(): Promise<void> {
    await this.reader.cancel();
  }
}
