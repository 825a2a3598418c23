/** The tokens of the label selector string form. */

/** Kinds of token; `in`/`notin` are keywords only where an operator is expected. */
export type TokenKind = "end" | "ident" | "in" | "notin" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<";
/** One token and its text. */
export interface Token { kind: TokenKind; text: string }

const symbols = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const twoCharSymbols = new Set(["==", "!="]);
const isSpace = (ch: string): boolean => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";

/** Splits `s` into tokens, ending with an `end` token. */
export function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i] ?? "")) i++;
    if (i >= s.length) {
      tokens.push({ kind: "end", text: "" });
      return tokens;
    }
    const ch = s[i] ?? "";
    if (symbols.has(ch)) {
      const two = s.slice(i, i + 2);
      const text = twoCharSymbols.has(two) ? two : ch;
      tokens.push({ kind: text as TokenKind, text });
      i += text.length;
      continue;
    }
    const start = i;
    while (i < s.length && !symbols.has(s[i] ?? "") && !isSpace(s[i] ?? "")) i++;
    const text = s.slice(start, i);
    tokens.push({ kind: text === "in" || text === "notin" ? text : "ident", text });
  }
}
