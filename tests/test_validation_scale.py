"""A large generated config: validation stays one pass and finds nothing wrong in a valid file."""

from __future__ import annotations

from tests.test_validation_common import check, config, only

FAISS = """\
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      persistence:
        backend: kv_default
        namespace: vector_io::faiss
"""


def many_vector_providers(count: int) -> str:
    providers = "".join(
        f"  - provider_id: faiss{i}\n    provider_type: inline::faiss\n    config:\n"
        f"      persistence:\n        backend: kv_default\n        namespace: vector_io::faiss{i}\n"
        for i in range(count)
    )
    return config((FAISS, providers))


def test_five_thousand_vector_io_providers_validate_clean():
    text = many_vector_providers(5000)
    assert text.count("provider_type: inline::faiss") == 5000
    assert check(text) == []


def test_one_collision_among_five_thousand_is_found_once():
    text = many_vector_providers(5000).replace("namespace: vector_io::faiss4999\n", "namespace: vector_io::faiss17\n")
    d = only(check(text), "shared-namespace")
    assert d.path_text == "providers.vector_io[4999].config.persistence.namespace"
    assert "as does providers.vector_io[17].config.persistence" in d.message
