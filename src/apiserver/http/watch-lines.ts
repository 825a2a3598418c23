/**
 * The JSON lines of watch events. An event whose object the watch cache decoded from a stored value (the value
 * without metadata.resourceVersion) is written from that text, the resourceVersion put in, so an event costs no
 * serialization however many watchers write it; other events are serialized.
 */

/** The line (newline included) of an event; `stored`, when given, is the stored JSON its object decodes from. */
export function watchLine(type: string, object: unknown, stored: string | undefined): string {
  const resourceVersion = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  const json = stored !== undefined && typeof resourceVersion === "string" ? withResourceVersion(stored, resourceVersion) : undefined;
  return `{"type":${JSON.stringify(type)},"object":${json ?? JSON.stringify(object)}}\n`;
}

/**
 * The JSON text of the object `stored` (compact JSON of an object, as JSON.stringify writes it) with
 * metadata.resourceVersion set to `resourceVersion` (as the first field of metadata); undefined when `stored` has no
 * top-level metadata object or is not such text.
 */
export function withResourceVersion(stored: string, resourceVersion: string): string | undefined {
  if (stored.charCodeAt(0) !== 0x7b) return undefined;
  let at = 1;
  while (stored.charCodeAt(at) === 0x22) {
    const keyEnd = skipString(stored, at);
    if (keyEnd < 0 || stored.charCodeAt(keyEnd) !== 0x3a) return undefined;
    const value = keyEnd + 1;
    if (keyEnd - at === 10 && stored.startsWith('"metadata"', at)) {
      if (stored.charCodeAt(value) !== 0x7b) return undefined;
      const field = `"resourceVersion":${JSON.stringify(resourceVersion)}`;
      const empty = stored.charCodeAt(value + 1) === 0x7d;
      return `${stored.slice(0, value + 1)}${field}${empty ? "" : ","}${stored.slice(value + 1)}`;
    }
    const end = skipValue(stored, value);
    if (end < 0 || stored.charCodeAt(end) !== 0x2c) return undefined;
    at = end + 1;
  }
  return undefined;
}

/** The index after the string starting at `at` (a quote), or -1. */
function skipString(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** The index after the JSON value starting at `at`, or -1. */
function skipValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === 0x22) return skipString(text, at);
  if (first !== 0x7b && first !== 0x5b) {
    let i = at;
    while (i < text.length && text.charCodeAt(i) !== 0x2c && text.charCodeAt(i) !== 0x7d && text.charCodeAt(i) !== 0x5d) i++;
    return i > at ? i : -1;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
