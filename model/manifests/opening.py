"""FILE, or FILE#CONFIGMAP/KEY: the Document a command or the editor edits.

Every editor start and every `set` comes through here, so a plain run config pays only for a
textual test: the manifest reader and editor load when the file is a manifest.
"""

from __future__ import annotations

import os

from ..document import Document, decode
from ..errors import ConfigFileError
from ..safefile import read_config_bytes
from .detect import looks_like_manifest

SELECTOR_MARK = "#"  # FILE#CONFIGMAP/KEY (ConfigMap names and data keys hold no `/` or `#`)


def split_spec(spec: str) -> tuple[str, str | None]:
    """FILE#CONFIGMAP/KEY -> (FILE, CONFIGMAP/KEY); a file whose name holds `#` is taken as it is."""
    if SELECTOR_MARK in spec and not os.path.lexists(spec):
        path, selector = spec.rsplit(SELECTOR_MARK, 1)
        return path, selector
    return spec, None


def open_editable(spec: str) -> Document:
    """The Document to edit for FILE (a run config), or for the run config a manifest holds
    (FILE, when it holds exactly one, or FILE#CONFIGMAP/KEY)."""
    path, selector = split_spec(spec)
    data, snapshot = read_config_bytes(path)
    text, _ = decode(data, path)
    if looks_like_manifest(text):
        from .editing import open_manifest_config

        return open_manifest_config(path, selector, data, snapshot, spec)
    if selector is not None:
        raise ConfigFileError(f"is not a Kubernetes manifest, so {SELECTOR_MARK}{selector} names nothing in it", file=path)
    return Document.from_bytes(data, name=path, snapshot=snapshot)
