"""Backend references in storage.stores, in provider configs and in server.quota.kvstore:
unknown backends, wrong family, reference fields, shared namespaces/tables, pre-0.3 shapes."""

from __future__ import annotations

import pytest

from tests.test_validation_common import AUTH, BASE, QUOTA, check, config, has, only, pos, summary

VECTOR_REF = "backend: kv_default\n        namespace: vector_io::faiss"
FILES_REF = "backend: sql_default\n        table_name: files_metadata"
AGENT_STATE_REF = "backend: kv_default\n          namespace: agents"
AGENT_RESPONSES_REF = "backend: sql_default\n          table_name: responses"
METADATA_REF = "backend: kv_default\n      namespace: registry"
INFERENCE_REF = "backend: sql_default\n      table_name: inference_store"


# --------------------------------------------------------------------------- unknown backend


def test_unknown_backend_in_a_provider_with_did_you_mean():
    text = config((VECTOR_REF, VECTOR_REF.replace("kv_default", "kv_defualt")))
    assert summary(check(text)) == [
        ("error", "unknown-backend", "providers.vector_io[0].config.persistence.backend", *pos(text, "kv_defualt")),
    ]
    assert check(text)[0].message == (
        "providers.vector_io[0].config.persistence references unknown backend 'kv_defualt'. "
        "Did you mean 'kv_default'? Available backends: ['kv_default', 'sql_default']"
    )


def test_unknown_backend_in_a_store_matches_upstreams_message():
    text = config((METADATA_REF, METADATA_REF.replace("kv_default", "kv_missing")))
    assert summary(check(text)) == [("error", "unknown-backend", "storage.stores.metadata.backend", *pos(text, "kv_missing"))]
    assert check(text)[0].message == (
        "storage.stores.metadata references unknown backend 'kv_missing'. Available backends: ['kv_default', 'sql_default']"
    )


def test_did_you_mean_prefers_a_backend_of_the_right_family():
    text = config(
        ("    sql_default:\n", "    kv_defaults:\n      type: kv_sqlite\n      db_path: /tmp/kv2.db\n    sql_default:\n"),
        (FILES_REF, FILES_REF.replace("sql_default", "sql_defaults")),
    )
    d = only(check(text), "unknown-backend")
    has(d.message, "Did you mean 'sql_default'?", "Available backends: ['kv_default', 'kv_defaults', 'sql_default']")


def test_unknown_backend_in_quota_kvstore():
    text = config(append=AUTH + QUOTA.replace("backend: kv_default", "backend: kv_quota"))
    assert summary(check(text)) == [("error", "unknown-backend", "server.quota.kvstore.backend", *pos(text, "kv_quota"))]
    has(check(text)[0].message, "server.quota.kvstore references unknown backend 'kv_quota'.", "Available backends: ['kv_default', 'sql_default']")


def test_backend_name_from_a_placeholder_is_resolved():
    text = config((VECTOR_REF, VECTOR_REF.replace("kv_default", "${env.VECTOR_BACKEND:=kv_default}")))
    assert check(text) == []
    bad = check(text, {"VECTOR_BACKEND": "kv_other"})
    assert summary(bad) == [("error", "unknown-backend", "providers.vector_io[0].config.persistence.backend", *pos(text, "${env.VECTOR_BACKEND"))]
    has(bad[0].message, "unknown backend 'kv_other'")


# --------------------------------------------------------------------------- wrong family


def test_wrong_family_for_a_server_store_matches_upstreams_message():
    text = config((INFERENCE_REF, INFERENCE_REF.replace("sql_default", "kv_default")))
    line, column = pos(text, "kv_default\n      table_name: inference_store")
    assert summary(check(text)) == [("error", "wrong-family", "storage.stores.inference.backend", line, column)]
    assert check(text)[0].message == (
        "storage.stores.inference references backend 'kv_default' of type 'kv_sqlite', but a backend of type sql_* "
        "is required. Backends of type sql_*: ['sql_default']"
    )


@pytest.mark.parametrize(
    ("ref", "path", "needed"),
    [
        (VECTOR_REF, "providers.vector_io[0].config.persistence.backend", "kv"),
        (FILES_REF, "providers.files[0].config.metadata_store.backend", "sql"),
        (AGENT_STATE_REF, "providers.agents[0].config.persistence.agent_state.backend", "kv"),
        (AGENT_RESPONSES_REF, "providers.agents[0].config.persistence.responses.backend", "sql"),
    ],
)
def test_wrong_family_for_provider_references(ref, path, needed):
    wrong = "sql_default" if needed == "kv" else "kv_default"
    right = "kv_default" if needed == "kv" else "sql_default"
    text = config((ref, ref.replace(right, wrong)))
    partition = ref.split("\n")[1].strip()
    line, column = pos(text, f"{wrong}\n" + " " * (len(ref.split("\n")[1]) - len(partition)) + partition)
    assert summary(check(text)) == [("error", "wrong-family", path, line, column)]
    has(check(text)[0].message, f"references backend '{wrong}' of type '{wrong[:-8]}_sqlite', but a backend of type {needed}_* is required.")


def test_wrong_family_for_quota_kvstore():
    text = config(append=AUTH + QUOTA.replace("backend: kv_default", "backend: sql_default"))
    line, column = pos(text, "sql_default\n      namespace: quota")
    assert summary(check(text)) == [("error", "wrong-family", "server.quota.kvstore.backend", line, column)]
    assert check(text)[0].message == (
        "server.quota.kvstore references backend 'sql_default' of type 'sql_sqlite', but a backend of type kv_* "
        "is required. Backends of type kv_*: ['kv_default']"
    )


def test_wrong_family_says_when_no_backend_of_the_right_family_exists():
    text = config(
        ("    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n", ""),
        (VECTOR_REF, VECTOR_REF.replace("kv_default", "sql_default")),
        (AGENT_STATE_REF, AGENT_STATE_REF.replace("kv_default", "sql_default")),
        (METADATA_REF, METADATA_REF.replace("kv_default", "sql_default")),
    )
    diagnostics = check(text)
    assert [d.code for d in diagnostics] == ["wrong-family"] * 3
    for d in diagnostics:
        has(d.message, "but a backend of type kv_* is required. No kv_* backend is declared yet.")


def test_batches_datasetio_eval_kvstore_are_kv_references():
    providers = """\
  batches:
  - provider_id: reference
    provider_type: inline::reference
    config:
      kvstore: {backend: sql_default, namespace: batches}
  datasetio:
  - provider_id: localfs
    provider_type: inline::localfs
    config:
      kvstore: {backend: kv_default, namespace: "datasetio::localfs"}
  eval:
  - provider_id: meta-reference
    provider_type: inline::meta-reference
    config:
      kvstore: {backend: kv_default, namespace: eval}
  scoring:
  - provider_id: basic
    provider_type: inline::basic
    config: {}
"""
    # (0.3's eval meta-reference depends on scoring, hence the scoring provider; each routed
    # API must be listed in apis, or 0.3 builds no router for it)
    text = config(("storage:\n", providers + "storage:\n"), ("- agents\n", "- agents\n- batches\n- datasetio\n- eval\n- scoring\n"))
    start = text.index("backend: sql_default, namespace: batches") + len("backend: ")
    line = text.count("\n", 0, start) + 1
    assert summary(check(text)) == [("error", "wrong-family", "providers.batches[0].config.kvstore.backend", line, start - text.rfind("\n", 0, start))]
    assert check(text.replace("backend: sql_default, namespace: batches", "backend: kv_default, namespace: batches")) == []


# --------------------------------------------------------------------------- the reference mapping itself


def test_reference_missing_its_namespace():
    text = config((VECTOR_REF, "backend: kv_default"))
    line, column = pos(text, "persistence:", nth=1)  # the vector_io one comes first
    assert summary(check(text)) == [("error", "missing-field", "providers.vector_io[0].config.persistence", line, column)]
    assert check(text)[0].message == "providers.vector_io[0].config.persistence is missing the required field 'namespace'"


def test_reference_missing_its_table_name_and_misspelt_key():
    text = config((FILES_REF, "backend: sql_default\n        tabel_name: files_metadata"))
    assert summary(check(text)) == [
        ("error", "missing-field", "providers.files[0].config.metadata_store", *pos(text, "metadata_store:")),
        ("warning", "unknown-key", "providers.files[0].config.metadata_store.tabel_name", *pos(text, "tabel_name")),
    ]
    has(check(text)[1].message, "did you mean 'table_name'?")


def test_store_missing_its_backend():
    text = config((METADATA_REF, "namespace: registry"))
    assert summary(check(text)) == [("error", "missing-field", "storage.stores.metadata", *pos(text, "metadata:"))]
    assert check(text)[0].message == "storage.stores.metadata is missing the required field 'backend'"


def test_a_bare_backend_name_instead_of_a_reference():
    text = config(("      persistence:\n        " + VECTOR_REF, "      persistence: kv_default"))
    assert summary(check(text)) == [("error", "wrong-type", "providers.vector_io[0].config.persistence", *pos(text, "kv_default\n  files"))]
    assert check(text)[0].message == (
        "providers.vector_io[0].config.persistence must be a reference {backend: <a kv_* backend>, namespace: ...}, not 'kv_default'"
    )


def test_a_bare_backend_name_in_a_store_and_in_quota():
    text = config(("metadata:\n      " + METADATA_REF, "metadata: kv_default"), append=AUTH + "  quota:\n    kvstore: kv_default\n")
    assert summary(check(text)) == [
        ("error", "wrong-type", "storage.stores.metadata", *pos(text, "kv_default\n    inference")),
        ("error", "wrong-type", "server.quota.kvstore", *pos(text, "kv_default\n", nth=text.count("kv_default\n"))),
    ]


def test_backend_that_is_not_a_string_is_reported_once():
    text = config((VECTOR_REF, VECTOR_REF.replace("kv_default", "5")))
    assert summary(check(text)) == [("error", "wrong-type", "providers.vector_io[0].config.persistence.backend", *pos(text, "5\n"))]
    assert check(text)[0].message == "providers.vector_io[0].config.persistence.backend must be a string, not 5"


def test_inference_store_queue_knobs():
    # 0.3 has no lower bound on num_writers: InferenceStore starts max(1, num_writers) writers, so 0
    # works as 1 (the oracle accepts it); 'many' is not an integer and 0.3 refuses the file
    text = config((INFERENCE_REF, INFERENCE_REF + "\n      num_writers: 0\n      max_write_queue_size: many"))
    assert summary(check(text)) == [
        ("error", "wrong-type", "storage.stores.inference.max_write_queue_size", *pos(text, "many")),
    ]
    assert check(config((INFERENCE_REF, INFERENCE_REF + "\n      num_writers: 1\n      max_write_queue_size: 10"))) == []


def test_unknown_store_name_suggests_the_right_one():
    # 0.3 ignores the misspelt key, then refuses to start: storage.stores.conversations must be configured
    text = config(("    conversations:\n", "    conversation:\n"))
    assert summary(check(text)) == [
        ("error", "store-missing", "storage.stores", *pos(text, "stores:")),
        ("warning", "unknown-key", "storage.stores.conversation", *pos(text, "conversation:")),
    ]
    has(check(text)[1].message, "storage.stores has no field 'conversation', so llama-stack 0.3 ignores it; did you mean 'conversations'?")


def test_reference_shaped_mapping_in_an_unlisted_provider_is_checked():
    # an external provider (module:): its config class is not in the release data
    text = config(("    config: {}\nstorage:\n", """\
    config: {}
  - provider_id: custom
    provider_type: remote::custom-tool
    module: custom_tool
    config:
      cache:
        backend: kv_cahce
        namespace: tool_cache
storage:
"""))
    assert summary(check(text)) == [("error", "unknown-backend", "providers.tool_runtime[1].config.cache.backend", *pos(text, "kv_cahce"))]


@pytest.mark.parametrize(
    ("written", "where"),
    [
        # the config itself shaped like a reference
        ("    config:\n      backend: kv_cahce\n      namespace: tool_cache\n", "config.backend"),
        # one inside a mapping that is not a reference
        ("    config:\n      cache:\n        options:\n          backend: kv_cahce\n          namespace: tool_cache\n", "config.cache.options.backend"),
    ],
)
def test_a_reference_shaped_mapping_anywhere_in_a_config_is_checked(written, where):
    """Configs holding plain values only are not walked for such mappings; these are."""
    text = config(("    config: {}\nstorage:\n", "    config: {}\n  - provider_id: custom\n    provider_type: remote::custom-tool\n"
                   "    module: custom_tool\n" + written + "storage:\n"))
    assert summary(check(text)) == [("error", "unknown-backend", f"providers.tool_runtime[1].{where}", *pos(text, "kv_cahce"))]


def test_a_reference_shaped_mapping_inside_a_reference_field_is_checked():
    text = config((VECTOR_REF, VECTOR_REF + "\n        extra:\n          backend: kv_cahce\n          namespace: tool_cache"))
    assert summary(check(text)) == [
        ("warning", "unknown-key", "providers.vector_io[0].config.persistence.extra", *pos(text, "extra:")),
        ("error", "unknown-backend", "providers.vector_io[0].config.persistence.extra.backend", *pos(text, "kv_cahce")),
    ]


# --------------------------------------------------------------------------- shared namespace / table


def test_two_references_sharing_a_namespace_on_one_backend():
    text = config((AGENT_STATE_REF, AGENT_STATE_REF.replace("agents", "vector_io::faiss")))
    vector_line, _ = pos(text, VECTOR_REF)
    assert summary(check(text)) == [
        ("error", "shared-namespace", "providers.agents[0].config.persistence.agent_state.namespace", *pos(text, "vector_io::faiss", nth=2)),
    ]
    assert check(text)[0].message == (
        "providers.agents[0].config.persistence.agent_state uses namespace 'vector_io::faiss' on backend 'kv_default', "
        f"as does providers.vector_io[0].config.persistence (line {vector_line}); their keys would overwrite each other"
    )


def test_the_later_reference_in_the_file_is_the_one_reported():
    # the provider comes first in the file, the store second: the store is the duplicate
    text = config((VECTOR_REF, VECTOR_REF.replace("vector_io::faiss", "registry")))
    d = only(check(text), "shared-namespace")
    assert (d.path_text, d.line, d.column) == ("storage.stores.metadata.namespace", *pos(text, "registry", nth=2))
    has(d.message, "as does providers.vector_io[0].config.persistence (line")


def test_two_stores_sharing_a_table():
    text = config(("table_name: openai_conversations", "table_name: inference_store"))
    assert summary(check(text)) == [("error", "shared-namespace", "storage.stores.conversations.table_name", *pos(text, "inference_store", nth=2))]
    has(check(text)[0].message, "uses table_name 'inference_store' on backend 'sql_default'", "their rows would overwrite each other")


def test_quota_sharing_the_registry_namespace():
    text = config(append=AUTH + QUOTA.replace("namespace: quota", "namespace: registry"))
    assert summary(check(text)) == [("error", "shared-namespace", "server.quota.kvstore.namespace", *pos(text, "registry", nth=2))]


def test_same_namespace_on_different_backends_is_fine():
    text = config(
        ("    sql_default:\n", "    kv_other:\n      type: kv_sqlite\n      db_path: /tmp/other.db\n    sql_default:\n"),
        (AGENT_STATE_REF, "backend: kv_other\n          namespace: registry"),
    )
    assert check(text) == []


def test_shared_namespace_through_placeholders_is_found():
    text = config((AGENT_STATE_REF, "backend: kv_default\n          namespace: ${env.AGENTS_NS:=registry}"))
    d = only(check(text), "shared-namespace")
    assert d.path_text == "storage.stores.metadata.namespace"
    assert check(text, {"AGENTS_NS": "agents"}) == []


# --------------------------------------------------------------------------- pre-0.3 shapes in a v0.3 file


def test_inline_files_metadata_store():
    text = config((FILES_REF, "type: sqlite\n        db_path: /tmp/files.db"))
    assert summary(check(text)) == [("error", "legacy-inline-store", "providers.files[0].config.metadata_store", *pos(text, "type: sqlite"))]
    has(
        check(text)[0].message,
        "providers.files[0].config.metadata_store is a pre-0.3 inline store config (type: sqlite, db_path: '/tmp/files.db')",
        "declare a sql_sqlite backend under storage.backends",
        "metadata_store: {backend: NAME, table_name: ...}",
    )


def test_inline_store_config_hides_its_password():
    text = config((FILES_REF, "type: postgres\n        user: app\n        password: hunter2"))
    d = only(check(text), "legacy-inline-store")
    assert "hunter2" not in d.message
    has(d.message, "sql_postgres backend")


def test_pre_03_vector_io_kvstore_field():
    text = config(("      persistence:\n        " + VECTOR_REF, "      kvstore:\n        type: sqlite\n        db_path: /tmp/faiss.db"))
    assert summary(check(text)) == [("error", "legacy-inline-store", "providers.vector_io[0].config.kvstore", *pos(text, "type: sqlite"))]
    has(
        check(text)[0].message,
        "providers.vector_io[0].config.kvstore is the pre-0.3 field for this provider's store",
        "the server ignores 'kvstore' and reads persistence",
        "declare a kv_sqlite backend",
        "persistence: {backend: NAME, namespace: ...}",
    )


def test_pre_03_agents_stores():
    old = """\
      persistence_store:
        type: sqlite
        db_path: /tmp/agents.db
      responses_store:
        type: postgres
        user: app
"""
    text = config(("      persistence:\n        agent_state:\n          " + AGENT_STATE_REF + "\n        responses:\n          " + AGENT_RESPONSES_REF + "\n", old))
    assert summary(check(text)) == [
        ("error", "legacy-inline-store", "providers.agents[0].config.persistence_store", *pos(text, "type: sqlite")),
        ("error", "legacy-inline-store", "providers.agents[0].config.responses_store", *pos(text, "type: postgres")),
    ]
    has(check(text)[0].message, "reads persistence.agent_state", "kv_sqlite backend")
    has(check(text)[1].message, "reads persistence.responses", "sql_postgres backend", "table_name: ...")


def test_external_provider_may_have_its_own_kvstore_field():
    text = config(("    provider_type: inline::faiss\n", "    provider_type: remote::my-vectors\n    module: my_vectors\n"),
                  (VECTOR_REF, VECTOR_REF + "\n      kvstore:\n        type: sqlite\n        db_path: /tmp/mine.db"))
    assert check(text) == []


def test_storage_references_is_the_pre_release_name_of_stores():
    text = config(("  stores:\n", "  references:\n"))
    assert summary(check(text)) == [("error", "unknown-key", "storage.references", *pos(text, "references:"))]
    has(check(text)[0].message, "storage.references is the name a pre-release of v0.3 used; llama-stack 0.3 reads storage.stores")


def test_base_has_no_reference_problems():
    assert check(BASE) == []
