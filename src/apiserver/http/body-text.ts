/**
 * Parsing of request body text (JSON and YAML) that hostile input cannot turn into a crash: nesting is bounded
 * before any recursive code sees the value, and YAML must denote plain JSON (no cycles, tags or non-finite numbers).
 */
import { Lexer, Parser, parse as parseYamlDocument } from "yaml";

/** Deepest nesting of objects and arrays a request body may have; deeper bodies are refused before they are parsed. */
export const maxBodyDepth = 100;

/** Most alias expansions one YAML body may use (guards against "billion laughs" documents). */
const maxAliasCount = 100;

/**
 * Most lexical tokens one YAML body may have. The YAML library spends a few microseconds per token on the event
 * loop; this keeps the worst body well under a second (a large hand-written manifest has a few thousand tokens;
 * JSON, which is what kubectl sends, never goes through the YAML library).
 */
export const maxYamlTokens = 50_000;

/** True when the JSON text nests objects/arrays deeper than `limit` (strings are skipped; exact for valid JSON). */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Thrown for a body nested deeper than allowed. */
class DepthError extends Error {}

/** Parses JSON text; throws an Error (`exceeded max depth`, or JSON.parse's message) when it cannot be accepted. */
export function parseJsonText(text: string, limit = maxBodyDepth): unknown {
  if (jsonNestsDeeperThan(text, limit)) throw new DepthError("exceeded max depth");
  return JSON.parse(text) as unknown;
}

/**
 * Why the YAML text is too costly to parse (nested deeper than `depthLimit`, or more than `tokenLimit` tokens), or
 * undefined. Runs the library's iterative CST parser and stops as soon as a limit is passed, so it is safe and
 * bounded on any input.
 */
export function yamlTooComplex(text: string, depthLimit: number, tokenLimit = maxYamlTokens): string | undefined {
  const parser = new Parser();
  // The CST stack holds the stream, the document and one entry per open collection (two for `- key:` lines).
  const maxStack = depthLimit + 2;
  let tokens = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const _token of parser.next(lexeme)) { /* documents are not kept */ }
    if (parser.stack.length > maxStack) return `exceeded max depth of ${depthLimit}`;
    if (++tokens > tokenLimit) return `the document is too complex (more than ${tokenLimit} tokens)`;
  }
  return undefined;
}

/**
 * Parses YAML text (one document) into plain JSON; JSON text takes the fast JSON path. Duplicate keys keep the last
 * value, as upstream's YAML-to-JSON conversion does. Throws an Error when the text nests deeper than `limit`, is
 * too complex, expands too many aliases, is malformed, or denotes something JSON cannot hold (cycles through
 * aliases, binary and other tagged values, infinities and NaN).
 */
export function parseYamlText(text: string, limit = maxBodyDepth): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return parseJsonText(text, limit);
    } catch (err) {
      if (err instanceof DepthError) throw err;
      // Not JSON after all (e.g. a YAML flow collection): parse it as YAML.
    }
  }
  const tooComplex = yamlTooComplex(text, limit);
  if (tooComplex !== undefined) throw new Error(tooComplex);
  // logLevel "error": a client's odd document must not write warnings to the server's log.
  const value = parseYamlDocument(text, { maxAliasCount, uniqueKeys: false, logLevel: "error" }) as unknown;
  assertPlainJson(value, limit);
  return value;
}

/** Asserts (iteratively) that `value` is plain JSON nested at most `limit` levels; a cycle counts as too deep. */
export function assertPlainJson(value: unknown, limit: number): void {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (v === null || typeof v === "boolean" || typeof v === "string") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error(`${String(v)} is not a valid JSON number`);
      continue;
    }
    if (typeof v !== "object") throw new Error(`a ${typeof v} value cannot be represented in JSON`);
    if (depth >= limit) throw new Error(`exceeded max depth of ${limit}`);
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new Error("the document holds a value that is not plain JSON (a tagged or binary value)");
    for (const item of Object.values(v)) stack.push({ v: item, depth: depth + 1 });
  }
}
