"""Quick fixes: the one-key repair of a finding that names its own fix.

A finding that says "did you mean 'X'?" (a misspelt key, backend type, provider id ...) or a
quota period other than `day` carries everything needed to repair it: rename the key, or set
the value, to what it suggests. The editor offers this in the problems list and in the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic
from .yamlpath import Path, format_path

_SUGGESTION = re.compile(r"did you mean '([^']+)'\?")


@dataclass(frozen=True)
class QuickFix:
    path: Path
    new: str
    rename_key: bool  # True: rename the key at `path` to `new`; False: set its value to `new`

    @property
    def label(self) -> str:
        if self.rename_key:
            return f"rename {format_path(self.path)} to {self.new}"
        return f"set {format_path(self.path)} to {self.new}"


def quick_fix(diagnostic: Diagnostic, doc: Any) -> QuickFix | None:
    """The fix `diagnostic` suggests, if it suggests one that still applies to `doc`."""
    path = diagnostic.path
    if not path or doc.node_at(path) is None:
        return None
    if diagnostic.code == "quota-period":
        return QuickFix(path, "day", rename_key=False)
    found = _SUGGESTION.search(diagnostic.message)
    if found is None:
        return None
    new = found.group(1)
    # the finding quotes what was written: the key itself (a misspelt field) or its value
    if isinstance(path[-1], str) and f"'{path[-1]}'" in diagnostic.message.split("did you mean")[0]:
        return QuickFix(path, new, rename_key=True)
    if isinstance(doc.value_at(path), str):
        return QuickFix(path, new, rename_key=False)
    return None


def apply_fix(fix: QuickFix, doc: Any) -> None:
    if fix.rename_key:
        doc.rename_key(fix.path, fix.new)
    else:
        doc.set(fix.path, fix.new)
