"""model/releases/fields.py: the schema of any place in a config, for the release it targets,
which forms, `set` typing and search read (no field declared twice: our help texts only fill in
where upstream gives none)."""

from __future__ import annotations

import pytest

from llama_config.model.fields import parse_checked, parse_value
from llama_config.model.help import HELP, help_for
from llama_config.model.releases import available_lines, load_release
from llama_config.model.releases.fields import backend_fields, field_at, fields_of

OGX = load_release("ogx-1.5")
V03 = load_release("0.3")

CONFIG = {
    "server": {"port": 8321, "auth": {"provider_config": {"type": "oauth2_token", "jwks": {"uri": "https://idp/jwks"}}}},
    "storage": {
        "backends": {
            "kv_default": {"type": "kv_sqlite", "db_path": "/tmp/kv.db"},
            "pg": {"type": "sql_postgres", "host": "db", "password": "x"},
            "env_typed": {"type": "${env.KV_TYPE:=kv_redis}"},
        },
        "stores": {"metadata": {"backend": "kv_default", "namespace": "registry"}},
    },
    "providers": {
        "inference": [
            {"provider_id": "vllm", "provider_type": "remote::vllm", "config": {"base_url": "http://gpu:8000/v1", "max_tokens": 4096}},
            {"provider_id": "mystery", "provider_type": "remote::nope", "config": {"x": 1}},
        ],
        "responses": [{"provider_id": "builtin", "provider_type": "inline::builtin", "config": {}}],
    },
}


def names(fields) -> list[str]:
    return [f.name for f in fields]


def test_a_backend_field_is_typed_by_its_type_tag_even_through_a_placeholder():
    port = field_at(OGX, CONFIG, ("storage", "backends", "env_typed", "port"))
    assert port is not None and port.expected() == "integer"
    db_path = field_at(OGX, CONFIG, ("storage", "backends", "kv_default", "db_path"))
    assert db_path.scalar_kinds() == {"string"} and db_path.description  # upstream's own help


def test_fields_differ_per_release_as_the_releases_do():
    ogx_fields = names(fields_of(OGX, CONFIG, ("storage", "backends", "pg")))
    old_fields = names(fields_of(V03, CONFIG, ("storage", "backends", "pg")))
    assert "connection_string" in ogx_fields and "connection_string" not in old_fields
    assert "pool_size" in ogx_fields and "pool_size" not in old_fields
    user = next(f for f in fields_of(V03, CONFIG, ("storage", "backends", "pg")) if f.name == "user")
    assert user.required  # 0.3 requires it
    assert not next(f for f in fields_of(OGX, CONFIG, ("storage", "backends", "pg")) if f.name == "user").required


def test_secret_fields_are_the_releases_and_the_naming_rule():
    pg = {f.name: f for f in fields_of(OGX, CONFIG, ("storage", "backends", "pg"))}
    assert pg["password"].secret and pg["connection_string"].secret  # listed as secret by the release data
    assert not pg["host"].secret and not pg["port"].secret


def test_provider_config_fields_come_from_the_provider_types_own_class():
    max_tokens = field_at(OGX, CONFIG, ("providers", "inference", 0, "config", "max_tokens"))
    assert max_tokens is not None and "integer" in max_tokens.scalar_kinds()
    assert field_at(OGX, CONFIG, ("providers", "inference", 0, "config", "url")) is None  # not a field of it
    assert field_at(OGX, CONFIG, ("providers", "inference", 1, "config", "x")) is None  # unknown type
    assert "base_url" in names(fields_of(OGX, CONFIG, ("providers", "inference", 0, "config")))


def test_nested_mappings_are_opened_one_level_for_forms():
    auth = names(fields_of(OGX, CONFIG, ("server", "auth", "provider_config")))
    assert "jwks.uri" in auth and "issuer" in auth and "type" not in auth


def test_a_new_backend_of_each_type_has_its_fields_with_defaults():
    for line in available_lines():
        release = load_release(line)
        for type_name in release.backend_types:
            fields = backend_fields(release, type_name)
            assert fields and all(f.name != "type" for f in fields), (line, type_name)
    sqlite = {f.name: f for f in backend_fields(OGX, "kv_sqlite")}
    assert "db_path" in sqlite


def test_a_form_lists_the_required_fields_first():
    # llama-stack 0.3's PostgresKVStoreConfig requires only `user`; the rest keep their (name) order
    assert names(backend_fields(V03, "kv_postgres")) == [
        "user", "ca_cert_path", "db", "host", "namespace", "password", "port", "ssl_mode", "table_name",
    ]  # fmt: skip


def test_our_help_fills_in_only_where_upstream_says_nothing():
    host = field_at(OGX, CONFIG, ("storage", "backends", "pg", "host"))
    assert host.description == help_for(("storage", "backends", "pg", "host")) != ""
    port = field_at(OGX, CONFIG, ("server", "port"))
    assert port.description == OGX.definition("ServerConfig")["properties"]["port"]["description"]
    # each backend entry of the overlay names a field some release has with no help of its own
    for key in (k for k in HELP if k.startswith("storage.backends.*.")):
        name = key.rsplit(".", 1)[1]
        undescribed = [
            line for line in available_lines() for t in load_release(line).backend_types
            if not load_release(line).definition(load_release(line).backend_def(t))["properties"].get(name, {"description": "-"}).get("description")
        ]  # fmt: skip
        assert undescribed, key


def test_set_typing_follows_the_release():
    assert parse_value("0777", CONFIG, ("storage", "backends", "kv_default", "db_path"), OGX) == "0777"
    assert parse_value("8322", CONFIG, ("server", "port"), OGX) == 8322
    assert parse_value("4096", CONFIG, ("providers", "inference", 0, "config", "max_tokens"), OGX) == 4096
    port = field_at(OGX, CONFIG, ("server", "port"))
    with pytest.raises(ValueError, match="must be an integer"):
        parse_checked("abc", port)
    assert parse_checked("${env.PORT:=8321}", port) == "${env.PORT:=8321}"  # judged once substituted
