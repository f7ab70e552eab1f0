"""Read a Kubernetes manifest (one or more YAML documents) for the run configs it carries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..diagnostics import Diagnostic
from ..errors import ParseError
from ..templates import mask_templates
from ..yamlparse import parse_stream
from ..yamltree import MAP, SCALAR
from .detect import looks_like_manifest, looks_like_run_config
from .embedded import EmbeddedConfig, embedded_config, text_lines
from .objects import K8sObject, objects
from .references import reference_findings


@dataclass
class Manifest:
    """What a manifest holds: its run configs and what its resources say about them."""

    file: str
    configs: list[EmbeddedConfig]
    findings: list[Diagnostic]  # at the manifest's own lines and columns
    objects: list[K8sObject] = field(default_factory=list)
    templated: bool = False  # read with its `{{ ... }}` masked (a Helm template, not a manifest yet)

    def describe_contents(self) -> str:
        """What is in it, for a message that finds no config there."""
        parts = []
        for obj in self.objects:
            if obj.kind == "ConfigMap":
                data = obj.at("data")
                keys = [str(k.value) for k, _ in data.items] if data is not None and data.kind == MAP else []
                parts.append(f"{obj.describe()} (keys: {', '.join(keys) or 'none'})")
            else:
                parts.append(obj.describe())
        return "; ".join(parts) or "no Kubernetes objects"


def read_manifest(file: str, text: str) -> Manifest | None:
    """The manifest in `text`, or None when `text` is not one (a plain run config).

    A manifest the YAML parser refuses because of Helm's `{{ ... }}` is read with those actions
    masked (every other character in place), so its configs and their positions are still found;
    raises ParseError (with the file) for a manifest broken otherwise."""
    if not looks_like_manifest(text):
        return None
    masked = text
    try:
        roots = parse_stream(text)
    except ParseError as exc:
        masked = mask_templates(text)
        if masked == text:
            exc.file = file
            raise
        try:
            roots = parse_stream(masked)
        except ParseError:
            exc.file = file
            raise exc from None
    objs = list(objects(roots))
    lines = text_lines(text)
    parsed_lines = lines if masked is text else text_lines(masked)
    configs = [config for obj in objs if obj.kind == "ConfigMap" for config in _configs_of(file, obj, parsed_lines, lines)]
    findings = list(dict.fromkeys(reference_findings(file, objs)))
    return Manifest(file, configs, findings, objs, templated=masked != text)


def _configs_of(file: str, cm: K8sObject, parsed_lines: list[str], lines: list[str]) -> list[EmbeddedConfig]:
    """The configs in a ConfigMap's data. `parsed_lines` are the lines the parser read (with
    template actions masked), `lines` the file's own."""
    data = cm.at("data")
    if data is None or data.kind != MAP:
        return []
    found = []
    for key, value in data.items:
        value = value.resolved
        if key.kind != SCALAR or value.kind != SCALAR or not isinstance(value.value, str) or not looks_like_run_config(value.value):
            continue
        config = embedded_config(file, cm.name, cm.namespace, cm.document, key, value, parsed_lines)
        if parsed_lines is not lines and config.exact:
            # the value was read from the masked text: take the config's own lines from the file
            body = lines[config.first_line - 1 : config.first_line - 1 + config.lines]
            text = "\n".join(line[config.indent :] for line in body)
            config = replace(config, text=text + ("\n" if value.raw.endswith("\n") else ""))
        found.append(config)
    return found


def embedded_configs(file: str, text: str) -> Manifest | None:
    """The run configs in manifest `text` (None if it is not a manifest), for read_inputs: each
    config's `label`, `text` and `position(line, column)` make one input; `findings` are the
    resources' references, at the manifest's positions. See Manifest."""
    return read_manifest(file, text)


__all__ = ["Manifest", "read_manifest", "embedded_configs"]
