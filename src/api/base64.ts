/**
 * Go's encoding/json treatment of []byte fields (Secret data, ConfigMap binaryData): standard base64 with
 * padding, CR and LF ignored; anything else fails with `illegal base64 data at input byte N`.
 */

const alphabet = /[A-Za-z0-9+/]/;

/** The offset Go's base64.StdEncoding reports for `text`, or undefined when it decodes. */
export function base64ErrorOffset(text: string): number | undefined {
  let quantum = 0;
  let quantumStart = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (c === "\r" || c === "\n") continue;
    if (padding > 0) {
      if (quantum !== 3) return i;
      if (c !== "=") return i - 1;
      padding++;
      quantum = 0;
      continue;
    }
    if (c === "=") {
      if (quantum < 2) return i;
      if (quantum === 2) { padding = 1; quantum = 3; continue; }
      padding = 1;
      quantum = 0;
      continue;
    }
    if (!alphabet.test(c)) return i;
    if (quantum === 0) quantumStart = i;
    quantum = (quantum + 1) % 4;
  }
  if (padding === 1 && quantum === 3) return text.length;
  if (padding === 0 && quantum !== 0) return quantumStart;
  return undefined;
}

/** Canonical standard base64 of a value Go would decode (newlines removed); throws the Go message otherwise. */
export function canonicalBase64(text: string): string {
  const offset = base64ErrorOffset(text);
  if (offset !== undefined) throw new Error(`illegal base64 data at input byte ${offset}`);
  return Buffer.from(text.replace(/[\r\n]/g, ""), "base64").toString("base64");
}
