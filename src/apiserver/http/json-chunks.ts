/** JSON documents with one large array (a list's items, a Table's rows), rendered a piece at a time. */

/** Characters of JSON text gathered before a chunk is handed to the connection. */
const defaultChunkChars = 256 * 1024;

/**
 * The text of `JSON.stringify(envelope)` with `items` in its last property `arrayKey` (which `envelope` holds as an
 * empty array), then a newline, in chunks of about `chunkChars` characters; each item is rendered by `render` only
 * when the chunk it falls in is asked for. Throws when `arrayKey` is not the envelope's last property.
 */
export function* jsonArrayChunks<T>(
  envelope: Record<string, unknown>, arrayKey: string, items: Iterable<T>, render: (item: T) => string, chunkChars = defaultChunkChars,
): Generator<string, void, undefined> {
  const keys = Object.keys(envelope);
  const value = envelope[arrayKey];
  if (keys[keys.length - 1] !== arrayKey || !Array.isArray(value) || value.length !== 0) {
    throw new Error(`jsonArrayChunks: "${arrayKey}" must be the envelope's last property, an empty array`);
  }
  const head = JSON.stringify(envelope);
  // The envelope ends with `[]}`: keep the opening bracket, the items follow it.
  let chunk = head.slice(0, head.length - 2);
  let first = true;
  for (const item of items) {
    chunk += first ? render(item) : `,${render(item)}`;
    first = false;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = "";
    }
  }
  yield `${chunk}]}\n`;
}
