import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestApi, type TestApi } from "./testing/api-fixture.js";

const podsPath = "/api/v1/namespaces/default/pods";
const pod = (name: string): Record<string, unknown> => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx" }] } });

/** Asserts a 4xx Status answer with `code` and returns its message. */
async function statusOf(res: Response, code: number): Promise<string> {
  const body = await res.json() as { kind: string; code: number; status: string; message: string };
  assert.equal(res.status, code, body.message);
  assert.equal(body.kind, "Status");
  assert.equal(body.code, code);
  assert.equal(body.status, "Failure");
  return body.message;
}

describe("hostile request bodies and parameters are client errors", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
    assert.equal((await api.call("POST", podsPath, pod("p1"))).status, 201);
  });
  after(async () => { await api.close(); });

  test("YAML that used to crash or stall the process: compact nesting, cycles, quadratic maps", async () => {
    const yaml = { "Content-Type": "application/yaml" };
    assert.match(await statusOf(await api.call("POST", podsPath, `${"- ".repeat(5000)}x`, yaml), 400), /yaml: exceeded max depth of 100/);
    assert.match(await statusOf(await api.call("POST", podsPath, "&a [*a]", yaml), 400), /exceeded max depth/);
    const manyKeys = `metadata:\n  name: big\n  annotations:\n${Array.from({ length: 20_000 }, (_, i) => `    k${i}: v`).join("\n")}\n`;
    assert.match(await statusOf(await api.call("POST", podsPath, manyKeys, yaml), 400), /too complex/);
    const apply = { "Content-Type": "application/apply-patch+yaml" };
    assert.match(await statusOf(await api.call("PATCH", `${podsPath}/p1?fieldManager=t`, `${"[".repeat(100_000)}`, apply), 400), /exceeded max depth/);
  });

  test("JSON nested past the limit is refused before it is parsed", async () => {
    const deep = `{"metadata":{"name":"deep"},"x":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
    assert.match(await statusOf(await api.call("POST", podsPath, deep), 400), /json parse error: exceeded max depth/);
  });

  test("an update whose metadata.name cannot even be printed is a decode error", async () => {
    const body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":{"toString":1,"hasOwnProperty":2}}}';
    assert.match(await statusOf(await api.call("PUT", `${podsPath}/p1`, body), 400), /cannot unmarshal object into Go struct field ObjectMeta.metadata.name of type string/);
  });

  test("a get with a malformed resourceVersion is a 400; a valid one is served", async () => {
    assert.equal(await statusOf(await api.call("GET", `${podsPath}/p1?resourceVersion=xyz`), 400), 'invalid resource version: "xyz"');
    assert.equal(await statusOf(await api.call("GET", `${podsPath}/p1?resourceVersion=-3`), 400), 'invalid resource version: "-3"');
    assert.equal((await api.call("GET", `${podsPath}/p1?resourceVersion=0`)).status, 200);
  });

  test("a JSON patch that doubles the object is stopped at the copy limit", async () => {
    const ops = [{ op: "add", path: "/metadata/annotations", value: { a: "x".repeat(1000) } },
      ...Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "/metadata", path: `/metadata/annotations/c${i}` }))];
    const res = await api.call("PATCH", `${podsPath}/p1`, ops, { "Content-Type": "application/json-patch+json" });
    assert.equal(res.status, 422);
    const status = await res.json() as { details: { causes: { message: string }[] } };
    assert.match(status.details.causes[0]?.message ?? "", /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
  });
});
