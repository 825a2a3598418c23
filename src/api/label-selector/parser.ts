/** The parser of the label selector string form (`a=b,c in (x,y),!d`), with the upstream parser's messages. */
import { badRequest } from "../status-error.js";
import { lex, type Token } from "./lexer.js";
import { aggregate, invalidValue, requirementErrors, type LabelOperator, type Requirement } from "./requirement.js";
import { isQualifiedName as labelKeyErrors } from "../validation/names.js";
import { RequirementsSelector, type Selector } from "./selector.js";

class ParseError extends Error {}

const binaryOperators = "in, notin, =, ==, !=, gt, lt";

/** Recursive-descent parser over the token list; `in`/`notin` are keywords only in operator position. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(asValue = true): Token {
    const t = this.tokens[this.pos] ?? { kind: "end", text: "" };
    return asValue && (t.kind === "in" || t.kind === "notin") ? { kind: "ident", text: t.text } : t;
  }
  private next(asValue = true): Token {
    const t = this.peek(asValue);
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "end") return out;
      if (t.kind !== "ident" && t.kind !== "!") throw new ParseError(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      try {
        out.push(this.requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const sep = this.next();
      if (sep.kind === "end") return out;
      if (sep.kind !== ",") throw new ParseError(`found '${sep.text}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.kind !== "ident" && after.kind !== "!") throw new ParseError(`found '${after.text}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let t = this.next();
    if (t.kind === "!") {
      negated = true;
      t = this.next();
    }
    if (t.kind !== "ident") throw new ParseError(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length) throw new ParseError(invalidValue("<nil>", JSON.stringify(key), keyErrs.join("; ")));
    const following = this.peek().kind;
    if (negated || following === "end" || following === ",") return this.build(key, negated ? "!" : "exists", []);
    const opToken = this.next(false);
    let op: LabelOperator;
    switch (opToken.kind) {
      case "in": op = "in"; break;
      case "notin": op = "notin"; break;
      case "=": case "==": op = "="; break;
      case "!=": op = "!="; break;
      case ">": op = "gt"; break;
      case "<": op = "lt"; break;
      default: throw new ParseError(`found '${opToken.text}', expected: ${binaryOperators}`);
    }
    const values = op === "in" || op === "notin" ? this.setValues() : this.exactValue();
    return this.build(key, op, [...new Set(values)].sort());
  }

  private build(key: string, op: LabelOperator, values: string[]): Requirement {
    const errs = requirementErrors(key, op, values, false);
    if (errs.length) throw new ParseError(aggregate(errs));
    return { key, operator: op, values };
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.kind !== "(") throw new ParseError(`found '${open.text}' expected: '('`);
    const first = this.peek();
    if (first.kind === ")") {
      this.next();
      return [""];
    }
    if (first.kind !== "ident" && first.kind !== ",") throw new ParseError(`found '${first.text}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === "ident") {
        values.push(t.text);
        const after = this.peek();
        if (after.kind === ")") break;
        if (after.kind !== ",") throw new ParseError(`found '${after.text}', expected: ',' or ')'`);
      } else if (t.kind === ",") {
        if (values.length === 0) values.push("");
        const after = this.peek();
        if (after.kind === ")") {
          values.push("");
          break;
        }
        if (after.kind === ",") {
          this.next();
          values.push("");
        }
      } else {
        throw new ParseError(`found '${t.text}', expected: ',', or identifier`);
      }
    }
    this.next(); // the ")" seen above
    return values;
  }

  private exactValue(): string[] {
    const t = this.peek();
    if (t.kind === "end" || t.kind === ",") return [""];
    this.next();
    if (t.kind !== "ident") throw new ParseError(`found '${t.text}', expected: identifier`);
    return [t.text];
  }
}

/**
 * Parses the string form (`a=b,c!=d,e in (x,y),f notin (z),!g,h`); "" (or blanks) = everything.
 * Throws a 400 BadRequest StatusError with the upstream parser message when malformed or invalid.
 */
export function parseLabelSelector(s: string): Selector {
  try {
    return new RequirementsSelector(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}
