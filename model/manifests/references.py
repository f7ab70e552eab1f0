"""Which ConfigMap and key each LlamaStackDistribution / OGXServer runs, and whether it is here.

The field names are the operator's (ogx-ai/ogx-k8s-operator):
* LlamaStackDistribution (llamastack.io/v1alpha1): `spec.server.userConfig.configMapName`
  (and `configMapNamespace`); the whole ConfigMap is mounted and the server started on its
  `config.yaml` (`run.yaml` before the operator's #223, January 2026).
* OGXServer (ogx.io/v1beta1): `spec.overrideConfig {name, key}` (the full config) and
  `spec.baseConfig {name, key}` (the base the operator generates the config from); such a
  ConfigMap needs the label `ogx.io/watch: "true"` or the operator does not see it.
The operator only checks that the ConfigMap exists; what is in it shows at startup.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..yamltree import MAP, Node
from .detect import looks_like_run_config
from .objects import K8sObject

LSD_KEYS = ("config.yaml", "run.yaml")
WATCH_LABEL = ("ogx.io/watch", "true")


@dataclass(frozen=True)
class ConfigReference:
    """One resource's pointer to a config in a ConfigMap."""

    owner: K8sObject
    field: str  # the spec field, e.g. spec.overrideConfig
    configmap: str
    namespace: str | None
    key: str | None  # None: the operator picks the key (LlamaStackDistribution)
    node: Node  # where the ConfigMap's name is written


def config_references(objs: list[K8sObject]) -> list[ConfigReference]:
    found: list[ConfigReference] = []
    for obj in objs:
        if obj.kind == "LlamaStackDistribution" and obj.group.startswith("llamastack.io"):
            name = obj.at("spec", "server", "userConfig", "configMapName")
            if name is not None and isinstance(name.value, str) and name.value:
                namespace = obj.text_at("spec", "server", "userConfig", "configMapNamespace") or obj.namespace
                found.append(ConfigReference(obj, "spec.server.userConfig", name.value, namespace, None, name))
        elif obj.kind == "OGXServer" and obj.group.startswith("ogx.io"):
            for field in ("overrideConfig", "baseConfig"):
                ref = obj.at("spec", field)
                if ref is None or ref.kind != MAP:
                    continue
                name = ref.get("name")
                if name is not None and isinstance(name.resolved.value, str) and name.resolved.value:
                    key = ref.get("key")
                    key_text = key.resolved.value if key is not None and isinstance(key.resolved.value, str) else None
                    found.append(ConfigReference(obj, f"spec.{field}", name.resolved.value, obj.namespace, key_text, name.resolved))
    return found


def reference_findings(file: str, objs: list[K8sObject]) -> list[Diagnostic]:
    """One finding per reference: which config it runs, or why that cannot be checked here."""
    configmaps = [o for o in objs if o.kind == "ConfigMap" and o.api_version == "v1"]
    findings: list[Diagnostic] = []
    for ref in config_references(objs):
        at = (ref.node.line + 1, ref.node.column + 1)
        who = f"{ref.owner.describe()} ({ref.field})"
        matches = [c for c in configmaps if c.name == ref.configmap and (c.namespace is None or ref.namespace is None or c.namespace == ref.namespace)]
        if not matches:
            findings.append(_finding("warning", "configmap-not-in-input", at,
                f"{who} runs the config in ConfigMap {ref.configmap}, which is not in this input, so that config was not checked: "
                "validate the manifest that defines it too"))  # fmt: skip
            continue
        cm = matches[0]
        data = cm.at("data")
        keys = [k.value for k, _ in data.items] if data is not None and data.kind == MAP else []
        key = ref.key if ref.key is not None else next((k for k in LSD_KEYS if k in keys), None)
        where = f"line {cm.node.line + 1}" if cm.document == ref.owner.document else f"document {cm.document + 1}, line {cm.node.line + 1}"
        if key is None or key not in keys:
            wanted = f"key {key or ref.key}" if (key or ref.key) else "key config.yaml (or run.yaml, which operators before #223 read)"
            findings.append(_finding("error", "config-key-missing", at,
                f"{who} runs ConfigMap {ref.configmap}, {wanted}, but that ConfigMap ({where}) has no such key "
                f"(it has: {', '.join(map(str, keys)) or 'no data'}); the server cannot start"))  # fmt: skip
            continue
        value = data.get(key).resolved
        if not (isinstance(value.value, str) and looks_like_run_config(value.value)):
            findings.append(_finding("error", "config-key-not-run-config", at,
                f"{who} runs ConfigMap {ref.configmap}, key {key} ({where}), but that key does not hold a run config"))  # fmt: skip
            continue
        findings.append(_finding("info", "config-reference", at, f"{who} runs ConfigMap {ref.configmap}, key {key}, which this input defines ({where})"))
        if ref.owner.kind == "OGXServer" and cm.text_at("metadata", "labels", WATCH_LABEL[0]) != WATCH_LABEL[1]:
            name = cm.at("metadata", "name") or cm.node
            findings.append(_finding("warning", "configmap-not-watched", (name.line + 1, name.column + 1),
                f"ConfigMap {cm.name} is used by {ref.owner.describe()} but has no label {WATCH_LABEL[0]}: \"{WATCH_LABEL[1]}\", "
                "so the operator does not see it (or its changes)"))  # fmt: skip
    return findings


def _finding(severity: str, code: str, at: tuple[int, int], message: str) -> Diagnostic:
    return Diagnostic(severity, code, (), at[0], at[1], message)  # type: ignore[arg-type]
