"""Editing a run config where it lives, in a ConfigMap of a manifest (`set cm.yaml#CM/KEY ...`).

The config is edited as a Document of its own text, so every edit, check and message works as
for a run.yaml. Saving writes the manifest with only the block's changed lines replaced (each
at the block's indentation); every other byte of the manifest stays as it was, and the write
goes through Document.save (atomic, refuses a file that changed on disk, keeps FILE.bak).
Only a `|` block scalar is edited in place: a quoted or folded string has no lines of its own.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from ..document import BOM, Document, EditError, decode, explain_load_error
from ..errors import ConfigFileError
from ..safefile import Snapshot
from .embedded import EmbeddedConfig, config_lines
from .opening import SELECTOR_MARK, open_editable  # noqa: F401 (open_editable: opening is where callers start)
from .reading import Manifest, read_manifest

_STYLE_NAMES = {">": "a folded `>` block", "'": "a single-quoted string", '"': "a double-quoted string", "": "a plain string"}


def choose(manifest: Manifest, selector: str | None) -> EmbeddedConfig:
    """The one config `selector` (CONFIGMAP or CONFIGMAP/KEY) names, or the only one there is;
    a ConfigFileError (exit 2) listing the choices otherwise."""
    configs = manifest.configs
    if not configs:
        raise ConfigFileError(
            f"this Kubernetes manifest holds no ConfigMap data key that is a run config ({manifest.describe_contents()})", file=manifest.file
        )
    chosen = configs
    if selector is not None:
        name, _, key = selector.partition("/")
        chosen = [c for c in configs if c.configmap == name and (not key or c.key == key)]
    if len(chosen) == 1:
        return chosen[0]
    listing = ", ".join(f"{manifest.file}{SELECTOR_MARK}{c.selector} (line {c.key_line})" for c in configs)
    if not chosen:
        raise ConfigFileError(f"no run config {selector!r} in this manifest; it holds: {listing}", file=manifest.file)
    raise ConfigFileError(f"this manifest holds {len(chosen)} run configs; name the one to edit as FILE#CONFIGMAP/KEY: {listing}", file=manifest.file)


def open_manifest_config(path: str, selector: str | None, data: bytes, snapshot: Snapshot, spec: str) -> Document:
    """The Document of the run config the manifest in `data` holds (see opening.open_editable)."""
    text, bom = decode(data, path)
    manifest = read_manifest(path, text)
    if manifest is None:  # (never: the reader's first test is the one opening made)
        return Document.from_bytes(data, name=path, snapshot=snapshot)
    if manifest.templated:
        raise ConfigFileError(
            "is a Helm template ({{ ... }}), not a manifest: edit the template or the chart's values; "
            "a rendered manifest (helm template ...) can be edited here",
            file=path,
        )
    config = choose(manifest, selector)
    if config.style != "|" or not config.exact:
        how = "a `|` block whose lines do not line up with the manifest's" if config.style == "|" else _STYLE_NAMES[config.style]
        raise ConfigFileError(
            f"{config.name} is written as {how}; only a `|` block scalar can be edited in place (write it as `{config.key}: |` "
            "followed by the config, indented), or edit the manifest itself",
            file=path, line=config.key_line, column=config.key_column,
        )  # fmt: skip
    return EmbeddedDocument(config, text, bom=bom, snapshot=snapshot, spec=spec)


class EmbeddedDocument(Document):
    """A run config held in a manifest's `|` block: edited as itself, saved as the manifest."""

    def __init__(self, config: EmbeddedConfig, manifest_text: str, *, bom: bool, snapshot: Snapshot | None, spec: str):
        self.config = config
        self.manifest_text = manifest_text
        self.manifest_bom = bom
        self.spec = spec
        try:
            super().__init__(config.text, name=config.file, snapshot=snapshot)
        except ConfigFileError as exc:
            explain_load_error(exc, config.text, config.file)
            if exc.line is not None:
                exc.line, exc.column = config.position(exc.line, exc.column or 1)
            exc.message += f" (in {config.name})"
            exc.args = (exc.message,)
            raise

    def file_texts(self) -> tuple[str, str]:
        if self.text == self.original_text:
            return self.manifest_text, self.manifest_text
        return self.manifest_text, write_back(self.manifest_text, self.config, self.text)

    def to_bytes(self) -> bytes:
        return ((BOM if self.manifest_bom else "") + self.file_texts()[1]).encode("utf-8")

    def file_position(self, line: int, column: int) -> tuple[int, int]:
        return self.config.position(line, column)

    def save(self, path: str | None = None, *, force: bool = False, backup: bool = True) -> Snapshot:
        manifest = self.file_texts()[1]
        snapshot = super().save(path, force=force, backup=backup)
        if (path or self.name) == self.name:  # the manifest on disk is now this text
            self.manifest_text = manifest
            self.config = _find(read_manifest(self.config.file, manifest), self.config)
        return snapshot

    def reloaded(self) -> Document:
        return open_editable(self.spec)


def write_back(manifest_text: str, config: EmbeddedConfig, new_text: str) -> str:
    """`manifest_text` with the config's block holding `new_text`: lines the edit did not touch
    stay byte for byte, new ones get the block's indentation. Checked by reading it again."""
    lines = manifest_text.split("\n")  # a \r\n file keeps its \r on each line
    start = config.first_line - 1
    end = start + config.lines
    cr = "\r" if lines[start].endswith("\r") else ""
    pad = " " * config.indent
    old, new = config_lines(config.text), config_lines(new_text)
    block: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            block += lines[start + i1 : start + i2]
        else:
            block += [(pad + line if line else "") + cr for line in new[j1:j2]]
    text = "\n".join(lines[:start] + block + lines[end:])
    try:
        again = _find(read_manifest(config.file, text), config, missing_ok=True)
    except ConfigFileError:
        again = None
    if again is None or again.text != new_text:
        raise EditError(
            f"the edited config cannot be written back into {config.name} as the same `|` block "
            "(its first line would start with a blank, or its final line breaks change); nothing was changed"
        )
    return text


def _find(manifest: Manifest | None, config: EmbeddedConfig, *, missing_ok: bool = False) -> EmbeddedConfig | None:
    """The same config (same document, ConfigMap and key) in a manifest read again."""
    found = next((c for c in (manifest.configs if manifest else []) if c.document == config.document and c.selector == config.selector), None)
    if found is None and not missing_ok:
        raise EditError(f"internal error: {config.name} is gone after writing it back")
    return found
