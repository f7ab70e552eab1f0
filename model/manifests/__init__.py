"""Kubernetes manifests that carry run configs: ConfigMaps whose data keys hold the YAML text,
and the LlamaStackDistribution / OGXServer resources that point at them.

    manifest = read_manifest("cm.yaml", text)   # None: not a manifest
    for config in manifest.configs:              # config.label, config.text, config.position(l, c)
        ...
    manifest.findings                            # which ConfigMap/key each resource runs

Editing one in place: manifests.editing.open_editable("cm.yaml#CONFIGMAP/KEY").
"""

from .embedded import EmbeddedConfig
from .reading import Manifest, embedded_configs, read_manifest

__all__ = ["EmbeddedConfig", "Manifest", "embedded_configs", "read_manifest"]
