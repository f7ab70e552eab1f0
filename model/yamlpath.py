"""YAML paths as operators write them: `providers.vector_io[0].config.persistence.backend`.

A key that holds a dot, a bracket or a space is written in brackets and quotes:
`storage.backends["kv.main"].db_path`. `providers.inference[ollama]` names a provider by its
id (provider_ops.lookup.resolve_ids turns it into the index).
"""

from __future__ import annotations

import re

Path = tuple  # of str keys and int sequence indexes

_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_:\-/]+$")
_TOKEN = re.compile(r"""\.?([^.\[\]"']+)|\[(\d+)\]|\[(["'])(.*?)\3\]|\[([^\]\["']+)\]""")


class PathSyntaxError(ValueError):
    pass


def format_path(path: Path) -> str:
    out = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            dotted, bracketed = _key_texts(part)
            out.append(dotted if out else bracketed)
    return "".join(out)


# key -> (its text after another part, its text first): paths repeat the same few keys
# (a report of 50,000 providers formats hundreds of thousands of paths)
_KEY_TEXTS: dict = {}


def _key_texts(part) -> tuple[str, str]:
    texts = _KEY_TEXTS.get(part) if isinstance(part, str) else None
    if texts is None:
        text = str(part)
        texts = (f".{text}", text) if _SIMPLE_KEY.match(text) else (f'["{part}"]',) * 2
        if isinstance(part, str) and len(_KEY_TEXTS) < 10_000:
            _KEY_TEXTS[part] = texts
    return texts


def parse_path(text: str) -> Path:
    """Parse `a.b[0]["c.d"]`; raises PathSyntaxError for anything else."""
    if not text or text.startswith(".") or text.endswith("."):
        raise PathSyntaxError(f"{text!r} is not a path like storage.backends.kv_default.db_path")
    parts: list = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or (m.group(1) is not None and pos and text[pos] != "." ) or m.end() == pos:
            raise PathSyntaxError(f"cannot read the path {text!r} at character {pos + 1}")
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        elif m.group(4) is not None:
            parts.append(m.group(4))
        else:  # `[ollama]`: a key, or in a list of providers the one with that id
            parts.append(m.group(5))
        pos = m.end()
    return tuple(parts)
