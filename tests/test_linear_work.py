"""Work in proportion to the file: places that were quadratic, each checked by a count (of the
characters of the text copied or scanned, of comparisons, of re-parses, of Python lines run),
never a time. Found by running every command on large files of many shapes (bench/shapes.py):
a comment line above each store config made `migrate` copy all the text before each one (5,000
providers: 6.2 s instead of 0.8 s); 20,000 `{{ }}` and 20,000 `${X}` values made `validate`
compare each `${` with every `{{ }}` and look up each finding's key by a scan of its 40,000-key
mapping (37 s for a 1 MB file, now 0.9 s); a key written twice in each of 1,000 providers made
`upgrade` re-parse the file once per copy (32 s, now 0.4 s). And three regexes took time
quadratic in a run of `{{` or `${` without an end, or of blanks without a `#` (each start of a
search scanned the rest again): 30,000 `{{ ` in a 90 KB value took `validate` 10 s, now 0.14 s.
"""

from __future__ import annotations

import random
import re
import sys

from llama_config.model.errors import ParseError
from llama_config.model.line_blocks import KeyBlock
from llama_config.model.migration.rewrite import _removal
from llama_config.model.templates import _go_actions, _other_dollars, explain_parse_error, template_spans
from llama_config.model.text_positions import TextPositions, comment_start
from llama_config.model.yamlparse import parse
from tests.test_fuzz_commands import watchdog


class CountingText(str):
    """A text that counts the characters its slices copy and its count() and endswith() look at."""

    examined: int

    def __new__(cls, text: str) -> "CountingText":
        obj = super().__new__(cls, text)
        obj.examined = 0
        return obj

    def __getitem__(self, key):  # type: ignore[override]
        part = super().__getitem__(key)
        self.examined += len(part)
        return part

    def count(self, sub, start=0, end=sys.maxsize):  # type: ignore[override]
        self.examined += max(0, min(end, len(self)) - start)
        return super().count(sub, start, end)

    def endswith(self, suffix, start=0, end=sys.maxsize):  # type: ignore[override]
        self.examined += max(len(s) for s in (suffix if isinstance(suffix, tuple) else (suffix,)))
        return super().endswith(suffix, start, end)


def executed_lines(call) -> int:
    """The number of Python lines `call()` runs (deterministic, unlike its time)."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


def growth(work_for_size) -> float:
    """How the work grows from size n to 2n to 3n: 1.0 when it is linear (the step from 2n to
    3n costs what the step from n to 2n did; a fixed cost cancels out), 1.67 when quadratic."""
    w1, w2, w3 = (work_for_size(k) for k in (1, 2, 3))
    return (w3 - w2) / (w2 - w1)


def _stores_with_comments(count: int) -> str:
    return "providers:\n  vector_io:\n" + "".join(
        f"  - provider_id: p{i}\n    config:\n      # the store\n      kvstore:\n        db_path: /tmp/{i}.db\n" for i in range(count)
    )


def test_the_comments_above_a_key_deep_in_the_file_are_found_without_copying_the_text_before():
    text = _stores_with_comments(2000)
    root = parse(text)
    positions = TextPositions()
    positions.text = CountingText(text)
    last = root.get("providers").get("vector_io").items[-1].get("config").items[-1][0]  # the last `kvstore:`
    line_start = text.rfind("\n", 0, last.start) + 1
    assert positions._attached_comment_start(line_start, last.column) == text.rfind("      # the store", 0, line_start)
    assert positions.text.examined < 200  # the lines it looked at, not the 150,000 characters before


def test_a_header_above_the_first_key_is_still_the_file_s_not_the_key_s():
    text = "%YAML 1.1\n---\n# the file's header\nversion: 2\n"
    positions = TextPositions()
    positions.text = text
    line_start = text.index("version")
    assert positions._attached_comment_start(line_start, 0) == line_start
    positions.text = "a: 1\n# about b\nb: 2\n"
    assert positions._attached_comment_start(positions.text.index("b:"), 0) == positions.text.index("# about b")


def test_a_removed_block_looks_at_the_line_before_it_only():
    text = CountingText(_stores_with_comments(2000) + "\nstorage: {}\n")
    start = text.index("storage:")
    block = KeyBlock(start, start, len(text), 0, "", True)
    assert _removal(text, block) == (start, len(text), "")
    assert text.examined < 100


def test_template_syntax_is_found_in_linear_work():
    def work(k: int) -> int:
        text = "x:\n" + "".join(f'  a{i}: "{{{{ .V{i} }}}}"\n  b{i}: "${{V{i}}}"\n' for i in range(300 * k))
        return executed_lines(lambda: template_spans(text))

    assert growth(work) < 1.3


def test_the_template_a_parse_error_is_at_is_found_counting_each_line_once():
    text = "x:\n" + "".join(f'  a{i}: "{{{{ .V{i} }}}}"\n' for i in range(2000)) + "  b: {{ .Values.b }}\n"
    try:
        parse(text)
    except ParseError as exc:
        error = exc
    counting = CountingText(text)
    explain_parse_error(error, counting)
    assert "`{{ .Values.b }}` is Go/Helm template syntax" in error.message and error.line == 2002
    assert counting.examined < 3 * len(text)  # (it counted the lines up to every template afresh: 2,000 times the text)


def test_each_key_of_a_large_mapping_is_found_without_a_scan():
    class Key(str):
        compared = 0

        def __eq__(self, other):  # (a subclass on the right is asked first: every comparison is counted)
            Key.compared += 1
            return str.__eq__(self, other)

        __hash__ = str.__hash__

    mapping = parse("".join(f"k{i}: {i}\n" for i in range(20_000)))
    for i in range(0, 20_000, 97):
        assert mapping.get(Key(f"k{i}")).value == i
    assert Key.compared < 1_000  # a scan compared 100 keys on average per look-up, 2 million in all
    small = parse("a: 1\nb: 2\n1: x\n")
    assert small.get("b").value == 2 and small.get(1.0).value == "x" and small.get(True).value == "x"
    large = parse("".join(f"k{i}: {i}\n" for i in range(40)) + "1: x\nk0: 0\n")
    assert large.get(1.0).value == "x" and large.get(True).value == "x" and large.get([1]) is None
    assert large.pair("k0")[0].line == 0  # the first copy of a key written twice, as the scan found it


def _kv_providers_with_a_repeated_key(count: int) -> str:
    return "version: 2\nproviders:\n  vector_io:\n" + "".join(
        f"  - provider_id: f{i}\n    provider_type: inline::faiss\n    provider_type: inline::faiss\n    config:\n"
        f"      kvstore:\n        type: sqlite\n        type: sqlite\n        db_path: /tmp/{i}.db\n"
        for i in range(count)
    )


def test_the_earlier_copies_of_every_repeated_key_go_in_one_checked_edit(monkeypatch):
    """upgrade removed each earlier copy with its own edit and re-parse: 1,000 providers with a
    key written twice took 32 s, 5,000 over ten minutes (now 0.4 s)."""
    from llama_config.model.document import Document
    from llama_config.model.migration.steps.repeated_keys import drop_repeats, repeated_key_paths

    doc = Document(_kv_providers_with_a_repeated_key(300))
    data = doc.data
    parses = 0
    set_text = Document._set_text

    def counted(self, *args, **kwargs):
        nonlocal parses
        parses += 1
        return set_text(self, *args, **kwargs)

    monkeypatch.setattr(Document, "_set_text", counted)
    dropped = drop_repeats(doc, repeated_key_paths(doc))
    assert len(dropped) == 600 and parses == 1
    assert doc.data == data and not doc.repeated_keys
    assert dropped[0] == (("providers", "vector_io", 0, "provider_type"), [5])


def test_migrate_finds_the_repeated_keys_inside_what_it_moves_in_linear_work(monkeypatch):
    from llama_config.model.document import Document
    from llama_config.model.migration import apply
    from llama_config.model.migration.plan import make_plan

    monkeypatch.setattr(apply, "drop_repeats", lambda doc, paths: sorted(paths))  # (only the looking is counted)

    def work(k: int) -> int:
        doc = Document(_kv_providers_with_a_repeated_key(150 * k))
        plan = make_plan(doc.data)
        return executed_lines(lambda: apply._drop_repeats(doc, plan, []))

    assert growth(work) < 1.3


def test_the_check_for_repeated_keys_on_each_path_of_a_rename_is_linear():
    """rename-backend checks every reference's path for a key written twice (set_scalars): the
    set of repeated keys was made again for each of them (5,000 such providers: 3.6 s, 10,000: 11 s)."""
    from llama_config.model.document import Document

    def work(k: int) -> int:
        doc = Document(_kv_providers_with_a_repeated_key(100 * k).replace("        type: sqlite\n", "        backend: kv_default\n", 1))
        paths = [("providers", "vector_io", i, "config", "kvstore", "db_path") for i in range(100 * k)]
        return executed_lines(lambda: [doc._refuse_repeated(path) for path in paths])

    assert growth(work) < 1.3


# The regexes the finders replaced, kept here as the reference for what they must find.
GO_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
OTHER_DOLLAR = re.compile(r"\$\{(?!env\.)(?!\{)[^}\n]*\}")
TRAILING = re.compile(r"[ \t]+#[^\r\n]*")


def test_the_template_and_comment_finders_find_what_the_regexes_found():
    rng = random.Random(20261206)
    pieces = ["{", "}", "$", "env.", "\n", " ", "x", "{{", "}}", "${", "#", "\t", "\r"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert list(_go_actions(text)) == [m.span() for m in GO_ACTION.finditer(text)], text
        assert list(_other_dollars(text)) == [m.span() for m in OTHER_DOLLAR.finditer(text)], text
        pos = rng.randint(0, len(text))
        end = rng.randint(pos, len(text))
        match = TRAILING.search(text, pos, end)
        assert comment_start(text, pos, end) == (match.start() if match else -1), (text, pos, end)


def test_many_openings_without_an_end_and_long_runs_of_blanks_are_read_in_linear_work():
    # a hang detector, not a timing assertion: these take milliseconds in linear work and
    # hours in quadratic (the regexes took 10 s on a 90 KB value)
    with watchdog(60):
        assert template_spans("x: '" + "{{ " * 1_000_000 + "'\n") == []
        assert template_spans("x: '" + "${ " * 1_000_000 + "'\n") == []
        assert comment_start("a: x" + " " * 2_000_000 + "y\n", 4, 2_000_005) == -1


def test_a_parse_error_on_a_very_long_line_masks_its_values_without_searching_the_line(tmp_path, capsys):
    """The search for the key before an error's column was quadratic in the line's length (a
    40,000-character line of dashes: validate 14 s). Past 2,000 characters the quoted values
    of the message are masked, whatever the key: never a secret shown for want of looking."""
    from llama_config.tui.cli import main

    def error(text: str) -> str:
        path = tmp_path / "run.yaml"
        path.write_text(text)
        assert main(["validate", str(path)]) == 2
        return capsys.readouterr().err

    with watchdog(60):
        assert "run.yaml:2:" in error("version: 2\ndistro_name: " + "-" * 1_000_000 + " b: c\n")
    assert "s3cret" not in error("version: 2\npassword: !!int s3cret\n")  # a secret's key
    assert "s3cret" in error("version: 2\nx: [a, !!int s3cret]\n")  # a short line, looked at: no secret's key
    assert "s3cret" not in error("version: 2\nx: [" + "a, " * 1000 + "!!int s3cret]\n")


def test_placeholders_env_files_toml_errors_and_masked_values_read_long_runs_in_linear_work():
    """Found by a regex audit: a `${env.X:=` with no `}` after it, a run of blanks before a
    value's end in an env file or a TOML error message, and a secret's placeholder with no
    `}` each made the regex scan the rest again from every start (40,000 characters: validate
    1 to 5 s; 400,000: minutes)."""
    from llama_config.model.envvars import _parse_env_value, find_placeholders, has_placeholder, lint_placeholders
    from llama_config.model.project_config import _toml_error
    from llama_config.model.redaction import shown_value

    class TomlError(Exception):
        pass

    with watchdog(60):
        value = "${env.A:=" * 100_000
        assert not has_placeholder(value) and find_placeholders(value) == [] and lint_placeholders(value)
        assert _parse_env_value("x" + " " * 1_000_000 + "x", "vars.env", 1) == "x" + " " * 1_000_000 + "x"
        message = "Cannot declare ('a" + " " * 1_000_000 + "',) twice (at line 2, column 1)"
        assert _toml_error(TomlError(message), "")[1:] == (2, 1)
        assert shown_value(("password",), "${env.PW:x}" + "${env.A" * 100_000) == "••••••"
    assert shown_value(("password",), "${env.PW:=x} ${env.Q}") == "${env.PW:=••••••} ${env.Q}"
    assert has_placeholder("a ${env.B} c") and [p.name for p in find_placeholders("${env.A:=${env.B}")] == ["A"]


IGNORE_COMMENT = re.compile(r"(?:^|[ \t])#[ \t]*llama-config:[ \t]*ignore(?:\[(?P<codes>[^\]]*)\])?(?=[\s,;.]|$)")
TABLE_HEADER = re.compile(r"^\s*\[(?!\[)\s*([^\]]+?)\s*\]")


def test_ignore_comments_and_toml_headers_are_found_as_the_regexes_found_them_in_linear_work():
    """A regex audit: `# llama-config: ignore[` with no `]` rescanned the line from each, and the
    TOML header regex was cubic in the blanks of a `[` line (3,200 in a pyproject.toml string:
    validate 14 s)."""
    import itertools

    from llama_config.model.project_config import _table_header
    from llama_config.model.suppression import ignore_comments

    rng = random.Random(20261206)
    pieces = [" ", "\t", "#", "llama-config:", "ignore", "[", "]", "a", ",", ";", ".", "# llama-config: ignore"]
    for _ in range(20_000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert list(ignore_comments(line)) == [m["codes"] for m in IGNORE_COMMENT.finditer(line)], line
    for size in range(5):
        for combo in itertools.product([" ", "\t", "[", "]", "a", ".", "\u3000"], repeat=size):
            line = "".join(combo)
            match = TABLE_HEADER.match(line)
            assert _table_header(line) == (match[1] if match else None), repr(line)
    with watchdog(60):
        assert list(ignore_comments(" # llama-config: ignore[" * 50_000)) == []
        assert _table_header("[" + " " * 1_000_000) is None
        assert _table_header("[ tool.llama-config" + " " * 1_000_000 + "]") == "tool.llama-config"


URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#]*)@")
KEY_VALUE = re.compile(r"(?P<key>\b[A-Za-z][A-Za-z0-9_\-]*)=(?P<value>[^\s&;,'\"]+)")
QUOTED = re.compile(r"(?:(?<!\w)|(?<=\bb))'(?:[^'\\\n]|\\.)*'(?!\w)|\"(?:[^\"\\\n]|\\.)*\"|`[^`\n]*`")


def test_message_masking_gives_what_the_regexes_gave_in_linear_work():
    """A regex audit: URL passwords, `key=value` secrets and quoted values in messages were
    masked by regexes quadratic in a run of `a.a.a…`, `a-a-a…` or `'\\'\\'…` (40,000 to 80,000
    characters of a message: 2 to 5 s)."""
    from llama_config.model import redaction

    def by_regexes(text: str) -> tuple[str, str]:
        redacted = KEY_VALUE.sub(redaction._mask_key_value, URL_USERINFO.sub(redaction._mask_userinfo, text))
        return redacted, QUOTED.sub(f"'{redaction.MASK}'", text)

    rng = random.Random(20261206)
    pieces = ["a", "b", ".", "-", "_", "://", ":", "@", "/", " ", "=", "&", "'", '"', "`", "\\", "\n", "password", "secret_key", "redis"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert (redaction.redact_text(text), redaction.mask_quoted(text)) == by_regexes(text), text
    with watchdog(60):
        assert redaction.redact_text("a." * 500_000 + "=") == "a." * 500_000 + "="
        assert redaction.redact_text("_-a" * 300_000 + " =") == "_-a" * 300_000 + " ="
        assert redaction.mask_quoted("'\\" * 500_000) == "'\\" * 500_000
    assert redaction.redact_text("redis://:pw@h password=x") == f"redis://:{redaction.MASK}@h password={redaction.MASK}"


def test_the_placeholders_of_one_value_are_linted_in_linear_work():
    """Each `${env.` looked for the placeholder holding it among all those before it: 5,000
    in one value took 0.7 s, 50,000 over a minute."""
    from llama_config.model.envvars import lint_placeholders

    def value(k: int) -> str:
        return "".join(f"${{env.A{i}}} ${{env.b{i}}} ${{env.C:=${{env.D{i}}}}} " for i in range(400 * k))

    assert growth(lambda k: executed_lines(lambda: lint_placeholders(value(k)))) < 1.3
    codes = [p.code for p in lint_placeholders(value(1))]
    assert codes == ["env-lowercase-name", "env-nested"] * 400  # the valid ones pass, the swallowed `${env.D` is not reported twice
