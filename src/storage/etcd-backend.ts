/**
 * The Backend contract on etcd v3: resourceVersion is etcd's revision, create is a Txn on create_revision == 0,
 * update and delete are Txns comparing mod_revision, lists read one revision with limit and a start key,
 * watches stream from a revision, and compaction is etcd's own. Every key is stored under `prefix`.
 */
import { setMaxListeners } from "node:events";
import { ExponentialBackoff, handleWhen, noop, retry } from "cockatiel";
import { Etcd3, GRPCOutOfRangeError, ClientClosedError, isRecoverableError, type ICompare, type IKeyValue, type ITxnResponse } from "etcd3";
import {
  ClosedError, CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError,
  type Backend, type KeyValue, type ListOptions, type ListResult, type WatchEvent, type WatchOptions, type WriteResult,
} from "./backend.js";
import { etcdWatch, toKeyValue, unavailable } from "./etcd-watch.js";

/** TLS material for talking to etcd (PEM contents). */
export interface EtcdTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Where and how to reach etcd. */
export interface EtcdBackendOptions {
  /** Client endpoints, `host:port` each. */
  endpoints: string[];
  /** Prepended to every key in etcd (default none). */
  prefix?: string;
  /** TLS to etcd; plain HTTP/2 when absent. */
  tls?: EtcdTls;
  /** A call etcd does not answer within this many ms fails with StoreUnavailableError (default 10 s). */
  requestTimeoutMs?: number;
}

/** A Backend keeping its keys in etcd; several processes may share one etcd (and one prefix). */
export class EtcdBackend implements Backend {
  private readonly client: Etcd3;
  private readonly prefix: Buffer;
  private closed = false;
  /** Aborted by close(): open watches deliver what was committed before, then end. */
  private readonly draining = new AbortController();
  private readonly watches = new Set<Promise<void>>();
  /** A revision history is known to be compacted to (a lower bound; other processes may compact further). */
  private knownCompacted = 0;

  constructor(options: EtcdBackendOptions) {
    if (options.endpoints.length === 0) throw new Error("etcd backend needs at least one endpoint");
    const scheme = options.tls !== undefined ? "https" : "http";
    const timeout = options.requestTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: options.endpoints.map((e) => `${scheme}://${e}`),
      dialTimeout: timeout,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
      // A call that could not reach one member is tried on the others, a few rounds with short pauses (a member
      // restarted a moment ago may still be reconnecting); no member is shut out for a while after failures (the
      // client's default circuit breaker), and a lost connection is retried within a second, so a member that is
      // back serves again at once.
      faultHandling: {
        host: () => noop,
        global: retry(handleWhen(isRecoverableError), {
          maxAttempts: Math.max(3, 2 * options.endpoints.length), backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
        }),
      },
      // Whole-prefix reads (a watch cache priming its events or pods) exceed gRPC's default 4 MiB answer limit:
      // accept any size, as kube-apiserver's etcd client does.
      grpcOptions: { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1000, "grpc.max_receive_message_length": 2 ** 31 - 1 },
      ...(options.tls !== undefined
        ? { credentials: { rootCertificate: options.tls.ca, privateKey: options.tls.key, certChain: options.tls.cert } }
        : {}),
    });
    this.prefix = Buffer.from(options.prefix ?? "", "utf8");
    setMaxListeners(0, this.draining.signal);
  }

  async currentRevision(): Promise<number> {
    const response = await this.call(() => this.client.kv.range({ key: this.encode(""), count_only: true }));
    return Number(response.header.revision);
  }

  async get(key: string, revision?: number): Promise<{ revision: number; kv: KeyValue | undefined }> {
    const response = await this.read(revision, () => this.client.kv.range({ key: this.encode(key), revision: revision ?? 0 }));
    const found = response.kvs[0];
    return { revision: readAt(revision, response.header.revision), kv: found !== undefined ? this.decode(found) : undefined };
  }

  async create(key: string, value: string): Promise<WriteResult> {
    const k = this.encode(key);
    const response = await this.txn([{ key: k, target: "Create", result: "Equal", create_revision: 0 }],
      { request_put: { key: k, value: Buffer.from(value, "utf8") } });
    if (!response.succeeded) throw new KeyExistsError(key);
    const revision = Number(response.header.revision);
    return { revision, kv: { key, value, createRevision: revision, modRevision: revision } };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    const k = this.encode(key);
    const response = await this.txn(this.expect(k, expectedModRevision),
      { request_put: { key: k, value: Buffer.from(value, "utf8"), prev_kv: true } });
    if (!response.succeeded) throw this.failure(key, response);
    const revision = Number(response.header.revision);
    const previous = response.responses[0]?.response_put.prev_kv;
    if (!previous) throw new Error(`etcd returned no previous value for the update of ${key}`);
    return { revision, kv: { key, value, createRevision: Number(previous.create_revision), modRevision: revision } };
  }

  async delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    const k = this.encode(key);
    const response = await this.txn(this.expect(k, expectedModRevision),
      { request_delete_range: { key: k, prev_kv: true } });
    if (!response.succeeded) throw this.failure(key, response);
    const previous = response.responses[0]?.response_delete_range.prev_kvs[0];
    if (!previous) throw new Error(`etcd returned no previous value for the delete of ${key}`);
    return { revision: Number(response.header.revision), kv: this.decode(previous) };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = options.startKey !== undefined && options.startKey > prefix ? options.startKey : prefix;
    const response = await this.read(options.revision, () => this.client.kv.range({
      key: this.encode(start), range_end: this.rangeEnd(prefix), revision: options.revision ?? 0, limit: options.limit ?? 0,
      keys_only: options.keysOnly === true,
    }));
    return { revision: readAt(options.revision, response.header.revision), kvs: response.kvs.map((kv) => this.decode(kv)), more: response.more };
  }

  watch(prefix: string, afterRevision: number, signal: AbortSignal, options: WatchOptions = {}): AsyncIterable<WatchEvent[]> {
    // Starting at `afterRevision` itself (not one later) makes etcd refuse a start older than its compaction.
    const request = { key: this.encode(prefix), rangeEnd: this.rangeEnd(prefix), startRevision: Math.max(afterRevision, 1), decodeKey: (k: Buffer) => this.decodeKey(k) };
    const watches = this.watches;
    const isClosed = (): boolean => this.closed;
    const drain = this.draining.signal;
    const onProgress = options.onProgress;
    const openStream = (): ReturnType<Etcd3["watchClient"]["watch"]> => this.client.watchClient.watch();
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent[]> {
        if (isClosed()) throw new ClosedError();
        let ended = (): void => undefined;
        const running = new Promise<void>((resolve) => { ended = resolve; });
        watches.add(running);
        try {
          yield* etcdWatch(openStream, request, afterRevision, signal, drain, onProgress);
        } finally {
          watches.delete(running);
          ended();
        }
      },
    };
  }

  async compact(revision: number): Promise<number> {
    try {
      await this.call(() => this.client.kv.compact({ revision }));
      this.knownCompacted = Math.max(this.knownCompacted, revision);
      return revision;
    } catch (error) {
      if (!(error instanceof GRPCOutOfRangeError)) throw error;
      if (error.message.includes("future revision")) throw new FutureRevisionError(revision, await this.currentRevision());
      return this.compactedRevision();
    }
  }

  /**
   * etcd does not report its compacted revision, but refuses reads below it: the smallest revision a read
   * succeeds at is it (binary search from the last one known, a few cheap count-only reads).
   */
  async compactedRevision(): Promise<number> {
    const current = await this.currentRevision();
    let low = Math.max(this.knownCompacted, 1);
    let high = current;
    if (await this.readableAt(low)) return this.knownCompacted;
    while (low + 1 < high) {
      const mid = Math.floor((low + high) / 2);
      if (await this.readableAt(mid)) high = mid;
      else low = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, high);
    return high;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.draining.abort();
    await Promise.race([Promise.all(this.watches), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.client.close();
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.call(() => this.client.kv.range({ key: this.encode(""), revision, count_only: true }));
      return true;
    } catch (error) {
      if (error instanceof GRPCOutOfRangeError && error.message.includes("compacted")) return false;
      throw error;
    }
  }

  /** The compares of a CAS write: the key exists and, if given, its mod_revision is `expected`. */
  private expect(key: Buffer, expected: number | undefined): ICompare[] {
    const compares: ICompare[] = [{ key, target: "Create", result: "Greater", create_revision: 0 }];
    if (expected !== undefined) compares.push({ key, target: "Mod", result: "Equal", mod_revision: expected });
    return compares;
  }

  /** A Txn doing `success` when every compare holds, else reading the key (for the error). */
  private txn(compare: ICompare[], success: NonNullable<Parameters<Etcd3["kv"]["txn"]>[0]["success"]>[number]): Promise<ITxnResponse> {
    const key = compare[0]?.key;
    return this.call(() => this.client.kv.txn({ compare, success: [success], failure: [{ request_range: { key } }] }));
  }

  /** The error of a failed CAS write: NotFoundError when the key is absent, else ConflictError with its value. */
  private failure(key: string, response: ITxnResponse): Error {
    const current = response.responses[0]?.response_range.kvs[0];
    return current === undefined ? new NotFoundError(key) : new ConflictError(key, this.decode(current));
  }

  /** Runs a read at `revision`, mapping etcd's compacted and future-revision refusals. */
  private async read<T>(revision: number | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await this.call(run);
    } catch (error) {
      if (!(error instanceof GRPCOutOfRangeError) || revision === undefined) throw error;
      if (error.message.includes("compacted")) throw new CompactedError(revision, await this.compactedRevision());
      if (error.message.includes("future revision")) throw new FutureRevisionError(revision, await this.currentRevision());
      throw error;
    }
  }

  /** Runs one etcd call: ClosedError once closed; unreachable etcd becomes StoreUnavailableError. */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    this.checkOpen();
    try {
      return await run();
    } catch (error) {
      if (this.closed || error instanceof ClientClosedError) throw new ClosedError();
      if (error instanceof GRPCOutOfRangeError) throw error;
      if (isUnavailable(error)) throw unavailable(error);
      throw error;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError();
  }

  /** The etcd key of `key` (etcd has no empty key: the empty one becomes "\0", the first key there is). */
  private encode(key: string): Buffer {
    const encoded = Buffer.concat([this.prefix, Buffer.from(key, "utf8")]);
    return encoded.length > 0 ? encoded : Buffer.from([0]);
  }

  private decodeKey(key: Buffer): string {
    return key.subarray(this.prefix.length).toString("utf8");
  }

  private decode(kv: IKeyValue): KeyValue {
    return toKeyValue(kv, (k) => this.decodeKey(k));
  }

  /** The end of the etcd key range holding every key under `prefix` ("\0" = to the end of the keyspace). */
  private rangeEnd(prefix: string): Buffer {
    const end = Buffer.concat([this.prefix, Buffer.from(prefix, "utf8")]);
    for (let i = end.length - 1; i >= 0; i--) {
      if ((end[i] as number) < 0xff) {
        end[i] = (end[i] as number) + 1;
        return end.subarray(0, i + 1);
      }
    }
    return Buffer.from([0]);
  }
}

/** The revision a read reflects: the one asked for, else the store's current one. */
function readAt(requested: number | undefined, current: string): number {
  return requested !== undefined && requested > 0 ? requested : Number(current);
}

/** Errors meaning etcd could not be reached or did not answer (as opposed to refusing the request). */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /UNAVAILABLE|DEADLINE_EXCEEDED|Deadline exceeded|No connection|Connection dropped|BrokenCircuit|Execution prevented|leader|timed out/i.test(`${error.name} ${error.message}`);
}
