import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClient } from "../../client/testing/fake-client.js";
import { impersonatedUser } from "./impersonation.js";

const admin = { name: "admin", groups: ["system:masters", "system:authenticated"] };

test("impersonation headers: none keeps the user; groups without a user are a 400; the admin may be anyone", async () => {
  const client = new FakeClient();
  assert.equal(await impersonatedUser({}, admin, client), admin);
  await assert.rejects(impersonatedUser({ "impersonate-group": ["g1"] }, admin, client), { code: 400, message: "requested [group g1] without impersonating a user" });
  assert.deepEqual(await impersonatedUser({ "impersonate-user": "system:anonymous" }, admin, client), { name: "system:anonymous", groups: [] });
  assert.deepEqual(await impersonatedUser({ "impersonate-user": "bob", "impersonate-uid": "u-1" }, admin, client), { name: "bob", groups: ["system:authenticated"], uid: "u-1" });
  await assert.rejects(impersonatedUser({ "impersonate-user": "bob" }, { name: "eve", groups: ["system:authenticated"] }, client), {
    code: 403, message: 'users "bob" is forbidden: User "eve" cannot impersonate resource "users" in API group "" at the cluster scope',
  });
});
