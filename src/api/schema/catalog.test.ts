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

  void test("serves the Kubernetes 1.32 field set: fields of 1.31 and 1.32 are there, later ones are not", () => {
    const prop = (def: string, field: string) => definition(`io.k8s.api.core.v1.${def}`)?.properties.get(field);
    assert.deepEqual(prop("PodSpec", "resources")?.type, { kind: "object", ref: "io.k8s.api.core.v1.ResourceRequirements" });
    assert.match(prop("PodSpec", "resources")?.description ?? "", /PodLevelResources feature gate/);
    assert.deepEqual(prop("ContainerStatus", "user")?.type, { kind: "object", ref: "io.k8s.api.core.v1.ContainerUser" });
    const health = prop("ContainerStatus", "allocatedResourcesStatus");
    assert.deepEqual(health?.type, { kind: "array", items: { kind: "object", ref: "io.k8s.api.core.v1.ResourceStatus" } });
    assert.equal(health?.patchMergeKey, "name");
    assert.deepEqual(prop("Volume", "image")?.type, { kind: "object", ref: "io.k8s.api.core.v1.ImageVolumeSource" });
    assert.equal(prop("PodSecurityContext", "supplementalGroupsPolicy")?.type.kind, "string");
    assert.deepEqual(prop("LinuxContainerUser", "uid")?.type, { kind: "integer", format: "int64" });
    assert.deepEqual(definition("io.k8s.api.core.v1.HostAlias")?.required, ["ip"]);
    // 1.33 added Lifecycle.stopSignal and ContainerStatus.stopSignal; 1.31 removed PodResourceClaim.source.
    assert.equal(prop("Lifecycle", "stopSignal"), undefined);
    assert.equal(prop("ContainerStatus", "stopSignal"), undefined);
    assert.equal(prop("PodResourceClaim", "source"), undefined);
    assert.equal(definition("io.k8s.api.core.v1.ClaimSource"), undefined);
  });
});
