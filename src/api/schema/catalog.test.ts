import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { allDefinitions, closureOf, definition, goTypeName, schemaFor } from "./catalog.js";
import { resources } from "../resources.js";

void describe("catalog", () => {
  void test("every served kind, its list, and the request kinds have a top-level schema", () => {
    for (const r of resources) {
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      assert.equal(schemaFor(r.kind, apiVersion)?.goName, r.kind, r.kind);
      assert.equal(schemaFor(r.listKind, apiVersion)?.goName, r.listKind, r.listKind);
    }
    assert.equal(schemaFor("Binding", "v1")?.name, "io.k8s.api.core.v1.Binding");
    assert.equal(schemaFor("Eviction", "policy/v1")?.name, "io.k8s.api.policy.v1.Eviction");
    assert.equal(schemaFor("DeleteOptions", "apps/v1")?.name, "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    assert.equal(schemaFor("Status")?.name, "io.k8s.apimachinery.pkg.apis.meta.v1.Status");
    assert.equal(schemaFor("DaemonSet", "v1"), undefined);
  });

  void test("every reference resolves", () => {
    for (const def of allDefinitions()) {
      for (const d of closureOf([def.name])) assert.ok(definition(d.name), d.name);
    }
  });

  void test("Pod's closure covers the PodSpec surface", () => {
    const names = new Set(closureOf(["io.k8s.api.core.v1.Pod"]).map((d) => d.goName));
    for (const n of ["PodSpec", "PodStatus", "Container", "Volume", "HostPathVolumeSource", "EmptyDirVolumeSource", "ConfigMapVolumeSource",
      "SecretVolumeSource", "ProjectedVolumeSource", "PersistentVolumeClaimVolumeSource", "DownwardAPIVolumeSource", "Affinity",
      "Toleration", "PodSecurityContext", "SecurityContext", "Probe", "Lifecycle", "EnvVar", "EnvFromSource", "ResourceRequirements",
      "ContainerPort", "VolumeMount", "TopologySpreadConstraint", "ObjectMeta", "ManagedFieldsEntry", "OwnerReference"]) {
      assert.ok(names.has(n), n);
    }
  });

  void test("traits and Go names", () => {
    const containers = definition("io.k8s.api.core.v1.PodSpec")?.properties.get("containers");
    assert.equal(containers?.patchMergeKey, "name");
    assert.equal(containers?.patchStrategy, "merge");
    assert.equal(goTypeName(containers!.type), "[]v1.Container");
    assert.equal(goTypeName(definition("io.k8s.api.apps.v1.ControllerRevision")!.properties.get("revision")!.type), "int64");
    assert.equal(goTypeName(definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")!.properties.get("labels")!.type), "map[string]string");
  });
});
