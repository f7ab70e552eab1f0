"""Kubernetes manifests that carry run configs: ConfigMaps whose data keys hold the YAML text,
and the LlamaStackDistribution / OGXServer resources that point at them.

    manifest = read_manifest("cm.yaml", text)   # None: not a manifest
    for config in manifest.configs:              # config.label, config.text, config.position(l, c)
        ...
    manifest.findings                            # which ConfigMap/key each resource runs

Editing one in place: manifests.opening.open_editable("cm.yaml#CONFIGMAP/KEY").
"""

from typing import Any

__all__ = ["EmbeddedConfig", "Manifest", "embedded_configs", "read_manifest"]


def __getattr__(name: str) -> Any:
    """The reader loads on first use: opening a plain run config (every editor start) goes
    through manifests.opening and must not pay for it."""
    if name in __all__:
        from . import embedded, reading

        return getattr(embedded if name == "EmbeddedConfig" else reading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
