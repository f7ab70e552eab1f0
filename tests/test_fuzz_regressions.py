"""Bugs the fuzz test (tests/test_fuzz_commands.py) found, each kept as a plain regression test."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.errors import ConfigFileError
from llama_config.model.yamldata import same_data
from llama_config.model.yamlparse import MAX_DEPTH
from llama_config.tui.cli import main


def _pyyaml_from_an_empty_stack(text: str):
    box: list = []
    thread = threading.Thread(target=lambda: box.append(_try(yaml.safe_load, text)))
    thread.start()
    thread.join()
    return box[0]


def _try(load, text):
    try:
        return load(text)
    except RecursionError as exc:
        return exc


@pytest.mark.parametrize("flow", [True, False])
def test_what_llama_config_reads_pyyaml_reads_at_any_nesting(flow):
    """Nesting of 490 to 500 levels was read here, though PyYAML (the server) stops near 490."""
    def nested(depth: int) -> str:
        if flow:
            return "deep: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
        return "".join(" " * (2 * i) + f"k{i}:\n" for i in range(depth - 1)) + " " * (2 * depth) + "x\n"

    assert not isinstance(_pyyaml_from_an_empty_stack(nested(MAX_DEPTH)), RecursionError)
    assert same_data(Document(nested(MAX_DEPTH)).data, _pyyaml_from_an_empty_stack(nested(MAX_DEPTH)))
    assert isinstance(_pyyaml_from_an_empty_stack(nested(495)), RecursionError)
    with pytest.raises(ConfigFileError, match="nested more than"):
        Document(nested(495))


@pytest.mark.parametrize("text, value", [
    ("2001-12-14 21:59:43.10 -5", datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, datetime.timezone(datetime.timedelta(hours=-5)))),
    ("2024-01-01", datetime.date(2024, 1, 1)),
    ("!!binary aGVsbG8=", b"hello"),
    ("!!set {a, b}", {"a", "b"}),
    ("[2024-01-01, !!binary aGVsbG8=]", [datetime.date(2024, 1, 1), b"hello"]),
])  # fmt: skip
def test_set_writes_dates_bytes_and_sets_so_pyyaml_reads_them_back(tmp_path, text, value):
    """Such values were written as strings, and the edit was refused as an internal error."""
    path = tmp_path / "run.yaml"
    path.write_text("version: 2\nextra:\n  a: 1\n  flow: {b: 2}\n")
    assert main(["set", str(path), f"extra.a={text}", f"extra.flow.b={text}"]) == 0
    data = yaml.safe_load(path.read_text())
    assert same_data(data["extra"], {"a": value, "flow": {"b": value}})


def test_set_on_an_empty_list_item_at_the_end_of_the_file(tmp_path):
    """`-` with nothing after it: the value was glued to the dash (`-5`), an invalid edit."""
    for text in ("a:\n- 1\n-", "a:\n- 1\n-\n", "a:\n- 1\n-  # note\n"):
        path = tmp_path / "run.yaml"
        path.write_text(text)
        assert main(["set", str(path), "a[1]=5"]) == 0
        assert yaml.safe_load(path.read_text()) == {"a": [1, 5]}
    assert path.read_text() == "a:\n- 1\n- 5  # note\n"


def test_setting_a_value_to_what_it_is_keeps_the_file_byte_for_byte(tmp_path):
    """`0x1F90` is 8080 already; so is an aliased value, which must not be refused as shared."""
    original = "server:\n  port: 0x1F90  # hex\n  host: &h \"localhost\"\nother: *h\n"
    path = tmp_path / "run.yaml"
    path.write_text(original)
    assert main(["set", str(path), "server.port=8080", "other=localhost", "server.host=localhost"]) == 0
    assert path.read_text() == original


@pytest.mark.parametrize("text", [
    "storage:\n  backends:\n    kv_default: {type: kv_sqlite, db_path: /tmp/x.db}\n  stores:\n"
    "    metadata: {backend: kv_default, namespace: !!set {a, b}}\n    prompts: {backend: kv_default, namespace: p}\n",
    "version: 2\napis: [inference, [a, {b: c}]]\nproviders: {}\n",
    # a list as a provider_id (seed 12): the release refuses it ("provider_id: Input should be a
    # valid string"); it was taken for a disabled provider, then crashed the resource check
    "version: 2\ndistro_name: x\napis: [tool_runtime]\nproviders:\n  tool_runtime:\n"
    "  - {provider_id: [], provider_type: inline::file-search, config: {}}\n",
    # a list as a registered model's provider_id (seed 32): a type error, not a crash
    "version: 2\ndistro_name: x\napis: [inference]\nproviders:\n  inference:\n"
    "  - {provider_id: o, provider_type: remote::ollama, config: {base_url: 'http://x'}}\n"
    "registered_resources:\n  models:\n  - {model_id: m, provider_id: [a]}\n",
])
def test_unhashable_values_where_names_belong_are_reported_not_a_crash(tmp_path, text, capsys):
    """A `!!set` namespace and a list inside `apis` ended in TypeError: unhashable (exit 3)."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    for server in ("0.3", "ogx-1.5"):
        assert main(["validate", str(path), "--server", server]) == 1
        assert "internal error" not in capsys.readouterr().err


def test_setting_a_scalar_into_an_omap_list_is_refused_in_its_own_terms(tmp_path, capsys):
    """seed 11: `set version[0]=7` on a `!!omap` list was refused as an "internal error"."""
    path = tmp_path / "run.yaml"
    path.write_text("version: !!omap\n- a: 1\n- b: 2\n")
    before = path.read_bytes()
    assert main(["set", str(path), "version[0]=7"]) == 2
    err = capsys.readouterr().err
    assert "version is a !!omap list (one-entry mappings read as pairs): edit its items in the file itself" in err
    assert "internal error" not in err and path.read_bytes() == before
    assert main(["set", str(path), "version[0]={c: 3}"]) == 2 and "internal error" not in capsys.readouterr().err


def test_renaming_a_backend_named_through_an_anchor_used_elsewhere_is_refused(tmp_path, capsys):
    """seed 21: `backend: &x kv_default` with `*x` elsewhere; the rename would have changed the
    alias too, and was refused as an "internal error"."""
    path = tmp_path / "run.yaml"
    path.write_text(
        "storage:\n  backends:\n    kv_default: {type: kv_sqlite, db_path: /tmp/kv.db}\n"
        "  stores:\n    metadata:\n      backend: &x kv_default\n      namespace: [*x, *x]\n"
    )
    before = path.read_bytes()
    assert main(["rename-backend", str(path), "kv_default", "kv_new", "--server", "0.6"]) == 2
    err = capsys.readouterr().err
    assert "storage.stores.metadata.backend would also change *x at line 7" in err and "internal error" not in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("text", [
    # seed 31: PyYAML 6.0.4 (the releases' own) lets the last mapping of a merged list win ...
    "datasetio: &a1\n- provider_id: localfs\n- provider_id: nvidia\nscoring:\n- provider_id: {<<: *a1}\n",
    "a: &a {k1: 1, kk: 1}\nb: &b {k1: 2, kk: 2}\nc: {<<: [*a, *b], z: 0}\nd: {<<: *a, <<: *b}\n",
    "a: &a {kk: 1}\nb: &b {<<: *a, kk: 2}\nc: {<<: [*b, *a]}\ne: {<<: [*a, *a]}\n",
    # ... except for one-character keys, whose strings CPython shares: there the first wins
    "a: &a1\n- x: p\n- x: q\nb: {<<: *a1}\n",
])
def test_merge_keys_give_what_the_servers_pyyaml_gives(text):
    assert same_data(Document(text).data, yaml.safe_load(text))


def test_upgrade_adds_a_sql_backend_named_for_the_distro_where_the_file_has_none(tmp_path, capsys):
    """seed 5 (add-provider etc. joined the fuzz test): upgrading to ogx 1.0 a file whose
    batches provider needs a SQL store and that declares only KV backends ended in exit 3."""
    path = tmp_path / "run.yaml"
    path.write_text(
        "version: 2\ndistro_name: mini\napis:\n- batches\nproviders:\n  batches:\n  - provider_id: reference\n"
        "    provider_type: inline::reference\n    config:\n      kvstore:\n        namespace: batches\n        backend: kv_default\n"
        "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
        "  stores:\n    metadata:\n      backend: kv_default\n      namespace: registry\n"
    )
    assert main(["upgrade", str(path), "--from", "0.5", "--to", "ogx-1.0", "--output", str(tmp_path / "out.yaml")]) == 0
    assert "added storage.backends.sql_default" in capsys.readouterr().out
    data = yaml.safe_load((tmp_path / "out.yaml").read_text())
    assert data["storage"]["backends"]["sql_default"]["db_path"] == "${env.SQLITE_STORE_DIR:=~/.ogx/distributions/mini}/sqlstore.db"
    assert data["providers"]["batches"][0]["config"]["sqlstore"] == {"table_name": "batches", "backend": "sql_default"}


def test_a_diff_marks_a_last_line_without_a_line_break(tmp_path, capsys):
    """--dry-run on a file without a final line break glued the next diff line to its last one
    (`-b: 2+b: 2`); it is marked as `diff` marks it, so `patch` applies it too."""
    path = tmp_path / "run.yaml"
    path.write_text("a: 1\nb: 2")
    assert main(["set", str(path), "c=3", "--dry-run"]) == 0
    diff = capsys.readouterr().out
    assert diff.endswith(" a: 1\n-b: 2\n\\ No newline at end of file\n+b: 2\n+c: 3\n\\ No newline at end of file\n")
    assert path.read_text() == "a: 1\nb: 2"


@pytest.mark.parametrize(
    "argv",
    [
        ["add-provider", "{file}", "vector_io", "inline::faiss", "--server", "0.7", "--dry-run"],
        ["migrate", "{file}", "--server", "0.3", "--dry-run"],  # (it adds the stores 0.3 needs)
    ],
)
def test_a_list_written_as_a_backend_name_is_not_a_crash_when_names_are_handed_out(tmp_path, capsys, argv):
    """seed 8: add-provider on a file with `backend: [a, {b: c}]` ended in TypeError:
    unhashable (exit 3); so did migrate where it adds the stores a release needs."""
    path = tmp_path / "run.yaml"
    path.write_text(
        "version: 2\nimage_name: x\napis:\n- vector_io\nproviders:\n  vector_io: []\n"
        "  inference:\n  - provider_id: ollama\n    provider_type: remote::ollama\n    config:\n      url: ${env.OLLAMA_URL:http://localhost:11434}\n"
        "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
        "    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"
        "  stores:\n    metadata:\n      backend: [a, {b: c}]\n      namespace: registry\n"
    )
    code = main([str(path) if part == "{file}" else part for part in argv])
    err = capsys.readouterr().err
    assert code in (0, 1) and "internal error" not in err, err


_STORAGE_V03 = (
    "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
    "    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"
)


@pytest.mark.parametrize(
    ("versions", "text"),
    [
        # the base_url step looked the type up in a dict
        (["--from", "0.2", "--to", "ogx-1.0"],
         "version: 2\nimage_name: x\napis:\n- inference\nproviders:\n  inference:\n  - provider_id: ollama\n"
         "    provider_type: [remote::ollama]\n    config:\n      url: http://localhost:11434\n"),
        # the removed-providers step made a set of the ids of the providers it comments out
        (["--from", "0.6", "--to", "0.7"],
         "version: 2\ndistro_name: x\napis:\n- inference\nproviders:\n  inference:\n  - provider_id: [a]\n"
         "    provider_type: remote::tgi\n    config:\n      url: http://x\nregistered_resources:\n  models:\n"
         "  - model_id: m\n    provider_id: [a]\n" + _STORAGE_V03),
        # the check for pre-0.3 store configs (a !!set is no more hashable than a list)
        (["--to", "ogx-1.0"],
         "version: 2\ndistro_name: x\napis:\n- vector_io\nproviders:\n  vector_io:\n  - provider_id: faiss\n"
         "    provider_type: inline::faiss\n    config:\n      persistence:\n        namespace: !!set {a, b}\n"
         "        backend: kv_default\n" + _STORAGE_V03),
    ],
)  # fmt: skip
def test_upgrade_on_values_that_cannot_be_names_is_not_a_crash(tmp_path, capsys, versions, text):
    """Seeds 10, 21-23, once upgrade joined the fuzz test: values PyYAML reads as a list or a
    set where a name belongs ended in TypeError: unhashable (exit 3)."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    code = main(["upgrade", str(path), *versions, "--dry-run"])
    err = capsys.readouterr().err
    assert code in (0, 1) and "internal error" not in err, err
    assert path.read_text() == text


def test_upgrade_comments_out_list_items_past_the_tenth_in_their_own_order(tmp_path):
    """Seed 23: removing apis[9] before apis[10] (paths sorted as strings, "10" < "9") deleted the
    wrong item from the data the edit must give: exit 3 on any file listing the dropped APIs
    past the tenth."""
    kept = ["inference", "files", "vector_io", "tool_runtime", "batches", "responses", "file_processors", "conversations", "prompts"]
    path = tmp_path / "run.yaml"
    path.write_text(
        "version: 2\ndistro_name: x\napis:\n" + "".join(f"- {api}\n" for api in kept + ["eval", "scoring", "datasetio"]) + "providers: {}\n"
        "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
        "    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"
    )
    out = tmp_path / "out.yaml"
    assert main(["upgrade", str(path), "--from", "0.7", "--to", "ogx-1.0", "--force", "--output", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["apis"] == kept
    assert "# - eval\n# - scoring\n# - datasetio\n" in out.read_text()


@pytest.mark.parametrize("newline", ["\r", "\r\n", "mixed"])
def test_upgrade_comments_out_what_a_release_dropped_in_a_file_with_cr_line_ends(tmp_path, newline):
    """Seeds 901-906: a file with bare-CR line ends was split into lines at \\n alone, so only
    its first line was commented out and the edit failed its check (an internal error from
    upgrade, on any such file that lists a dropped API)."""
    lines = [
        "version: 2", "distro_name: x", "apis:", "- inference", "- safety", "providers:", "  inference:",
        "  - provider_id: ollama", "    provider_type: remote::ollama", "  safety:",
        "  - provider_id: llama-guard", "    provider_type: inline::llama-guard", "    config:",
        "      excluded_categories: []", "storage:", "  backends:", "    kv_default:", "      type: kv_sqlite",
        "      db_path: /tmp/kv.db", "    sql_default:", "      type: sql_sqlite", "      db_path: /tmp/sql.db",
    ]  # fmt: skip
    ends = ["\r", "\r\n", "\n"] if newline == "mixed" else [newline]
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    path, out = tmp_path / "run.yaml", tmp_path / "out.yaml"
    path.write_bytes(text.encode())
    assert main(["upgrade", str(path), "--from", "0.7", "--to", "ogx-1.0", "--force", "--output", str(out)]) == 0
    written = out.read_bytes().decode()
    data = yaml.safe_load(written)
    assert data["apis"] == ["inference"] and list(data["providers"]) == ["inference"]
    commented = [line for line in re.split(r"\r\n|\r|\n", written) if line.lstrip().startswith("# ")]
    assert "  #   provider_type: inline::llama-guard" in commented and "# - safety" in commented
    if newline != "mixed":  # every line keeps the file's line break
        rest = written.replace(newline, "")
        assert "\r" not in rest and "\n" not in rest


def test_upgrade_renames_the_search_tool_in_both_templates_of_a_file_with_cr_line_ends(tmp_path):
    """The lines of each template were found at \\n alone: in a bare-CR file both spanned the
    whole file, and the two edits overlapped (an internal error)."""
    text = (
        "version: 2\rdistro_name: x\rapis: [inference]\rproviders: {}\rvector_stores:\r  file_search_params:\r"
        "    header_template: 'knowledge_search tool found {num_chunks} chunks:'\r"
        "    footer_template: 'END of knowledge_search tool results.'\r"
    )
    path, out = tmp_path / "run.yaml", tmp_path / "out.yaml"
    path.write_bytes(text.encode())
    assert main(["upgrade", str(path), "--from", "0.6", "--to", "0.7", "--force", "--output", str(out)]) == 0
    written = out.read_bytes().decode()
    assert written == text.replace("knowledge_search", "file_search")


def test_upgrade_edits_the_copy_the_server_reads_of_a_key_written_twice(tmp_path, capsys):
    """Seeds 902-909: a key written twice with one value (loading accepts it) was edited in one
    copy only, and the edit's check refused the two now different values as an internal error.
    The earlier copies go first (the server reads the last one)."""
    path, out = tmp_path / "run.yaml", tmp_path / "out.yaml"
    path.write_text(
        "version: 2\ndistro_name: x\napis:\n- inference\n- safety\nproviders:\n  inference:\n  - provider_id: ollama\n"
        "    provider_type: remote::ollama\n    provider_type: remote::ollama\n  safety: []\n  safety: []\n"
        "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
    )
    assert main(["upgrade", str(path), "--from", "0.7", "--to", "ogx-1.0", "--force", "--output", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert list(data["providers"]) == ["inference"] and data["providers"]["inference"][0]["provider_type"] == "remote::ollama"
    assert out.read_text().count("provider_type: remote::ollama") == 1
    assert "removed the earlier copies" in capsys.readouterr().out


def test_upgrade_comments_out_a_whole_providers_section_under_one_reason(tmp_path):
    """Seeds 904-909: when every API under `providers:` went, the section itself is commented out,
    and asking for its own reason read path[1] of a one-part path (IndexError, exit 3)."""
    path, out = tmp_path / "run.yaml", tmp_path / "out.yaml"
    path.write_text("version: 2\ndistro_name: x\napis:\n- safety\nproviders:\n  safety: []\n")
    assert main(["upgrade", str(path), "--from", "0.7", "--to", "ogx-1.0", "--force", "--output", str(out)]) == 0
    assert "# llama-config upgrade: ogx 1.0 has no safety API (ogx #5290); kept for the record\n# providers:\n" in out.read_text()


@pytest.mark.parametrize("text", ["? image_name\n: x\nversion: 2\n", "? image_name\nversion: 2\n", "server:\n  ? port\n  : 8321\n"])
def test_a_new_key_goes_in_line_with_an_explicit_key_and_not_with_its_name(tmp_path, text):
    """Seeds 902 and 909: a mapping whose first key is written `? name` got new keys at the
    name's column, two in, which the parser refused (an internal error from set)."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    assert main(["set", str(path), "storage.stores.metadata.backend=kv_default", "server.host=h", "--no-backup", "--force"]) == 0
    data = yaml.safe_load(path.read_text())
    assert data["storage"] == {"stores": {"metadata": {"backend": "kv_default"}}} and data["server"]["host"] == "h"


@pytest.mark.parametrize("text", ["{a: !!binary, b: 1}", "a: [!!str, b]", "a: !!str,x\n", "{a: !!str]\n"])
def test_a_tag_against_a_comma_or_bracket_is_read_as_pyyaml_reads_it(text):
    """Seed 904: libyaml ends a tag at `,` `[` `]`, PyYAML reads them as part of it: a text
    libyaml accepts, the server refuses. Such a text is judged by PyYAML's own parser."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(ConfigFileError):
            Document.from_text(text)
    else:
        assert same_data(Document.from_text(text).data, yaml.safe_load(text))


def test_a_key_added_after_an_empty_tagged_value_in_braces_keeps_the_tag_apart(tmp_path):
    """Seed 904: `{image_name: !!binary }` gained `, providers: ...` straight after the tag,
    which PyYAML reads as the tag `!!binary,` (the saved file did not load on the server)."""
    path = tmp_path / "run.yaml"
    path.write_text("{image_name: !!binary }\n")
    assert main(["add-provider", str(path), "vector_io", "inline::chromadb", "--force", "--server", "ogx-1.1", "--no-backup"]) == 0
    data = yaml.safe_load(path.read_text())
    assert data["image_name"] == b"" and data["providers"]["vector_io"][0]["provider_id"] == "chromadb"


def test_upgrade_refuses_to_comment_out_an_anchor_an_alias_elsewhere_uses(tmp_path, capsys):
    """Seed 907: an anchor inside a provider the release dropped, used by an alias that stays,
    left the alias pointing at nothing; the edit's check refused it as an internal error."""
    path = tmp_path / "run.yaml"
    text = (
        "version: 2\ndistro_name: x\napis:\n- inference\n- safety\nproviders:\n  inference:\n  - provider_id: ollama\n"
        "    provider_type: remote::ollama\n    config:\n      base_url: http://o\n  safety:\n  - provider_id: g\n"
        "    provider_type: inline::llama-guard\n    config:\n      url: &u http://h\nserver:\n  host: *u\n"
    )
    path.write_text(text)
    assert main(["upgrade", str(path), "--from", "0.7", "--to", "ogx-1.0", "--force", "--write"]) == 1
    err = capsys.readouterr().err
    assert "providers.safety holds the YAML anchor &u, which *u at line 18 uses" in err and "internal error" not in err
    assert path.read_text() == text


def test_a_tab_after_a_bare_cr_line_is_refused_where_pyyaml_refuses_it():
    """Seed 912: the tab check found a line's start at \\n alone, so in a bare-CR file a `#` on an
    earlier line made a tab at the end of a later one look like part of a comment."""
    text = "version: 2\n#:\r! a: \t\r ?b: 2\r"
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(ConfigFileError, match="tab character") as caught:
        Document.from_text(text)
    assert (caught.value.line, caught.value.column) == (3, 6)


@pytest.mark.parametrize("text", ["? k\n: 1\n", "version: 2\n? k\n: 1\n# c\nx: 1\n", "a:\n  ? k\n  : 1\n  b: 2\n", "version: 2\n? k\n"])
def test_unset_removes_a_key_written_explicitly(tmp_path, text):
    """Seed 912: `? key` was taken for a key sharing its line with a list's `- `, and removing
    it looked for the key after it (IndexError, exit 3)."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    where = "a.k" if text.startswith("a:") else "k"
    assert main(["set", str(path), "--unset", where, "--force", "--no-backup"]) == 0
    expected = yaml.safe_load(text)
    (expected["a"] if where == "a.k" else expected).pop("k")
    assert yaml.safe_load(path.read_text()) == (expected or {}) and path.read_text().endswith("\n")


def test_migrate_keeps_one_copy_of_a_key_written_twice_inside_a_store_config(tmp_path, capsys):
    """Seed 915: `type: sqlite` written twice in a kvstore that moves was retyped in one copy
    only, and the edit's check refused the two different values as an internal error."""
    path = tmp_path / "run.yaml"
    path.write_text(
        "version: 2\nproviders:\n  datasetio:\n  - provider_id: localfs\n    provider_type: inline::localfs\n    config:\n"
        "      kvstore:\n        type: sqlite\n        type: sqlite\n        db_path: /tmp/localfs.db\n"
    )
    out = tmp_path / "out.yaml"
    assert main(["migrate", str(path), "--force", "--output", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert data["providers"]["datasetio"][0]["config"]["kvstore"]["backend"] in data["storage"]["backends"]
    assert "kvstore.type at line 8 (an identical copy" in capsys.readouterr().out


@pytest.mark.parametrize(
    "written, named",
    [("!!binary ramalama", "b'\\xad\\xa9\\x9a\\x95\\xa9\\x9a'"), ("42", "42"), ("&p !!int 42", "42")],
)
def test_rename_provider_renames_an_id_written_as_another_type(tmp_path, written, named):
    """Seed 920: a provider_id that is not a string (`!!binary ramalama` is bytes, `42` an int)
    is found by its text, but the rename wrote the old value back: an unchanged id (exit 0, and
    nothing renamed) or, with the tag kept in front of the rendered bytes, an internal error."""
    path = tmp_path / "run.yaml"
    path.write_text(f"version: 2\napis: [inference]\nproviders:\n  inference:\n  - provider_id: {written}\n    provider_type: remote::ollama\n    config: {{}}\n")
    assert main(["rename-provider", str(path), "inference", named, "gpu", "--force", "--no-backup"]) == 0
    text = path.read_text()
    assert yaml.safe_load(text)["providers"]["inference"][0]["provider_id"] == "gpu"
    assert ("provider_id: &p gpu" if "&p" in written else "provider_id: gpu") in text


def test_a_rewritten_value_loses_its_tag_and_keeps_its_anchor():
    """set_scalars (rename-backend, migrate's placeholders, ...) kept a value's tag, which may
    not fit the new value (`!!int` before a string); set() already dropped it."""
    doc = Document("a: &x !!str kv_old\nb: !!str 8\n")
    doc.set_scalars([(("a",), "kv_new"), (("b",), 9)])
    assert doc.text == "a: &x kv_new\nb: 9\n"


def test_rename_provider_refuses_a_resource_whose_provider_id_is_written_twice(tmp_path, capsys):
    """Seed 928: a registered model with `provider_id:` written twice (identical copies, which
    loading accepts) had one copy renamed, and the edit's check refused the two different
    values as an internal error. Every rewrite of single values (set_scalars: rename-provider,
    rename-backend, migrate) now names the lines to clean up first, as `set` does."""
    path = tmp_path / "run.yaml"
    text = (
        "version: 2\napis: [inference]\nproviders:\n  inference:\n  - provider_id: st\n    provider_type: inline::sentence-transformers\n"
        "registered_resources:\n  models:\n  - model_id: nomic\n    provider_id: st\n    model_type: embedding\n    provider_id: st\n"
    )
    path.write_text(text)
    assert main(["rename-provider", str(path), "inference", "st", "gpu"]) == 2
    err = capsys.readouterr().err
    assert "registered_resources.models[0].provider_id is written 2 times (lines 10 and 12)" in err and "internal error" not in err
    assert path.read_text() == text


def test_an_earlier_copy_holding_an_anchor_used_elsewhere_is_not_dropped(tmp_path, capsys):
    """Seed 941: `files:` written twice, the earlier copy holding an anchor a later alias uses:
    upgrade and migrate removed that copy, the alias pointed at nothing, and the check refused
    the result as an internal error. Now refused up front, naming both lines."""
    path = tmp_path / "run.yaml"
    text = (
        "version: 2\nproviders:\n  files:\n  - provider_id: f\n    provider_type: &t inline::localfs\n    config: {}\n"
        "  files:\n  - provider_id: f\n    provider_type: inline::localfs\n    config: {}\nx-copy: *t\n"
    )
    path.write_text(text)
    assert main(["upgrade", str(path), "--to", "ogx-1.2", "--from", "ogx-1.2", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "providers.files is written twice, and its earlier copy (line 3) holds the YAML anchor &t, which *t at line 11 uses" in err
    assert "internal error" not in err and path.read_text() == text
    doc = Document(text.replace("x-copy: *t\n", "x-copy: 1\n"))  # used nowhere else: the copy goes
    assert doc.drop_repeated_copies([("providers", "files")]) == [(("providers", "files"), [3])]
    inside = text.replace("x-copy: *t\n", "").replace("config: {}", "config: {k: *t}", 1).replace("config: {}", "config: {k: inline::localfs}")
    doc = Document(inside)  # used only inside the copy that goes: it goes with it
    assert doc.drop_repeated_copies([("providers", "files")]) == [(("providers", "files"), [3])]
    assert "&t" not in doc.text and doc.data == yaml.safe_load(inside)


def test_set_of_a_value_a_merge_key_already_gives_changes_nothing(tmp_path):
    """Seed 947: `table_name: {<<: *a1}` (a merge key bringing in provider_id: nvidia) and
    `set ...table_name.provider_id=nvidia`: the value was already so, yet a key of its own was
    written (the data the same, the file not byte-identical)."""
    path = tmp_path / "run.yaml"
    text = "base: &a1\n  provider_id: nvidia\nx:\n  table_name: {<<: *a1}\n"
    path.write_text(text)
    assert main(["set", str(path), "x.table_name.provider_id=nvidia", "--no-backup"]) == 0
    assert path.read_text() == text
    assert main(["set", str(path), "x.table_name.provider_id=other", "--no-backup"]) == 0  # a new value is an override
    assert yaml.safe_load(path.read_text())["x"]["table_name"] == {"provider_id": "other"}


def test_set_below_a_key_a_merge_key_brings_in_is_refused_with_where_it_comes_from(tmp_path, capsys):
    """Seed 958: `vector_stores: {<<: *a1}` and `set vector_stores.persistence.responses.table_name=x`
    wrote `persistence: {responses: {table_name: x}}` as a key of its own, which replaces the
    whole merged value (its backend and the rest gone), and the check refused it as an internal
    error. Now refused up front, saying where the value is written."""
    path = tmp_path / "run.yaml"
    text = "base: &a1\n  persistence:\n    responses:\n      table_name: responses\n      backend: sql_default\nx: {<<: *a1}\n"
    path.write_text(text)
    assert main(["set", str(path), "x.persistence.responses.table_name=other"]) == 2
    err = capsys.readouterr().err
    assert "x.persistence is merged in with `<<:` (line 6) from line 1; set the value there" in err
    assert "internal error" not in err and path.read_text() == text
    assert main(["set", str(path), "x.persistence=other", "--no-backup"]) == 0  # the merged key itself: an override
    assert yaml.safe_load(path.read_text())["x"]["persistence"] == "other"


def test_migrate_refuses_a_store_config_inside_a_mapping_used_again_elsewhere(tmp_path, capsys):
    """Seed 964: an agents provider's `config: &x` (holding its persistence_store) merged into
    another mapping with `<<: *x`: moving the store config changed the other copy too, and the
    check refused the result as an internal error. Refused up front, with the alias's line."""
    path = tmp_path / "run.yaml"
    text = (
        "version: 2\nproviders:\n  agents:\n  - provider_id: a\n    provider_type: inline::meta-reference\n    config: &x\n"
        "      persistence_store:\n        type: sqlite\n        db_path: /tmp/a.db\n"
        "  tool_runtime:\n  - provider_id: t\n    provider_type: remote::brave-search\n    config:\n      api_key: {<<: *x}\n"
    )
    path.write_text(text)
    assert main(["migrate", str(path), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "providers.agents[0].config holds providers.agents[0].config.persistence_store and is used again as *x (line 14)" in err
    assert "internal error" not in err and path.read_text() == text


@pytest.mark.parametrize(
    ("text", "path", "value", "written"),
    [
        ("? version\n", ("version",), "${env.X", "? version\n: ${env.X\n"),
        ("? version\nimage_name: x\n", ("version",), 2, "? version\n: 2\nimage_name: x\n"),
        ("a:\n  ? k  # c: d\n  b: 1\n", ("a", "k"), {"x": [1]}, "a:\n  ? k  # c: d\n  : {x: [1]}\n  b: 1\n"),
        ("l:\n- ? k\n- y\n", ("l", 0, "k"), "v", "l:\n- ? k\n  : v\n- y\n"),
        ("a: {? k, b: 1}\n", ("a", "k"), "v", "a: {? k: v, b: 1}\n"),
        ("a: !!map\n  ? k\n  b: 1\n", ("a", "k"), "v", "a: !!map\n  ? k\n  : v\n  b: 1\n"),  # (the mapping's column is the tag's)
    ],
)  # fmt: skip
def test_set_gives_an_explicit_key_with_no_value_its_value(text, path, value, written):
    """`? key` alone holds null and has no `:`: the value was written after the next `:` in
    the text, another key's, or over the whole file (an "internal error", seed 977)."""
    doc = Document.from_text(text)
    doc.set(path, value)
    assert doc.text == written
    expected = yaml.safe_load(text)
    node = expected
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert yaml.safe_load(doc.text) == expected
