import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { daemonSet, startTestApi, type TestApi } from "./testing/api-fixture.js";

const dsPath = "/apis/apps/v1/namespaces/default/daemonsets";

async function status(r: Response): Promise<{ code: number; reason: string; message: string; details?: any }> {
  assert.equal(r.headers.get("content-type"), "application/json");
  const body = await r.json() as any;
  assert.equal(body.kind, "Status");
  assert.equal(body.status, "Failure");
  assert.equal(body.code, r.status);
  return body;
}

describe("errors over HTTP", () => {
  let api: TestApi;
  before(async () => { api = await startTestApi({ handler: { maxBodyBytes: 64 * 1024 } }); });
  after(async () => { await api.close(); });

  test("404 for a missing object", async () => {
    const s = await status(await api.call("GET", `${dsPath}/nope`));
    assert.equal(s.code, 404);
    assert.equal(s.message, 'daemonsets.apps "nope" not found');
    assert.deepEqual(s.details, { name: "nope", group: "apps", kind: "daemonsets" });
  });

  test("409 AlreadyExists", async () => {
    assert.equal((await api.call("POST", dsPath, daemonSet("dup"))).status, 201);
    const s = await status(await api.call("POST", dsPath, daemonSet("dup")));
    assert.equal(s.code, 409);
    assert.equal(s.reason, "AlreadyExists");
    assert.equal(s.message, 'daemonsets.apps "dup" already exists');
  });

  test("422 Invalid with causes", async () => {
    const bad = daemonSet("bad") as any;
    bad.spec.template.metadata.labels = { app: "y" };
    const s = await status(await api.call("POST", dsPath, bad));
    assert.equal(s.code, 422);
    assert.equal(s.reason, "Invalid");
    assert.match(s.message, /^DaemonSet.apps "bad" is invalid: spec.template.metadata.labels: Invalid value/);
    assert.ok(s.details.causes.some((c: any) => c.field === "spec.template.metadata.labels" && c.reason === "FieldValueInvalid"));
  });

  test("400 for malformed bodies and mismatched types", async () => {
    const cases: [string, string, RegExp][] = [
      ["application/json", "{not json", /^the object provided is unrecognized \(must be of type DaemonSet\): couldn't get version\/kind; json parse error: .+ \(\{not json\)$/],
      ["application/json", "", /^the object provided is unrecognized \(must be of type DaemonSet\): couldn't get version\/kind; json parse error: unexpected end of JSON input \(<empty>\)$/],
      ["application/json", "[1,2]", /cannot unmarshal array into Go value/],
      ["application/yaml", "a: [b", /^the object provided is unrecognized \(must be of type DaemonSet\): error converting YAML to JSON/],
      ["application/json", JSON.stringify({ ...daemonSet("v"), apiVersion: "v1" }), /^the API version in the data \(v1\) does not match the expected API version \(apps\/v1\)$/],
      ["application/json", JSON.stringify({ ...daemonSet("k"), kind: "Deployment" }), /^Deployment in version "v1" cannot be handled as a DaemonSet/],
      ["application/vnd.kubernetes.protobuf", "not protobuf", /protobuf/],
    ];
    for (const [type, body, re] of cases) {
      const s = await status(await api.call("POST", dsPath, body, { "content-type": type }));
      assert.equal(s.code, 400, body);
      assert.equal(s.reason, "BadRequest");
      assert.match(s.message, re);
    }
    const patch = await status(await api.call("PATCH", `${dsPath}/dup`, "{oops", { "content-type": "application/merge-patch+json" }));
    assert.equal(patch.code, 400);
  });

  test("415 for unknown body and patch types", async () => {
    const create = await status(await api.call("POST", dsPath, "x", { "content-type": "text/plain" }));
    assert.equal(create.code, 415);
    assert.equal(create.reason, "UnsupportedMediaType");
    assert.equal(create.message, "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
    const patch = await status(await api.call("PATCH", `${dsPath}/dup`, "{}", { "content-type": "application/json" }));
    assert.equal(patch.code, 415);
    assert.equal(patch.message, "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml");
  });

  test("413 for bodies over the limit, declared or streamed", async () => {
    const big = JSON.stringify({ ...daemonSet("big"), metadata: { name: "big", annotations: { a: "x".repeat(70 * 1024) } } });
    const s = await status(await api.call("POST", dsPath, big));
    assert.equal(s.code, 413);
    assert.equal(s.reason, "RequestEntityTooLarge");
    // A chunked body without Content-Length is answered as soon as it passes the limit, before it ends.
    const { code, body } = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request(`${api.url}${dsPath}`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => { text += d.toString(); });
        res.on("end", () => {
          req.destroy();
          resolve({ code: res.statusCode ?? 0, body: text });
        });
      });
      req.on("error", reject);
      for (let i = 0; i < 5; i++) req.write("x".repeat(16 * 1024));
    });
    assert.equal(code, 413);
    assert.equal(JSON.parse(body).reason, "RequestEntityTooLarge");
  });

  test("strict field validation is a 400; Warn answers with Warning headers; bad directives are 422", async () => {
    const typo = daemonSet("strict") as any;
    typo.spec.selectr = typo.spec.selector;
    const s = await status(await api.call("POST", `${dsPath}?fieldManager=kubectl-create&fieldValidation=Strict`, typo));
    assert.equal(s.code, 400);
    assert.match(s.message, /^DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.selectr"/);
    const warned = await api.call("POST", dsPath, { ...typo, metadata: { name: "warned" } });
    assert.equal(warned.status, 201);
    assert.equal(warned.headers.get("warning"), '299 - "unknown field \\"spec.selectr\\""');
    const bad = await status(await api.call("POST", `${dsPath}?fieldValidation=Loose`, daemonSet("loose")));
    assert.equal(bad.code, 422);
    assert.match(bad.message, /^CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose"/);
  });

  test("405 for methods a path does not serve", async () => {
    for (const [method, path] of [["PUT", dsPath], ["POST", "/apis/apps/v1/daemonsets"], ["POST", `${dsPath}/dup`], ["DELETE", "/api/v1/namespaces"]] as const) {
      const s = await status(await api.call(method, path, method === "PUT" || method === "POST" ? daemonSet("m") : undefined));
      assert.equal(s.code, 405, `${method} ${path}`);
      assert.equal(s.reason, "MethodNotAllowed");
    }
  });

  test("bad query parameters", async () => {
    assert.equal((await status(await api.call("GET", `${dsPath}?limit=lots`))).code, 400);
    assert.equal((await status(await api.call("GET", "/api/v1/pods?fieldSelector=spec.foo%3Dbar"))).message, "field label not supported: spec.foo");
    assert.equal((await status(await api.call("GET", `${dsPath}?resourceVersionMatch=Exact`))).code, 422);
  });
});
