/** JSON documents with one large array (a list's items, a Table's rows), rendered a piece at a time. */

/** Bytes of JSON gathered before a chunk is handed to the connection. */
const defaultChunkBytes = 256 * 1024;

/**
 * The UTF-8 bytes of `JSON.stringify(envelope)` with `items` in its last property `arrayKey` (which `envelope` holds
 * as an empty array), then a newline, in chunks of at most about `chunkBytes` bytes; each item is rendered by `render`
 * only when the chunk it falls in is asked for. Throws when `arrayKey` is not the envelope's last property.
 */
export function* jsonArrayChunks<T>(
  envelope: Record<string, unknown>, arrayKey: string, items: Iterable<T>, render: (item: T) => string, chunkBytes = defaultChunkBytes,
): Generator<Uint8Array, void, undefined> {
  const keys = Object.keys(envelope);
  const value = envelope[arrayKey];
  if (keys[keys.length - 1] !== arrayKey || !Array.isArray(value) || value.length !== 0) {
    throw new Error(`jsonArrayChunks: "${arrayKey}" must be the envelope's last property, an empty array`);
  }
  const head = JSON.stringify(envelope);
  const chunk = new ChunkWriter(chunkBytes);
  // The envelope ends with `[]}`: keep the opening bracket, the items follow it.
  yield* chunk.add(head.slice(0, head.length - 2));
  let first = true;
  for (const item of items) {
    if (!first) yield* chunk.add(",");
    yield* chunk.add(render(item));
    first = false;
  }
  yield* chunk.add("]}\n");
  yield* chunk.flush();
}

/**
 * Gathers text into fixed-size buffers, written in place: far cheaper than joining large strings and encoding
 * them afterwards (large strings and their copies are what the garbage collector then has to sweep).
 */
class ChunkWriter {
  private buffer: Buffer | undefined;
  private used = 0;

  constructor(private readonly size: number) {}

  /** Appends `text`, producing the chunks that filled up. */
  *add(text: string): Generator<Uint8Array, void, undefined> {
    // A UTF-16 code unit takes at most three UTF-8 bytes.
    if (this.used + text.length * 3 > this.size) {
      yield* this.flush();
      if (text.length * 3 > this.size) {
        yield Buffer.from(text, "utf8");
        return;
      }
    }
    this.buffer ??= Buffer.allocUnsafe(this.size);
    this.used += this.buffer.write(text, this.used, "utf8");
  }

  /** Produces what was gathered (if anything); later text goes to a new buffer. */
  *flush(): Generator<Uint8Array, void, undefined> {
    if (this.buffer === undefined || this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    this.buffer = undefined;
    this.used = 0;
    yield full;
  }
}
