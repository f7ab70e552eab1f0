"""The JSON Schema of one release's run config, for editors (`llama-config schema --server X`).

It is the release's own config model (from the release data) with two additions an editor
needs to judge a real file:
- each provider's `config` is checked against its provider type's own class, per API;
- a field that takes a number, boolean or fixed word also takes a `${env.NAME...}`
  placeholder, since the server substitutes those before it reads the value.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from . import Release

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
# The server's own pattern (PLACEHOLDER_RE): it leaves a lower-case name as literal text. The
# default is bounded, so an editor's regex engine scans at most 128 characters from each
# `${env.` of a hostile value (unbounded, one with no `}` after it took time quadratic in its
# length); the longest fixed word any release takes is 33, a number is shorter. Plain syntax (no
# lookahead) so that every JSON Schema validator's regex dialect reads it.
PLACEHOLDER = {
    "type": "string",
    "pattern": r"\$\{env\.[A-Z0-9_]+(:[=+][^}]{0,128})?\}",
    "description": "an ${env.NAME} placeholder, substituted by the server at startup",
}


def _accepts_placeholder(node: dict) -> bool:
    kind = node.get("type")
    return "const" in node or "enum" in node or kind in ("integer", "number", "boolean")


def _with_placeholders(node: Any) -> Any:
    """Every typed scalar also takes a placeholder (strings already do)."""
    if isinstance(node, list):
        return [_with_placeholders(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: (_with_placeholders(value) if key not in ("const", "enum", "default", "examples") else value) for key, value in node.items()}
    if "oneOf" in out and "discriminator" in out:
        # a `type: ${env.X:=...}` placeholder fits every branch: the tag cannot pick exactly one
        out["anyOf"] = out.pop("oneOf")
    if _accepts_placeholder(node) and "$ref" not in node:
        return {"anyOf": [out, PLACEHOLDER]}
    return out


def _renamed_refs(node: Any, prefix: str) -> Any:
    """A provider config class's own `$defs` names moved under `prefix` (no clash between classes)."""
    if isinstance(node, list):
        return [_renamed_refs(item, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _renamed_refs(value, prefix) for key, value in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        out["$ref"] = "#/$defs/" + prefix + ref[len("#/$defs/"):]
    return out


def _def_name(api: str, provider_type: str) -> str:
    return "provider." + api + "." + re.sub(r"[^A-Za-z0-9_.-]", "_", provider_type)


def build(release: Release) -> dict:
    schema = copy.deepcopy(release.schema)
    defs = schema.setdefault("$defs", {})
    per_api: dict[str, Any] = {}
    for api, types in sorted(release.providers.items()):
        branches = []
        for provider_type, spec in sorted(types.items()):
            config = spec.get("config_schema")
            if not config:
                continue
            name = _def_name(api, provider_type)
            own = _renamed_refs(config, name + ".")
            for inner, definition in (own.pop("$defs", None) or {}).items():
                defs[name + "." + inner] = definition
            defs[name] = own
            branches.append({
                "if": {"properties": {"provider_type": {"const": provider_type}}, "required": ["provider_type"]},
                "then": {"properties": {"config": {"$ref": f"#/$defs/{name}"}}},
            })  # fmt: skip
        per_api[api] = {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/Provider"}, *branches]}}
    providers = schema.get("properties", {}).get("providers")
    if isinstance(providers, dict):
        providers["properties"] = per_api  # an API not listed (an external one) keeps the generic shape
    schema = _with_placeholders(schema)
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": f"https://github.com/llama-config/llama-config/schemas/{release.line}.json",
        "title": f"{release.full_name} run config",
        **{k: v for k, v in schema.items() if k not in ("$schema", "$id", "title")},
    }
