"""What to probe among the providers: each enabled one whose config points at a server.

A provider's `config` is resolved the way the server resolves it (`${env...}`, defaults from the
release's schema of that provider_type), and turned into a `ProbeTarget` whose `type` is the
provider_type. Which field holds the address, and how the server builds its URL from it, follows
the release's provider code (see PROBED_TYPES and `_inference_endpoint`). Planning does no I/O.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from llama_config.model.envvars import Environment, disables_provider, has_placeholder, resolve
from llama_config.model.references import iter_providers
from llama_config.model.releases import Release
from llama_config.model.releases.detect import release_of

from .http_client import parse_endpoint
from .target import ProbeTarget, _fingerprint, secret_forms

# Inference adapters that list their models with the OpenAI client (GET {base_url}/models): the
# ones built on upstream's OpenAIMixin that keep its list_provider_model_ids or only filter it.
# Left out: databricks, watsonx, passthrough, text-embeddings-inference, anthropic, gemini,
# vertexai, bedrock, oci (their own listing or no base URL in the config).
OPENAI_COMPATIBLE = frozenset({
    "remote::azure", "remote::cerebras", "remote::deepseek", "remote::fireworks", "remote::groq",
    "remote::llama-cpp-server", "remote::llama-openai-compat", "remote::meta", "remote::mistral",
    "remote::nvidia", "remote::ollama", "remote::openai", "remote::runpod", "remote::sambanova",
    "remote::together", "remote::vllm",
})
HEALTH_CHECKED = frozenset({"remote::chromadb", "remote::qdrant", "remote::weaviate", "remote::milvus", "remote::elasticsearch"})
PROBED_TYPES = OPENAI_COMPATIBLE | HEALTH_CHECKED | {"remote::pgvector"}

# The key the adapter sends as `Authorization: Bearer`; the field's name changed across releases.
_KEY_FIELDS = ("api_key", "api_token", "auth_credential")
# Adapters that send a placeholder key when none is configured (upstream's "NO KEY REQUIRED").
NO_KEY_REQUIRED = frozenset({"remote::vllm", "remote::ollama"})


def providers_declared(data: Any) -> list[tuple[str, int, dict]]:
    return list(iter_providers(data)) if isinstance(data, dict) else []


def plan_providers(data: Any, env: Environment, release: Release | None = None) -> tuple[list[ProbeTarget], list[str]]:
    """A target per enabled provider of a probed type (file order), and the labels of the enabled
    providers that have no probe ("inference sentence-transformers (inline::sentence-transformers)")."""
    release = release_of(data, release)
    targets: list[ProbeTarget] = []
    unprobed: list[str] = []
    for api, index, provider in providers_declared(data):
        pid = resolve(provider.get("provider_id"), env)
        if not pid.missing and disables_provider(pid.value):
            continue  # ${env.X:+id} with X unset: the server skips it
        ptype = resolve(provider.get("provider_type"), env).value
        name = str(provider.get("provider_id")) if pid.missing else str(pid.value)
        if ptype not in PROBED_TYPES:
            unprobed.append(f"{api} {name} ({ptype})")
            continue
        targets.append(provider_target(api, index, name, ptype, provider.get("config"), env, release,
                                       models=_registered_models(data, name, env), missing_id=pid.missing))
    return targets, unprobed


def _registered_models(data: dict, provider_id: str, env: Environment) -> tuple[str, ...]:
    resources = data.get("registered_resources")
    models = resources.get("models") if isinstance(resources, dict) else None
    found: list[str] = []
    for model in models if isinstance(models, list) else ():
        if not isinstance(model, dict) or resolve(model.get("provider_id"), env).value != provider_id:
            continue
        name = resolve(model.get("provider_model_id"), env).value or resolve(model.get("model_id"), env).value
        if isinstance(name, str) and name and name not in found:
            found.append(name)
    return tuple(found)


def _schema_of(release: Release, api: str, ptype: str) -> dict:
    spec = release.provider(api, ptype) or {}
    return spec.get("config_schema") or {}


def _resolve_tree(value: Any, env: Environment, path: str, missing: list[str], origins: dict[str, str]) -> Any:
    """`value` with every placeholder in it resolved; unset required variables collected."""
    if isinstance(value, dict):
        return {k: _resolve_tree(v, env, f"{path}.{k}" if path else str(k), missing, origins) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_tree(v, env, f"{path}[{i}]", missing, origins) for i, v in enumerate(value)]
    r = resolve(value, env)
    missing.extend(v for v in r.missing if v not in missing)
    if r.variables:
        origins[path] = ", ".join(f"{v.name} from {v.origin}" if v.value is not None else f"{v.name} (unset)" for v in r.variables)
    return r.value


def _at(tree: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(tree, dict):
            return None
        tree = tree.get(part)
    return tree


def provider_target(api: str, index: int, name: str, ptype: str, config: Any, env: Environment, release: Release,
                    *, models: Sequence[str] = (), missing_id: Sequence[str] = ()) -> ProbeTarget:
    """Resolve one provider's config as the server will and say where the probe goes."""
    raw = config if isinstance(config, dict) else {}
    missing: list[str] = list(missing_id)
    origins: dict[str, str] = {}
    settings: dict[str, Any] = _resolve_tree(raw, env, "", missing, origins)
    schema = _schema_of(release, api, ptype)
    for key, spec in schema.get("properties", {}).items():
        if key not in settings and "default" in spec:
            settings[key] = spec["default"]
    spec = release.provider(api, ptype) or {}
    secrets: set[str] = set()
    for dotted in spec.get("secret_fields", ()):
        for value in (_at(raw, dotted), _at(settings, dotted)):
            if value is not None and not isinstance(value, bool) and not has_placeholder(value):
                secrets |= secret_forms(str(value))
    headers = _at(settings, "network.headers")
    if isinstance(headers, dict):  # often an Authorization header: never shown
        secrets |= {form for v in headers.values() if isinstance(v, str) and v for form in secret_forms(v)}
    common = dict(api=api, index=index, origins=origins, models=tuple(models), missing_variables=tuple(missing))
    fingerprint = _fingerprint(ptype, raw, settings, missing)
    if config is not None and not isinstance(config, dict):
        return ProbeTarget(name, ptype, {}, problem=f"the config of provider '{name}' is not a mapping", fingerprint=fingerprint, **common)
    if missing:
        return ProbeTarget(name, ptype, settings, secrets=tuple(sorted(secrets)), fingerprint=fingerprint, **common)
    if ptype == "remote::pgvector":
        return _postgres_target(name, settings, secrets, fingerprint, common)
    address_field, address = _address(ptype, settings)
    if address in (None, ""):
        return ProbeTarget(name, ptype, settings, secrets=tuple(sorted(secrets)), missing_fields=(address_field,),
                           fingerprint=fingerprint, **common)
    if not isinstance(address, str):
        return ProbeTarget(name, ptype, settings, secrets=tuple(sorted(secrets)), fingerprint=fingerprint,
                           problem=f"{address_field} must be a URL, not {type(address).__name__}", **common)
    default_scheme = "https" if ptype == "remote::weaviate" and "localhost" not in address else "http"
    try:
        endpoint = parse_endpoint(address, default_scheme)
    except ValueError as exc:
        return ProbeTarget(name, ptype, settings, secrets=tuple(sorted(secrets)), fingerprint=fingerprint,
                           problem=f"{address_field} {_without_password(address)!r} cannot be used: {exc}", **common)
    password = _url_password(address)
    if password:
        secrets |= secret_forms(password)
    settings = {**settings, "host": endpoint.host, "port": endpoint.port, "_endpoint": endpoint,
                "_key": _key(ptype, settings), "_verify": _verify(settings)}
    return ProbeTarget(name, ptype, settings, secrets=tuple(sorted(secrets)), fingerprint=fingerprint,
                       url=endpoint.url(""), **common)


def _postgres_target(name: str, settings: dict, secrets: set[str], fingerprint: str, common: dict) -> ProbeTarget:
    problem = None
    port = settings.get("port")
    if isinstance(port, str) and port.strip().isdigit():
        port = settings["port"] = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        problem = f"port must be a number from 1 to 65535, not {port!r}"
    for key in ("host", "db", "user"):
        if settings.get(key) in (None, ""):
            return ProbeTarget(name, "remote::pgvector", settings, secrets=tuple(sorted(secrets)), missing_fields=(key,),
                               fingerprint=fingerprint, **common)
    return ProbeTarget(name, "remote::pgvector", settings, secrets=tuple(sorted(secrets)), problem=problem,
                       fingerprint=fingerprint, **common)


def _address(ptype: str, settings: Mapping[str, Any]) -> tuple[str, Any]:
    """(the field named in messages, the URL the server connects to) for an HTTP provider."""
    if ptype in OPENAI_COMPATIBLE:
        return _inference_endpoint(ptype, settings)
    if ptype == "remote::chromadb":
        return "url", settings.get("url")
    if ptype == "remote::weaviate":
        return "weaviate_cluster_url", settings.get("weaviate_cluster_url")
    if ptype == "remote::elasticsearch":
        return "elasticsearch_url", settings.get("elasticsearch_url")
    if ptype == "remote::milvus":
        return "uri", settings.get("uri")
    # qdrant: `url`, else `host` with `port` (and `https`), as QdrantClient builds it
    if settings.get("url"):
        return "url", settings["url"]
    host = settings.get("host")
    if host in (None, ""):
        return "url", None
    scheme = "https" if settings.get("https") is True else "http"
    return "host", f"{scheme}://{host}:{settings.get('port') or 6333}"


def _inference_endpoint(ptype: str, settings: Mapping[str, Any]) -> tuple[str, Any]:
    """The OpenAI client's base URL as the adapter's get_base_url builds it.

    llama-stack 0.3 used `url`, later releases `base_url`. 0.3's Ollama adapter appended "/v1" to
    `url`; 0.3's NVIDIA adapter did when `append_api_version` (default true) is set.
    """
    field = "base_url" if "base_url" in settings or "url" not in settings else "url"
    base = settings.get(field)
    if not isinstance(base, str) or not base:
        return field, base
    if (ptype == "remote::ollama" and field == "url") or (ptype == "remote::nvidia" and settings.get("append_api_version") is True):
        base = base.rstrip("/") + "/v1"
    return field, base


def _key(ptype: str, settings: Mapping[str, Any]) -> str | None:
    for name in _KEY_FIELDS:
        value = settings.get(name)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return "NO KEY REQUIRED" if ptype == "remote::ollama" else str(value)  # Ollama's get_api_key ignores the config
    return "NO KEY REQUIRED" if ptype in NO_KEY_REQUIRED else None


def _verify(settings: Mapping[str, Any]) -> Any:
    """httpx's `verify`: network.tls.verify, else vLLM's older tls_verify, else True."""
    for value in (_at(settings, "network.tls.verify"), settings.get("tls_verify")):
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):  # pydantic reads these as booleans
            return value.strip().lower() == "true"
        if isinstance(value, bool) or (isinstance(value, str) and value):
            return value
    return True


def _url_password(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url if "://" in url else f"http://{url}").password
    except ValueError:
        return None


def _without_password(url: str) -> str:
    from llama_config.model.redaction import redact_text

    return redact_text(url)
