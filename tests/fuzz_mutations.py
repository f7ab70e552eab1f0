"""Byte and structure mutations of a YAML file for the fuzz test (tests/test_fuzz_commands.py).

Each mutation takes the file's bytes and a random.Random and returns new bytes; `mutate`
applies one to three of them. Everything is drawn from the Random it is given, so a case is
reproduced by its seed alone.
"""

from __future__ import annotations

import random
import re

# Scalars that YAML 1.1 (the server's PyYAML) and our parser have views on.
SCALARS = [
    ".nan", ".NaN", ".inf", "-.inf", "~", "null", "", "yes", "No", "on", "off", "y", "0777", "0o17", "0x1F",
    "0b101", "1_000", "1:20", "1e3", "+12", "-0", "2024-01-01", "2024-01-01T10:00:00Z", "2024-13-45",
    "2001-12-14 21:59:43.10 -5", "!!binary aGVsbG8=", "!!binary ###", "!!set {a, b}", "!!omap [a: 1, b: 2]",
    "!!str 5", "!!int '7'", "!!float x", "!!bool yes", "!!null ''", "!!timestamp nope", "!custom x", "!!map {}",
    "''", '""', '"\\u00e9\\t"', "'it''s'", "{}", "[]", "{a: 1, b: [2, 3]}", "[a, {b: c}]", "|\n  text\n",
    ">-\n  folded\n", "${env.FUZZ_X:=y}", "${env.FUZZ_X}", "${env.FUZZ_X:+set}", "${env.lower:=1}", "${env.X",
    "redis://:pw@h:6379", "postgresql://u:pw@h/db", "a: b", "#x", "- x", "? k", "é€😀", "\x00", "\t", "8321",
    "-1", "65536", "kv_default", "sql_default", "true", "3.14",
]  # fmt: skip

_INTERESTING_BYTES = b":-{}[]&*!|>'\"#%@`,?\t\r\n\x00\xff\xef\xbb\xbf 0aZ."
_KEY_VALUE_LINE = re.compile(rb"^(?P<head>\s*(?:- )?[^\s#:][^:#\n]*:)(?P<rest>[ \t][^\n]*)?$", re.MULTILINE)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def byte_flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.choice(_INTERESTING_BYTES)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(out))
        out[pos] = rng.choice(_INTERESTING_BYTES) if rng.random() < 0.8 else rng.randrange(256)
    return bytes(out)


def delete_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    del lines[start : start + rng.randint(1, 3)]
    return b"".join(lines)


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    block = lines[start : start + rng.randint(1, 4)]
    lines[start:start] = block
    return b"".join(lines)


def shift_indent(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    shift = rng.choice([-4, -2, -1, 1, 2, 4])
    for i in range(start, min(len(lines), start + rng.randint(1, 6))):
        line = lines[i]
        lines[i] = b" " * shift + line if shift > 0 else line[min(-shift, len(line) - len(line.lstrip(b" "))) :]
    return b"".join(lines)


def _value_lines(data: bytes) -> list[re.Match]:
    return list(_KEY_VALUE_LINE.finditer(data))


def replace_scalar(data: bytes, rng: random.Random) -> bytes:
    """`key: value` -> `key: <a tricky scalar>` on a random line."""
    found = _value_lines(data)
    if not found:
        return data + b"fuzz: " + rng.choice(SCALARS).encode() + b"\n"
    m = rng.choice(found)
    return data[: m.end("head")] + b" " + rng.choice(SCALARS).encode() + data[m.end() :]


def add_tag(data: bytes, rng: random.Random) -> bytes:
    found = _value_lines(data)
    if not found:
        return data
    m = rng.choice(found)
    tag = rng.choice([b"!!str", b"!!int", b"!!float", b"!!bool", b"!!null", b"!!map", b"!!seq", b"!!binary", b"!!timestamp", b"!x", b"!<tag:yaml.org,2002:str>"])
    return data[: m.end("head")] + b" " + tag + (m["rest"] or b"") + data[m.end() :]


def anchors_and_aliases(data: bytes, rng: random.Random) -> bytes:
    """An anchor on one value and an alias (or a merge key) to it elsewhere, or an undefined one."""
    found = _value_lines(data)
    if len(found) < 2:
        return data + b"a: &x [1, 2]\nb: *x\n"
    first, second = sorted(rng.sample(found, 2), key=lambda m: m.start())
    name = rng.choice([b"x", b"anchor", b"a1"])
    alias = rng.choice([b" *" + name, b" *undefined", b" {<<: *" + name + b"}", b" [*" + name + b", *" + name + b"]"])
    out = data[: second.end("head")] + alias + data[second.end() :]
    if rng.random() < 0.9:
        out = out[: first.end("head")] + b" &" + name + (first["rest"] or b"") + out[first.end() :]
    return out


def alias_bomb(data: bytes, rng: random.Random) -> bytes:
    """A small file whose aliases expand to millions of items (billion laughs)."""
    depth = rng.randint(4, 9)
    lines = [b"l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [b"l%d: &l%d [" % (i, i) + b", ".join([b"*l%d" % (i - 1)] * 9) + b"]" for i in range(1, depth)]
    return data + b"\n" + b"\n".join(lines) + b"\n"


def bom(data: bytes, rng: random.Random) -> bytes:
    mark = b"\xef\xbb\xbf"
    where = rng.choice(["start", "double", "middle"])
    if where == "start":
        return mark + data
    if where == "double":
        return mark + mark + data
    pos = rng.randrange(len(data) + 1)
    return data[:pos] + mark + data[pos:]


def line_ends(data: bytes, rng: random.Random) -> bytes:
    lf = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    style = rng.choice([b"\r\n", b"\r", "mixed"])
    if style != "mixed":
        return lf.replace(b"\n", style)
    return b"".join(line.rstrip(b"\n") + rng.choice([b"\n", b"\r\n", b"\r"]) for line in lf.splitlines(keepends=True))


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([50, 200, 300, 480, 495, 499, 500, 501, 520, 700])
    if rng.random() < 0.5:
        value = b"[" * depth + b"]" * depth
        return data + b"\ndeep: " + value + b"\n"
    lines = [b"  " * i + b"k%d:" % i for i in range(depth)]
    return data + b"\ndeep:\n" + b"\n".join(b"  " + line for line in lines) + b" 1\n"


def huge_key(data: bytes, rng: random.Random) -> bytes:
    size = rng.choice([1022, 1025, 4096, 70_000, 300_000])
    key = (rng.choice([b"k", b"\xc3\xa9", b"ab"]) * size)[:size]
    line = rng.choice([key + b": 1\n", b'"' + key + b'": 1\n', b"? " + key + b"\n: 1\n"])
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), line)
    return b"".join(lines)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


MUTATIONS = [
    byte_flip, delete_lines, duplicate_lines, shift_indent, replace_scalar, replace_scalar, add_tag,
    anchors_and_aliases, alias_bomb, bom, line_ends, deep_nesting, huge_key, truncate,
]  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """`data` after one to three random mutations, and their names."""
    names = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        mutation = rng.choice(MUTATIONS)
        data = mutation(data, rng)
        names.append(mutation.__name__)
    return data, names
