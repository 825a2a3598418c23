/**
 * Regenerates generated-definitions.ts from the Kubernetes 1.32 model classes of @kubernetes/client-node 1.1.x
 * (installed as the dev dependency `k8s-api-1-32`; its models say "OpenAPI spec version: v1.32.0").
 *
 * Usage (from the repository root, after `npx tsc -p tsconfig.json`):
 *   node dist/api/schema/generate-definitions.js src/api/schema/generated-definitions.ts
 *
 * Each class's `attributeTypeMap` gives the field set, JSON names, types and int32/int64 formats; its .d.ts gives
 * optionality and descriptions. The client drops the description of fields that hold a struct or an enum, and
 * folds line breaks; those descriptions come from the kubernetes-types .d.ts where it has the same field (1.30).
 * Patch traits, quantities, free-form fields and the few newer struct fields' descriptions come from upstream-tables.ts.
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFileSync, writeFileSync } from "node:fs";
import ts from "typescript";
import type { RawDefinition, RawProperty } from "./types.js";
import { apiPackages, classPackages, fieldDescriptions, freeFormFields, gvkOverrides, listTraits, quantityFields, roots } from "./upstream-tables.js";

/** Where the generator reads its inputs. */
export interface GeneratorSources {
  /** The dist/gen/models directory of @kubernetes/client-node 1.1.x. */
  modelsDir: string;
  /** The root directory of the kubernetes-types package (descriptions the client drops). */
  legacyTypesDir: string;
}

/** The installed packages the committed definitions are generated from. */
export function installedSources(): GeneratorSources {
  const require = createRequire(import.meta.url);
  return {
    modelsDir: join(dirname(require.resolve("k8s-api-1-32/package.json")), "dist", "gen", "models"),
    legacyTypesDir: dirname(require.resolve("kubernetes-types/package.json")),
  };
}

interface Attribute { name: string; baseName: string; type: string; format: string }
interface ModelClass { attributeTypeMap?: Attribute[] }

/** Class groups the client prefixes to names that clash across API packages (`CoreV1Event`, `RbacV1Subject`). */
const classPrefixes: Readonly<Record<string, string>> = {
  CoreV1: "core/v1", RbacV1: "rbac/v1", DiscoveryV1: "discovery/v1", AuthenticationV1: "authentication/v1",
};

function className(apiPackage: string, name: string, exists: (cls: string) => boolean): string {
  const prefixed = Object.entries(classPrefixes).find(([, p]) => p === apiPackage)?.[0];
  const candidate = prefixed ? `${prefixed}${name}` : undefined;
  return candidate && exists(candidate) ? candidate : `V1${name}`;
}

const typeDocFields = new Set(["IntOrString", "V1MicroTime"]);

function unescapeDoc(text: string): string {
  return text.replace(/\\(["'\\])/g, "$1");
}

/** Class (or interface) doc and member docs of one .d.ts file, keyed by member name ("" for the declaration). */
function docsOf(file: string, declName: string): Map<string, string> {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out = new Map<string, string>();
  const text = (node: ts.Node): string =>
    ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join("\n").trim();
  for (const s of sf.statements) {
    if (!(ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s)) || s.name?.text !== declName) continue;
    out.set("", text(s));
    for (const m of s.members) {
      if (!m.name || !(ts.isPropertyDeclaration(m) || ts.isPropertySignature(m))) continue;
      const doc = text(m);
      out.set(m.name.getText().replace(/^["']|["']$/g, ""), doc);
      if (!m.questionToken) out.set(`required:${m.name.getText().replace(/^["']|["']$/g, "")}`, "");
    }
  }
  return out;
}

/** Upstream descriptions keep paragraphs; the client folds them, so an equal text (up to spacing) keeps the original. */
function chooseDescription(current: string | undefined, legacy: string | undefined): string | undefined {
  const norm = (s: string): string => s.replace(/\s+/g, " ").trim();
  if (current && legacy && norm(current) === norm(legacy)) return legacy;
  return current || legacy || undefined;
}

/** Builds all definitions reachable from the roots. */
export async function buildDefinitions(sources: GeneratorSources): Promise<Record<string, RawDefinition>> {
  const exists = (cls: string): boolean => {
    try { readFileSync(join(sources.modelsDir, `${cls}.js`)); return true; } catch { return false; }
  };
  const out: Record<string, RawDefinition> = {};
  const queue: Array<readonly [string, string]> = [...roots];
  const seen = new Set<string>();
  const rootNames = new Set(roots.map(([pkg, name]) => `${pkg}/${name}`));

  const resolveClass = (cls: string, referrer: string): [apiPackage: string, name: string] => {
    for (const [prefix, pkg] of Object.entries(classPrefixes)) if (cls.startsWith(prefix)) return [pkg, cls.slice(prefix.length)];
    const m = /^V1([A-Z]\w*)$/.exec(cls);
    if (!m?.[1]) throw new Error(`unsupported model class ${cls}`);
    return [classPackages[m[1]] ?? referrer, m[1]];
  };

  const convert = (type: string, format: string, key: string, pkg: string): string => {
    const array = /^Array<(.+)>$/.exec(type);
    if (array?.[1]) return `[]${convert(array[1], format, key, pkg)}`;
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map?.[1]) return `map[string]${convert(map[1], format, key, pkg)}`;
    switch (type) {
      case "string": return quantityFields.has(key) ? "Quantity" : "string";
      case "boolean": return "boolean";
      case "number":
        if (format === "int32" || format === "int64") return format;
        if (format === "double") return "float64";
        throw new Error(`${key}: number of format ${JSON.stringify(format)}`);
      case "Date": return "Time";
      case "V1MicroTime": return "MicroTime";
      case "IntOrString": return "IntOrString";
      case "any": {
        const named = freeFormFields[key];
        if (!named) throw new Error(`${key}: free-form field missing from freeFormFields`);
        return named;
      }
    }
    const [refPkg, refName] = resolveClass(type, pkg);
    const target = apiPackages[refPkg];
    if (!target) throw new Error(`${key}: ${type} lives in unmapped package ${refPkg}`);
    queue.push([refPkg, refName]);
    return `#${target.prefix}.${refName}`;
  };

  while (queue.length > 0) {
    const [pkg, name] = queue.shift() as readonly [string, string];
    const target = apiPackages[pkg];
    if (!target) throw new Error(`unmapped package ${pkg}`);
    const fullName = `${target.prefix}.${name}`;
    if (seen.has(fullName)) continue;
    seen.add(fullName);
    const cls = className(pkg, name, exists);
    const model = (await import(pathToFileURL(join(sources.modelsDir, `${cls}.js`)).href) as Record<string, ModelClass | undefined>)[cls];
    if (!model?.attributeTypeMap) throw new Error(`model class ${cls} not found`);
    const docs = docsOf(join(sources.modelsDir, `${cls}.d.ts`), cls);
    let legacy = new Map<string, string>();
    try { legacy = docsOf(join(sources.legacyTypesDir, `${pkg}.d.ts`), name); } catch { /* a package kubernetes-types lacks */ }
    const def: RawDefinition = { go: name, description: chooseDescription(unescapeDoc(docs.get("") ?? ""), legacy.get("")) ?? "", properties: {} };
    const required: string[] = [];
    for (const a of model.attributeTypeMap) {
      const key = `${name}.${a.baseName}`;
      const raw: RawProperty = { type: convert(a.type, a.format, key, pkg) };
      // For IntOrString and MicroTime fields the client writes the type's description, not the field's.
      const own = typeDocFields.has(a.type) ? "" : unescapeDoc(docs.get(a.name) ?? "");
      const description = chooseDescription(own, legacy.get(a.baseName)) ?? fieldDescriptions[key];
      if (description) raw.description = description;
      Object.assign(raw, listTraits[key] ?? {});
      def.properties[a.baseName] = raw;
      if (docs.has(`required:${a.name}`)) required.push(a.baseName);
    }
    if (required.length > 0) def.required = required;
    if (gvkOverrides[fullName]) def.gvk = gvkOverrides[fullName];
    else if (rootNames.has(`${pkg}/${name}`)) def.gvk = [{ group: target.group, version: "v1", kind: name }];
    out[fullName] = def;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Renders the generated module's source text. */
export function renderModule(defs: Record<string, RawDefinition>): string {
  const lines = [
    "// Generated by generate-definitions.ts from the Kubernetes 1.32 models of @kubernetes/client-node 1.1; do not edit by hand.",
    "import type { RawDefinition } from \"./types.js\";",
    "",
    "/** Every definition the API server knows, keyed by OpenAPI name. */",
    "export const rawDefinitions: Readonly<Record<string, RawDefinition>> = {",
  ];
  for (const [name, def] of Object.entries(defs)) lines.push(`  ${JSON.stringify(name)}: ${JSON.stringify(def)},`);
  lines.push("};", "");
  return lines.join("\n");
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write("usage: generate-definitions <output .ts file>\n");
    process.exit(2);
  }
  writeFileSync(target, renderModule(await buildDefinitions(installedSources())));
}
