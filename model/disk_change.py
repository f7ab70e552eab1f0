"""The file changed on disk since it was loaded: what the other writer changed, and what
overwriting their version would replace. Saving asks this before it shows its review."""

from __future__ import annotations

from dataclasses import dataclass

from .document import Document, decode
from .errors import ConfigFileError
from .safefile import read_config_bytes


def unified_diff(before: str, after: str, from_label: str, to_label: str, context: int = 3) -> str:
    """A unified diff; a last line without a line break is marked as `diff` marks it (else the
    next line of the diff would be glued to it)."""
    import difflib  # only saving and --dry-run need it

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=from_label, tofile=to_label, n=context)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass(frozen=True)
class DiskChange:
    name: str
    loaded: str  # the file's text when it was loaded (or last saved)
    disk: str | None  # its text now; None when it cannot be read
    problem: str  # why it cannot be read ("" when it can)

    def theirs(self) -> str:
        """What the other writer changed: the loaded text -> the text on disk now."""
        if self.disk is None:
            return ""
        return unified_diff(self.loaded, self.disk, f"{self.name} (as you loaded it)", f"{self.name} (on disk now)")

    def overwrite(self, ours: str) -> str:
        """What overwriting writes over their version: the text on disk now -> ours."""
        return unified_diff(self.disk or "", ours, f"{self.name} (on disk now)", f"{self.name} (yours)")


def disk_change(doc: Document) -> DiskChange | None:
    """None when the file still holds what `doc` was loaded from (or last saved as)."""
    from .safefile import has_changed_on_disk

    if doc.snapshot is None or not has_changed_on_disk(doc.snapshot):
        return None
    name = doc.name or doc.snapshot.path
    loaded = doc.file_texts()[0]
    try:
        data, _ = read_config_bytes(doc.snapshot.path)
        text, _ = decode(data, doc.snapshot.path)
    except ConfigFileError as exc:
        return DiskChange(name, loaded, None, exc.message)
    return DiskChange(name, loaded, text, "")
