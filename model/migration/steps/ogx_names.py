"""`~/.llama` paths and `LLAMA_STACK_*` variable names become the ogx names (ogx 1.0, #5613).

Checked in ogx 1.0.4 core/utils/config_dirs.py: the server's directory is OGX_CONFIG_DIR
(default ~/.ogx), and at startup migrate_legacy_config_dir() moves an existing ~/.llama to
~/.ogx (when ~/.ogx does not exist yet), so a path into ~/.llama points at nothing afterwards.
The variables the server itself reads were renamed LLAMA_STACK_X -> OGX_X (OGX_PORT,
OGX_CONFIG_DIR, OGX_LOGGING, ... in ogx's os.getenv calls); a placeholder naming one of them now
names the ogx one. Other LLAMA_STACK_* placeholders are the operator's own and stay.
"""

from __future__ import annotations

import re

from ...document import Document
from ...yamlpath import format_path
from ...variables import scalar_values
from . import Context, Outcome, Step

OLD_DIR, NEW_DIR = "~/.llama", "~/.ogx"
# read by llama-stack 0.7.3 as LLAMA_STACK_X and by ogx 1.0.4 as OGX_X (os.getenv in both packages)
SERVER_VARIABLES = ("CONFIG", "CONFIG_DIR", "DISABLE_VERSION_CHECK", "LOGGING", "LOG_FILE", "LOG_FORMAT", "LOG_WIDTH", "PORT", "TRACE_WARNINGS", "UI_PORT")
_VARIABLE = re.compile(r"\$\{env\.LLAMA_STACK_(" + "|".join(SERVER_VARIABLES) + r")\b")
_DIR = re.compile(re.escape(OLD_DIR) + r"(?=/|$|\})")


def _new(value: str) -> str:
    return _VARIABLE.sub(r"${env.OGX_\1", _DIR.sub(NEW_DIR, value))


def _changes(doc: Document) -> tuple[list, list]:
    edits, manual = [], []
    for path, node in scalar_values(doc.root, ()):
        if isinstance(node.value, str) and _new(node.value) != node.value:
            if node.style in ("|", ">") or node.anchor:
                manual.append((path, node))
            else:
                edits.append((path, node.value, _new(node.value)))
    return edits, manual


def _apply(doc: Document, ctx: Context) -> Outcome:
    edits, manual = _changes(doc)
    doc.set_scalars([(path, new) for path, _, new in edits])
    out = Outcome(done=[f"{format_path(path)}: {old} -> {new}" for path, old, new in edits])
    if edits:
        out.done.insert(0, f"{len(edits)} value{'s' if len(edits) != 1 else ''} renamed to the ogx names (~/.llama is ~/.ogx, LLAMA_STACK_X is OGX_X):")
        out.notes.append("ogx moves ~/.llama to ~/.ogx at its first start only when ~/.ogx does not exist yet (and OGX_CONFIG_DIR is unset); "
                         "otherwise move the data yourself. Set OGX_* instead of LLAMA_STACK_* in the server's environment.")
    out.manual += [f"{format_path(p)} (line {n.line + 1}): rename ~/.llama / LLAMA_STACK_* by hand (a block scalar or an anchored value)" for p, n in manual]
    return out


STEP = Step(
    name="ogx-names",
    line="ogx-1.0",
    upstream="ogx #5613 rename (1.0.0: core/utils/config_dirs.py OGX_CONFIG_DIR, migrate_legacy_config_dir)",
    title="~/.llama paths and LLAMA_STACK_* variables become ~/.ogx and OGX_*",
    detect=lambda doc, ctx: any(_changes(doc)),
    apply=_apply,
)
