"""Provider probes (`test-connections --providers`) against a small local stand-in server
(api_server.py: OpenAI-compatible /v1/models with a key, the vector databases' health calls),
a real PostgreSQL 15 for pgvector, a closed port and an unresolvable name."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from llama_config.model.envvars import Environment
from llama_config.model.probes import PROVIDER_JSON_KEYS, Category, ProbeResult, plan_providers, run_probes
from llama_config.model.releases import release_for

from .api_server import CERT_FILE, ApiServer
from .helpers import write_config

pytestmark = pytest.mark.live

KEY = "sk-pr0be/t3st+key%21"  # characters URL encoding changes, so a leak of either form is caught
MODELS = ("llama3.2:3b", "nomic-embed-text:latest", "Qwen/Qwen2.5-7B-Instruct")


@pytest.fixture
def api():
    server = ApiServer(key=KEY, models=MODELS)
    yield server
    server.stop()


@pytest.fixture
def tls_api():
    server = ApiServer(key=KEY, models=MODELS, tls=True)
    yield server
    server.stop()


def _config(providers: dict[str, list[dict]], models: list[dict] | None = None) -> dict:
    data = {"version": 2, "image_name": "live", "apis": sorted(providers), "providers": providers}
    if models:
        data["registered_resources"] = {"models": models}
    return data


def _leaks(results: list[ProbeResult], secret: str = KEY) -> list[str]:
    texts = [json.dumps(r.to_json()) + (r.address or "") for r in results]
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)}
    return [f for f in forms for t in texts if f in t]


async def _probe(providers: dict[str, list[dict]], models: list[dict] | None = None, *, environ=None, timeout: float = 2.0,
                 line: str | None = None) -> list[ProbeResult]:
    env = Environment(environ={"API_KEY": KEY} if environ is None else environ)
    targets, _ = plan_providers(_config(providers, models), env, release_for(line) if line else None)
    results = await run_probes(targets, timeout=timeout)
    assert _leaks(results) == []
    return results


async def _one(ptype: str, config: dict, models: list[str] = (), *, api_name: str = "inference", **kwargs) -> ProbeResult:
    registered = [{"model_id": m, "provider_id": "p", "provider_model_id": m} for m in models]
    (result,) = await _probe({api_name: [{"provider_id": "p", "provider_type": ptype, "config": config}]}, registered, **kwargs)
    assert result.api == api_name and result.backend == "p" and result.type == ptype
    return result


# -- OpenAI-compatible inference


async def test_models_listed_with_the_key_and_registered_models_served(api):
    result = await _one("remote::vllm", {"base_url": api.url("/v1"), "api_token": "${env.API_KEY}"}, ["llama3.2:3b"])
    assert result.category is Category.OK, result
    assert "3 models served" in result.message and "'llama3.2:3b'" in result.message
    assert result.latency_ms is not None and result.address == f"127.0.0.1:{api.port}"
    method, path, headers = api.requests[-1]
    assert (method, path, headers["authorization"]) == ("GET", "/v1/models", f"Bearer {KEY}")


async def test_a_registered_model_that_is_not_served_names_what_is(api):
    result = await _one("remote::openai", {"base_url": api.url("/v1"), "api_key": KEY}, ["llama3.2:3b", "llama3.2:1b"])
    assert result.category is Category.MODEL_NOT_SERVED
    assert result.message == f"model 'llama3.2:1b' not served; served: {list(MODELS)!r}".replace('"', "'")
    assert "provider_model_id" in result.hint


async def test_ollama_takes_name_latest_and_the_old_url_field_gets_v1(api):
    # Ollama sends "NO KEY REQUIRED" whatever the config says; this server wants no key
    api.key = ""
    result = await _one("remote::ollama", {"base_url": api.url("/v1")}, ["nomic-embed-text"])
    assert result.category is Category.OK, result
    assert api.requests[-1][2]["authorization"] == "Bearer NO KEY REQUIRED"
    result = await _one("remote::ollama", {"url": api.url()}, ["llama3.2:3b"], line="0.3")  # 0.3: url + "/v1"
    assert result.category is Category.OK, result
    assert api.requests[-1][1] == "/v1/models"


@pytest.mark.parametrize("config", [{"api_key": "sk-not-the-key-at-all"}, {}], ids=["wrong key", "no key"])
async def test_a_refused_key_is_auth_failed(api, config):
    result = await _one("remote::openai", {"base_url": api.url("/v1"), **config})
    assert result.category is Category.AUTH_FAILED
    assert "HTTP 401" in result.message and ("configured key" in result.message) == bool(config)
    assert "api_key" in result.hint
    if config:
        (secret,) = config.values()
        assert _leaks([result], secret) == []


async def test_wrong_path_is_not_found_and_suggests_v1(api):
    result = await _one("remote::vllm", {"base_url": api.url(""), "api_token": "${env.API_KEY}"})
    assert result.category is Category.NOT_FOUND and "HTTP 404" in result.message
    assert result.hint.startswith("/v1 missing?") and api.url("/v1") in result.hint


async def test_an_html_page_is_protocol_mismatch(api):
    result = await _one("remote::openai", {"base_url": api.url("/html/v1"), "api_key": KEY})
    assert result.category is Category.PROTOCOL_MISMATCH
    assert "text/html, not JSON" in result.message and "<html>" in result.message


async def test_a_server_error_is_other(api):
    result = await _one("remote::openai", {"base_url": api.url("/broken/v1"), "api_key": KEY})
    assert result.category is Category.OTHER and "HTTP 500" in result.message


async def test_a_server_that_never_answers_times_out_connected(api):
    result = await _one("remote::openai", {"base_url": api.url("/slow/v1"), "api_key": KEY}, timeout=0.5)
    assert result.category is Category.TIMEOUT
    assert result.message == f"connected to 127.0.0.1:{api.port}, but it did not answer GET /slow/v1/models within 0.5 s"


async def test_refused_and_dns(closed_port):
    result = await _one("remote::vllm", {"base_url": f"http://localhost:{closed_port}/v1"})
    assert result.category is Category.REFUSED and result.hint == f"is the server running on localhost:{closed_port}?"
    result = await _one("remote::vllm", {"base_url": "http://inference.llama-config.invalid:8000/v1"})
    assert result.category is Category.DNS and "inference.llama-config.invalid" in result.message


async def test_tls_certificate_checked_as_network_tls_verify_says(tls_api):
    base = tls_api.url("/v1")
    result = await _one("remote::openai", {"base_url": base, "api_key": KEY})
    assert result.category is Category.TLS and "does not verify" in result.message and "network.tls.verify" in result.hint
    for verify in (str(CERT_FILE), False):
        result = await _one("remote::openai", {"base_url": base, "api_key": KEY, "network": {"tls": {"verify": verify}}})
        assert result.category is Category.OK, result
    result = await _one("remote::vllm", {"base_url": base, "api_token": KEY, "tls_verify": str(CERT_FILE)})  # vLLM's own field
    assert result.category is Category.OK, result


async def test_https_to_a_plain_http_port_is_tls(api):
    result = await _one("remote::openai", {"base_url": f"https://127.0.0.1:{api.port}/v1", "api_key": KEY})
    assert result.category is Category.TLS and "http://" in result.hint


async def test_network_headers_are_sent_and_never_shown(api):
    header_secret = "Bearer hdr-s3cret-value"
    result = await _one("remote::openai", {"base_url": api.url("/broken/v1"), "api_key": KEY,
                                           "network": {"headers": {"X-Gateway-Auth": header_secret}}})
    assert api.requests[-1][2]["x-gateway-auth"] == header_secret
    assert _leaks([result], header_secret) == []


# -- planning: which providers, resolved how


async def test_disabled_unprobed_and_incomplete_providers(api):
    providers = {"inference": [
        {"provider_id": "${env.VLLM_URL:+vllm}", "provider_type": "remote::vllm", "config": {"base_url": "${env.VLLM_URL}"}},
        {"provider_id": "st", "provider_type": "inline::sentence-transformers", "config": {}},
        {"provider_id": "openai", "provider_type": "remote::openai", "config": {"api_key": "${env.OPENAI_API_KEY}"}},
        {"provider_id": "empty", "provider_type": "remote::vllm", "config": {"base_url": "${env.NOT_SET:=}"}},
        {"provider_id": "bad-url", "provider_type": "remote::vllm", "config": {"base_url": "ftp://h/v1"}},
    ]}
    targets, unprobed = plan_providers(_config(providers), Environment(environ={}))
    assert [t.name for t in targets] == ["openai", "empty", "bad-url"]  # vllm is off: VLLM_URL unset
    assert unprobed == ["inference st (inline::sentence-transformers)"]
    results = await run_probes(targets, timeout=1)
    by = {r.backend: r for r in results}
    assert by["openai"].category is Category.CONFIG_INCOMPLETE and "OPENAI_API_KEY" in by["openai"].message
    assert by["empty"].category is Category.CONFIG_INCOMPLETE and by["empty"].hint == "add 'base_url' to providers.inference[empty].config"
    assert by["bad-url"].category is Category.OTHER and "http or https" in by["bad-url"].message
    assert all(r.latency_ms is None for r in results)


# -- vector databases: each one's documented health call, with its key header


HEALTH = [
    ("remote::chromadb", lambda a: {"url": a.url()}, "GET", "/api/v2/heartbeat", None),
    ("remote::qdrant", lambda a: {"url": a.url(), "api_key": KEY}, "GET", "/healthz", ("api-key", KEY)),
    ("remote::qdrant", lambda a: {"host": "127.0.0.1", "port": a.port, "api_key": KEY}, "GET", "/healthz", ("api-key", KEY)),
    ("remote::weaviate", lambda a: {"weaviate_cluster_url": f"localhost:{a.port}", "weaviate_api_key": KEY},
     "GET", "/v1/.well-known/ready", ("authorization", f"Bearer {KEY}")),
    ("remote::milvus", lambda a: {"uri": a.url(), "token": KEY}, "POST", "/v2/vectordb/collections/list", ("authorization", f"Bearer {KEY}")),
    ("remote::elasticsearch", lambda a: {"elasticsearch_url": f"127.0.0.1:{a.port}", "elasticsearch_api_key": KEY},
     "GET", "/_cluster/health", ("authorization", f"ApiKey {KEY}")),
]


@pytest.mark.parametrize("ptype, config, method, path, header", HEALTH, ids=[f"{h[0]}-{i}" for i, h in enumerate(HEALTH)])
async def test_health_endpoint_path_and_key(api, ptype, config, method, path, header):
    result = await _one(ptype, config(api), api_name="vector_io")
    assert result.category is Category.OK, result
    sent_method, sent_path, headers = api.requests[-1]
    assert (sent_method, sent_path) == (method, path)
    if header:
        assert headers[header[0]] == header[1]


@pytest.mark.parametrize("ptype, config", [
    ("remote::qdrant", {"api_key": "wrong-key"}),
    ("remote::milvus", {"token": "root:wrong"}),
    ("remote::elasticsearch", {"elasticsearch_api_key": "wrong-key"}),
])
async def test_health_with_a_wrong_key_is_auth_failed(api, ptype, config):
    address = {"remote::qdrant": {"url": api.url()}, "remote::milvus": {"uri": api.url()},
               "remote::elasticsearch": {"elasticsearch_url": api.url()}}[ptype]
    result = await _one(ptype, {**address, **config}, api_name="vector_io")
    assert result.category is Category.AUTH_FAILED, result
    assert _leaks([result], next(iter(config.values()))) == []


async def test_red_elasticsearch_and_a_chroma_url_with_a_path(api):
    api.cluster_status = "red"
    result = await _one("remote::elasticsearch", {"elasticsearch_url": api.url(), "elasticsearch_api_key": KEY}, api_name="vector_io")
    assert result.category is Category.OTHER and "cluster status red" in result.message
    result = await _one("remote::chromadb", {"url": api.url("/chroma")}, api_name="vector_io")
    assert result.category is Category.NOT_FOUND  # v2, then v1 heartbeat: neither exists under /chroma
    assert [p for _, p, _ in api.requests[-2:]] == ["/chroma/api/v2/heartbeat", "/chroma/api/v1/heartbeat"]


# -- pgvector: the PostgreSQL login, then the vector extension


async def test_pgvector_without_the_extension_on_the_server(postgres):
    """The Debian 12 archive has no postgresql-15-pgvector package: the fixture's server has no
    `vector` extension, so the installed and may-create cases cannot run here."""
    config = {"host": postgres.host, "port": postgres.port, "db": postgres.database, "user": postgres.owner,
              "password": postgres.owner_password}
    result = await _one("remote::pgvector", config, api_name="vector_io")
    assert result.category is Category.EXTENSION_MISSING, result
    assert result.server_version.startswith("PostgreSQL 15.") and "install pgvector" in result.hint
    assert _leaks([result], postgres.owner_password) == []
    wrong = "n0t/the:p@ss%21"
    result = await _one("remote::pgvector", {**config, "password": wrong}, api_name="vector_io")
    assert result.category is Category.AUTH_FAILED and _leaks([result], wrong) == []


async def test_pgvector_defaults_and_refused(closed_port):
    result = await _one("remote::pgvector", {"host": "127.0.0.1", "port": closed_port}, api_name="vector_io")
    assert result.category is Category.REFUSED  # db/user from the schema's defaults


# -- the command line


def test_cli_providers_json_and_table(run_cli, tmp_path, api, closed_port):
    config = write_config(
        tmp_path / "run.yaml", {"kv": {"type": "kv_sqlite", "db_path": str(tmp_path / "kv.db")}},
        apis=["inference"],
        providers={"inference": [
            {"provider_id": "vllm", "provider_type": "remote::vllm", "config": {"base_url": api.url("/v1"), "api_token": "${env.API_KEY}"}},
            {"provider_id": "down", "provider_type": "remote::openai", "config": {"base_url": f"http://127.0.0.1:{closed_port}/v1", "api_key": KEY}},
            {"provider_id": "st", "provider_type": "inline::sentence-transformers", "config": {}},
        ]},
        registered_resources={"models": [{"model_id": "llama", "provider_id": "vllm", "provider_model_id": "llama3.2:3b"}]},
    )
    r = run_cli("test-connections", config, "--providers", "--json", env={"API_KEY": KEY})
    assert r.returncode == 1, r.stderr
    rows = json.loads(r.stdout)
    assert [row.get("backend") or row["provider"] for row in rows] == ["kv", "vllm", "down"]
    assert [tuple(row) for row in rows[1:]] == [PROVIDER_JSON_KEYS] * 2
    assert [row["category"] for row in rows] == ["ok", "ok", "refused"]
    assert "no probe for 1 enabled provider: inference st (inline::sentence-transformers)" in r.stderr
    r = run_cli("test-connections", config, "--providers", env={"API_KEY": KEY})
    assert r.returncode == 1
    backend_table, provider_table = r.stdout.split("\n\n")
    assert backend_table.split()[:6] == ["BACKEND", "TYPE", "RESULT", "LATENCY", "SERVER", "MESSAGE"]
    assert provider_table.splitlines()[0].split() == ["PROVIDER", "API", "TYPE", "RESULT", "LATENCY", "SERVER", "MESSAGE"]
    assert provider_table.splitlines()[1].split()[:4] == ["vllm", "inference", "remote::vllm", "ok"]
    assert "1 of 3 not reachable" in r.stderr
    for text in (r.stdout, r.stderr):
        assert KEY not in text and quote(KEY, safe="") not in text
    r = run_cli("test-connections", config, "--json")  # without --providers: the backends only, as before
    assert r.returncode == 0 and [row["backend"] for row in json.loads(r.stdout)] == ["kv"]
