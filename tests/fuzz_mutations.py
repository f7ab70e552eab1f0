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
    "-1", "65536", "kv_default", "sql_default", "true", "3.14", '"\\e[2J\\e]0;t\\a"', '"a\\rb\\x9b"', '"\\ud800"',
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


def unicode_breaks(data: bytes, rng: random.Random) -> bytes:
    """NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR: line breaks to PyYAML, not to most editors."""
    mark = rng.choice(["\x85", "\u2028", "\u2029"]).encode()
    if rng.random() < 0.5 and b"\n" in data:
        breaks = [i for i, byte in enumerate(data) if byte == 0x0A]
        pos = rng.choice(breaks)
        return data[:pos] + mark + data[pos + 1 :]
    pos = rng.randrange(len(data) + 1)
    return data[:pos] + mark + data[pos:]


def comments(data: bytes, rng: random.Random) -> bytes:
    """A comment line at some indentation, a comment after a value, or a `#` a value holds."""
    lines = _lines(data)
    i = rng.randrange(len(lines))
    line = lines[i]
    kind = rng.choice(["line", "after", "inside"])
    if kind == "line":
        lines.insert(i, b" " * rng.choice([0, 1, 2, 4, 6, 8]) + rng.choice([b"#", b"# note", b"#- x: y", b"# \xc3\xa9 ${env.X}"]) + b"\n")
    else:
        body = line.rstrip(b"\r\n")
        lines[i] = body + (rng.choice([b" # note", b"  #", b"\t# tab"]) if kind == "after" else b"#x") + line[len(body) :]
    return b"".join(lines)


def quote_keys(data: bytes, rng: random.Random) -> bytes:
    """`key:` -> `'key':`, `"key":` or `? key` with its value on a `:` line of its own (or the
    `?` alone on a line, the key below it)."""
    found = [m for m in _value_lines(data) if not m["head"].lstrip().startswith(b"- ")]
    if not found:
        return data
    m = rng.choice(found)
    head = m["head"]
    indent = head[: len(head) - len(head.lstrip())]
    key = head.strip()[:-1]
    style = rng.choice(["single", "double", "explicit", "explicit-split"])
    if style == "explicit":
        new = indent + b"? " + key + b"\n" + indent + b":" + (m["rest"] or b"")
    elif style == "explicit-split":
        new = indent + b"?\n" + indent + b"  " + key + b"\n" + indent + b":" + (m["rest"] or b"")
    else:
        quote = b"'" if style == "single" else b'"'
        new = indent + quote + key + quote + b":" + (m["rest"] or b"")
    return data[: m.start()] + new + data[m.end() :]


def document_markers(data: bytes, rng: random.Random) -> bytes:
    """`---`, `...`, a %YAML directive, or a second document."""
    choice = rng.choice(["start", "directive", "end", "second", "tagged"])
    if choice == "start":
        return b"---\n" + data
    if choice == "directive":
        return rng.choice([b"%YAML 1.1\n---\n", b"%YAML 1.2\n---\n", b"%TAG !e! tag:example.com,2000:\n---\n"]) + data
    if choice == "end":
        return data + (b"" if data.endswith(b"\n") else b"\n") + b"...\n"
    if choice == "second":
        return data + b"\n---\nversion: 2\n"
    return b"--- !!map\n" + data


def continuation(data: bytes, rng: random.Random) -> bytes:
    """A plain value folded onto a more indented line below its key."""
    found = [m for m in _value_lines(data) if m["rest"] and b" " in m["rest"].strip() and b"#" not in m["rest"] and not m["rest"].lstrip().startswith((b"'", b'"', b"[", b"{"))]
    if not found:
        return data
    m = rng.choice(found)
    rest = m["rest"]
    cut = rest.rindex(b" ")
    indent = len(m["head"]) - len(m["head"].lstrip()) + rng.choice([1, 2, 4])
    return data[: m.end("head")] + rest[:cut] + b"\n" + b" " * indent + rest[cut + 1 :] + data[m.end() :]


MUTATIONS = [
    byte_flip, delete_lines, duplicate_lines, shift_indent, replace_scalar, replace_scalar, add_tag,
    anchors_and_aliases, alias_bomb, bom, line_ends, deep_nesting, huge_key, truncate,
    unicode_breaks, comments, quote_keys, document_markers, continuation,
]  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """`data` after one to three random mutations, and their names."""
    names = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        mutation = rng.choice(MUTATIONS)
        data = mutation(data, rng)
        names.append(mutation.__name__)
    return data, names


_SECRET_KEYS = [b"password", b"api_key", b"client_secret", b"token", b"aws_secret_access_key", b"passphrase"]


def plant_secret(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """`data` with one value made a secret no output may show: a secret-named key's value, or a
    URL's password; and that secret (the fuzz test looks for it in everything printed)."""
    secret = "s3cr3t%08x" % rng.getrandbits(32)
    key = rng.choice(_SECRET_KEYS)
    value = rng.choice([
        secret, f'"{secret}"', f"'{secret}'", f"!!str {secret}", f"${{env.FUZZ_PW:={secret}}}",
        f"redis://:{secret}@h:6379/0", f"postgresql://u:{secret}@db/x",
    ]).encode()  # fmt: skip
    if value.startswith((b"redis:", b"postgresql:")):
        key = rng.choice([b"url", b"host", b"uri", key])
    found = _value_lines(data)
    if not found:
        return data + key + b": " + value + b"\n", secret
    m = rng.choice(found)
    head = m["head"]
    indent = head[: len(head) - len(head.lstrip())]
    dash = b"- " if head.lstrip().startswith(b"- ") else b""
    form = rng.choice(["line", "line", "flow", "folded"])
    if form == "flow":  # inside {...}, beside another value: `key: {x: 1, password: SECRET}`
        return data[: m.end("head")] + b" {x: 1, " + key + b": " + value + b"}" + data[m.end() :], secret
    if form == "folded" and value == secret.encode():  # a plain value over two lines
        more = b"\n" + indent + b" " * (len(dash) + 2) + b"more"
        return data[: m.start()] + indent + dash + key + b": " + value + more + data[m.end() :], secret
    return data[: m.start()] + indent + dash + key + b": " + value + data[m.end() :], secret
