"""Whole-file rules: the pre-0.3 format, the newer config.yaml format (distro_name,
registered_resources, defaulted stores), top-level keys and keys written twice.

Each case is judged against the release it is about: BASE and OLD against llama-stack 0.3 (the
first release with storage.backends; `check`'s default), NEWER against llama-stack 0.7 (the last
llama-stack line: distro_name, top-level safety, KV prompts and connectors stores). What each
release does with these files was checked with the oracle (tools/releases/judge.py)."""

from __future__ import annotations

import pytest

from llama_config.model.document import Document
from llama_config.model.errors import ParseError
from tests.test_validation_common import BASE, check, config, has, only, pos, summary

NEWER_RELEASE = "0.7"

OLD = """\
version: '2'
image_name: old
apis:
- inference
- vector_io
providers:
  inference:
  - provider_id: ollama
    provider_type: remote::ollama
    config:
      url: http://localhost:11434
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      kvstore:
        type: sqlite
        db_path: /tmp/faiss_store.db
metadata_store:
  type: sqlite
  db_path: /tmp/registry.db
inference_store:
  type: sqlite
  db_path: /tmp/inference_store.db
server:
  port: 8321
"""

NEWER = """\
version: 2
distro_name: starter
apis:
- inference
- vector_io
providers:
  inference:
  - provider_id: ollama
    provider_type: remote::ollama
    config:
      base_url: ${env.OLLAMA_URL:=http://localhost:11434/v1}
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      persistence:
        backend: kv_default
        namespace: vector_io::faiss
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: /tmp/kv.db
    sql_default:
      type: sql_sqlite
      db_path: /tmp/sql.db
  stores:
    metadata:
      backend: kv_default
      namespace: registry
registered_resources:
  models: []
  shields: []
  vector_stores: []
vector_stores:
  default_provider_id: faiss
safety:
  default_shield_id: llama-guard
server:
  port: 8321
  workers: 2
"""


# --------------------------------------------------------------------------- old format


def test_old_format_file_gets_one_error_pointing_at_migration():
    text = OLD
    assert summary(check(text)) == [("error", "old-format", "metadata_store", *pos(text, "metadata_store:"))]
    assert check(text)[0].message == (
        "this is a pre-0.3 run config: metadata_store, inference_store are full store configs at the top level. "
        "Since v0.3 (llama-stack #3697) storage is declared once under storage.backends and referenced from "
        "storage.stores and the providers; convert the file with `llama-config migrate`"
    )


def test_old_format_with_a_single_store():
    text = OLD.split("metadata_store:")[0] + "conversations_store:\n  type: sqlite\n  db_path: /tmp/c.db\n"
    d = only(check(text), "old-format")
    assert (d.path_text, d.line, d.column) == ("conversations_store", *pos(text, "conversations_store:"))
    has(d.message, "conversations_store is a full store config at the top level")


def test_old_format_still_gets_its_other_problems():
    text = OLD.replace("port: 8321", "port: 80")
    assert [d.code for d in check(text)] == ["old-format", "out-of-range"]


def test_top_level_store_next_to_a_storage_section_is_a_leftover_not_the_old_format():
    # half-migrated: storage exists, so the v0.3 server ignores the old key
    text = config(append="metadata_store:\n  type: sqlite\n  db_path: /tmp/registry.db\n")
    line = text.count("\n", 0, text.index("\nmetadata_store:")) + 2  # the top-level one, not the files provider's
    assert summary(check(text)) == [("warning", "unknown-key", "metadata_store", line, 1)]
    assert check(text)[0].message == (
        "'metadata_store' is where a pre-0.3 file configured this store; since v0.3 the server ignores it and uses "
        "storage.stores.metadata: delete it once its settings are under storage"
    )


# --------------------------------------------------------------------------- newer format


def newer(text: str) -> list:
    return check(text, server=NEWER_RELEASE)


def test_newer_format_file_is_clean():
    assert newer(NEWER) == []


def test_newer_format_accepts_image_name_too():
    # 0.5 and later take either name; image_name is the deprecated one
    text = NEWER.replace("distro_name: starter", "image_name: starter")
    assert summary(newer(text)) == [("info", "deprecated-field", "image_name", 2, 1)]
    assert newer(text)[0].message == "'image_name' is deprecated in llama-stack 0.7; write 'distro_name' instead"


@pytest.mark.parametrize("server", ["0.3", "0.4"])
def test_newer_format_on_a_release_that_requires_image_name(server):
    # llama-stack 0.3 and 0.4 refuse it: "image_name: Field required" (the oracle, 0.3.5 and 0.4.7)
    diagnostics = check(NEWER, server=server)
    d = only(diagnostics, "missing-field")
    assert (d.severity, d.path_text, d.line, d.column) == ("error", "", 1, 1)
    assert d.message == f"the config is missing the required field 'image_name' (the distribution's name); llama-stack {server} refuses to start without it"
    assert ("warning", "unknown-key", "distro_name", 2, 1) in summary(diagnostics)


def test_newer_format_unset_stores_fall_back_to_kv_default():
    text = NEWER.replace("    kv_default:\n", "    kv_main:\n").replace("backend: kv_default", "backend: kv_main")
    line, column = pos(text, "  stores:")
    column += 2
    # llama-stack 0.7 refuses it: "storage.stores.prompts references unknown backend 'kv_default'"
    assert summary(newer(text)) == [
        ("error", "store-default-missing", "storage.stores", line, column),
        ("error", "store-default-missing", "storage.stores", line, column),
    ]
    messages = [d.message for d in newer(text)]
    assert messages == [
        f"storage.stores.{store} is not set, so llama-stack 0.7 uses backend 'kv_default', which storage.backends does not "
        f"declare; set storage.stores.{store} to one of ['kv_main']"  # kv stores: sql_default would not do
        for store in ("connectors", "prompts")
    ]


def test_newer_format_unset_kv_stores_without_any_kv_backend_ask_for_one():
    # the only backend is sql_*: a kv store cannot take it (wrong-family), so none is offered
    text = NEWER.replace("    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n", "")
    missing = [d.message for d in newer(text) if d.code == "store-default-missing"]
    assert missing == [
        f"storage.stores.{store} is not set, so llama-stack 0.7 uses backend 'kv_default', which storage.backends does not "
        "declare; declare a kv_* backend for it"
        for store in ("connectors", "prompts")
    ]


def test_newer_format_setting_every_store_needs_no_default_backend():
    stores = "".join(
        f"    {store}:\n      backend: kv_main\n      namespace: {store}\n" for store in ("prompts", "connectors")
    )
    text = NEWER.replace("    kv_default:\n", "    kv_main:\n").replace("backend: kv_default", "backend: kv_main")
    text = text.replace("      namespace: registry\n", "      namespace: registry\n" + stores)
    assert newer(text) == []


def test_newer_format_without_stores_section():
    text = NEWER.replace("  stores:\n    metadata:\n      backend: kv_default\n      namespace: registry\n", "")
    assert newer(text) == []  # every store falls back to kv_default / sql_default, which exist
    text = text.replace("    sql_default:\n", "    sql_main:\n")
    line, column = pos(text, "storage:")
    assert summary(newer(text)) == [
        ("error", "store-default-missing", "storage", line, column),
        ("error", "store-default-missing", "storage", line, column),
        ("info", "backend-unused", "storage.backends.sql_main", *pos(text, "sql_main:")),
    ]
    has(newer(text)[0].message, "storage.stores.conversations is not set, so llama-stack 0.7 uses backend 'sql_default'")
    has(newer(text)[1].message, "storage.stores.inference is not set, so llama-stack 0.7 uses backend 'sql_default'")


def test_newer_format_without_storage_is_only_info():
    # the provider's reference to kv_default is fine: upstream creates kv_default and sql_default
    text = NEWER.split("storage:")[0] + "registered_resources:\n  models: []\n"
    assert summary(newer(text)) == [("info", "storage-missing", "", 1, 1)]
    has(newer(text)[0].message, "llama-stack 0.7 creates kv_default / sql_default SQLite backends")
    bad = text.replace("backend: kv_default", "backend: sql_default")
    assert summary(newer(bad)) == [
        ("info", "storage-missing", "", 1, 1),
        ("error", "wrong-family", "providers.vector_io[0].config.persistence.backend", *pos(bad, "sql_default")),
    ]


def test_newer_format_storage_without_backends_uses_the_default_backends():
    backends = "  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"
    text = NEWER.replace(backends, "")
    assert newer(text) == []
    text = text.replace("backend: kv_default\n      namespace: registry", "backend: kv_main\n      namespace: registry")
    assert summary(newer(text)) == [("error", "unknown-backend", "storage.stores.metadata.backend", *pos(text, "kv_main"))]
    has(newer(text)[0].message, "Available backends: ['kv_default', 'sql_default']")


def test_v03_file_without_storage_is_an_error():
    # llama-stack 0.3 has no default backends: "storage: Field required" (the oracle, 0.3.5)
    text = BASE.split("storage:")[0].replace(
        "  vector_io:\n  - provider_id: faiss\n    provider_type: inline::faiss\n    config:\n      persistence:\n"
        "        backend: kv_default\n        namespace: vector_io::faiss\n", ""
    )
    diagnostics = [d for d in check(text) if d.code == "storage-missing"]
    assert [(d.severity, d.path_text, d.line, d.column) for d in diagnostics] == [("error", "", 1, 1)]
    assert diagnostics[0].message == "the file has no storage section, which llama-stack 0.3 requires (backends and stores)"


def test_v03_storage_without_stores_is_an_error():
    # llama-stack 0.3 takes the section (its stores default to unset) and then refuses at startup:
    # "storage.stores.metadata must be configured with a kv_* backend" (the oracle, 0.3.5)
    text = BASE.split("  stores:")[0] + "server:\n  port: 8321\n"
    at = pos(text, "storage:")
    assert summary(check(text)) == [("error", "store-missing", "storage", *at)] * 3
    assert [d.message for d in check(text)] == [
        f"storage.stores.{store} is not set: llama-stack 0.3 refuses to start without it (a {family}_* backend reference)"
        for store, family in (("conversations", "sql"), ("inference", "sql"), ("metadata", "kv"))
    ]


def test_v03_without_an_apis_list_serves_inference_and_needs_its_store():
    # resolve_impls: apis_to_serve = run_config.apis or <every router API>: with no `apis` 0.3
    # builds the inference router, whose store must be set ("storage.stores.inference must be
    # configured in run config", the oracle, 0.3.5), even with no inference provider
    text = config(("    inference:\n      backend: sql_default\n      table_name: inference_store\n", ""))
    no_apis = "version: 2\nimage_name: test\nproviders:" + text.split("providers:", 1)[1]
    line, column = pos(no_apis, "  stores:")
    assert summary(check(no_apis)) == [("error", "store-missing", "storage.stores", line, column + 2)]
    assert [d.code for d in check(text)] == ["store-missing"]  # inference is listed
    # listed apis without inference: no router, so no store; the providers that need it refuse instead
    unlisted = text.replace("- inference\n", "", 1)
    diagnostics = check(unlisted)
    assert {d.code for d in diagnostics} == {"missing-dependency"}
    has(diagnostics[0].message, "needs the inference API, which apis does not list", "add inference to apis")


# --------------------------------------------------------------------------- top-level keys


def test_unknown_top_level_key_with_suggestion():
    text = config(append="loging:\n  category_levels:\n    server: debug\n")
    assert summary(check(text)) == [("warning", "unknown-key", "loging", *pos(text, "loging:"))]
    assert check(text)[0].message == "llama-stack 0.3 does not know the top-level key 'loging' and ignores it; did you mean 'logging'?"


def test_unknown_top_level_key_without_suggestion():
    text = config(append="frobnicate: true\n")
    assert check(text)[0].message == "llama-stack 0.3 does not know the top-level key 'frobnicate' and ignores it"


def test_known_top_level_sections():
    assert check(config(append="telemetry:\n  enabled: true\nlogging:\n  category_levels: {}\nexternal_providers_dir: /tmp/ext\n")) == []
    # registered_resources, vector_stores, safety (0.4 to 0.7) and connectors (0.5 on) are all in NEWER + this
    assert newer(NEWER + "connectors: []\n") == []


def test_top_level_sections_a_later_release_added_are_unknown_to_0_3():
    text = config(append="safety: {}\nconnectors: []\n")
    assert summary(check(text)) == [("warning", "unknown-key", key, pos(text, f"\n{key}:")[0] + 1, 1) for key in ("safety", "connectors")]
    assert check(text)[0].message == "llama-stack 0.3 does not know the top-level key 'safety' and ignores it"


def test_pre_03_registration_lists_are_ignored_by_0_3():
    # llama-stack 0.3.0 (#3861) moved them under registered_resources; the release drops the old keys silently
    keys = ("models", "shields", "vector_dbs", "datasets", "scoring_fns", "benchmarks", "tool_groups")
    text = config(append="".join(f"{key}: []\n" for key in keys))
    # (pos finds the newline before the key, so the key is on the next line)
    assert summary(check(text)) == [("warning", "ignored-section", key, pos(text, f"\n{key}:")[0] + 1, 1) for key in keys]
    assert check(text)[0].message == (
        "llama-stack 0.3 ignores the top-level 'models' (llama-stack 0.3.0 (#3861) moved registrations under "
        "registered_resources; this list registers nothing)"
    )


# --------------------------------------------------------------------------- repeated keys


def test_identical_repeated_key_is_a_warning_at_the_repeat():
    text = config(("port: 8321", "port: 8321\n  port: 8321"))
    first_line, _ = pos(text, "port: 8321", nth=1)
    line, column = pos(text, "port: 8321", nth=2)
    assert summary(check(text)) == [("warning", "repeated-key", "server.port", line, column)]
    assert check(text)[0].message == (
        f"'port' is written twice in this mapping (first at line {first_line}) with the same value; "
        "the server keeps the last one: delete one of them"
    )


def test_identical_repeated_section_is_a_warning():
    section = "  - provider_id: ollama\n    provider_type: remote::ollama\n    config:\n      url: http://localhost:11434\n"
    text = config(("  vector_io:\n", "  inference:\n" + section + "  vector_io:\n"))
    d = only(check(text), "repeated-key")
    assert (d.severity, d.path_text, d.line, d.column) == ("warning", "providers.inference", *pos(text, "  inference:\n", nth=2)[:1], 3)


def test_repeated_key_with_a_different_value_is_refused_when_loading():
    with pytest.raises(ParseError):
        Document(config(("port: 8321", "port: 8321\n  port: 8322")))
