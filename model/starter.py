"""A new run config for an operator who has none: minimal, valid and commented.

`llama-config init` and the editor (opening a file that does not exist) write it, for one target
release, in the shape that release reads (from its data: name field, the providers' and backends'
sample configs, the stores its startup needs, registered_resources). The default needs no
database server: two SQLite files under ~/.llama/distributions/<name>/ (~/.ogx/... for ogx), one
for the key-value stores and one for the SQL stores, one inference provider, the stores pointing
at the backends, and server.port. Options switch the SQL stores to PostgreSQL and turn on request
quotas (llama-stack only), which need authentication (the file then has an auth section too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .releases import Release, latest_line, load_release
from .releases.defaults import backend_config, startup_stores
from .render import render_block, render_entry, render_scalar
from .textstyle import TextStyle

DEFAULT_NAME = "my-stack"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# Inference providers offered: type, what the comment says. Their config is the release's own
# sample (the provider's sample_run_config), so field names follow the release (url -> base_url).
PROVIDERS: dict[str, tuple[str, str]] = {
    "ollama": ("remote::ollama", "Ollama on this machine (set OLLAMA_URL for another host)"),
    "vllm": ("remote::vllm", "a vLLM server (set VLLM_URL, and VLLM_API_TOKEN if it wants one)"),
    "openai": ("remote::openai", "OpenAI (set OPENAI_API_KEY; requests fail until it is)"),
}
# Placeholder defaults that the release's samples leave empty, where a local server is the likely
# start (`${env.VLLM_URL:=}` -> `${env.VLLM_URL:=http://localhost:8000/v1}`).
LOCAL_DEFAULTS = {"VLLM_URL": "http://localhost:8000/v1"}

# Authentication offered with quotas: provider_config lines, what the comment says.
AUTH_TYPES: dict[str, tuple[list[str], str]] = {
    "oauth2_token": (
        [
            "type: oauth2_token",
            "issuer: ${env.AUTH_ISSUER}",
            "audience: ${env.AUTH_AUDIENCE:=llama-stack}",
            "jwks:",
            "  uri: ${env.AUTH_JWKS_URI}",
        ],
        "clients send a JWT from your identity provider; set AUTH_ISSUER and AUTH_JWKS_URI",
    ),
    "github_token": (["type: github_token"], "clients send a GitHub token; GitHub says who they are"),
    "kubernetes": (
        ["type: kubernetes", "api_server_url: ${env.KUBERNETES_API_SERVER_URL:=https://kubernetes.default.svc}"],
        "clients send a Kubernetes service account token",
    ),
    "custom": (
        ["type: custom", "endpoint: ${env.AUTH_ENDPOINT}"],
        "your own service at AUTH_ENDPOINT decides (it receives each request's token)",
    ),
}


@dataclass(frozen=True)
class StarterOptions:
    name: str = DEFAULT_NAME
    postgres: bool = False  # PostgreSQL instead of SQLite for the SQL stores
    quota: bool = False
    auth: str = "oauth2_token"  # with quota
    provider: str = "ollama"
    port: int = 8321


def check_name(name: str) -> str:
    """A distribution name usable in a directory name; ValueError otherwise."""
    if not NAME_RE.match(name or ""):
        raise ValueError(f"{name!r} is not a usable distribution name (letters, digits, . _ -; not starting with . _ -)")
    return name


def starter_config(options: StarterOptions = StarterOptions(), file_name: str = "run.yaml", release: Release | None = None) -> str:
    """The text of a new config for `release` (default: the newest), in the shape that release reads:
    its name field, its providers' and backends' sample configs, every store its startup needs,
    registrations under registered_resources. `file_name` is what the comments run the commands on."""
    release = release or load_release(latest_line())
    name = check_name(options.name)
    check_options(options, release)
    style = TextStyle()
    provider_type, provider_note = PROVIDERS[options.provider]
    sql_type = "sql_postgres" if options.postgres else "sql_sqlite"
    stores = startup_stores(release, apis={"inference"})
    # each backend the stores use, of their family (all point at kv_default / sql_default)
    backend_types = {ref["backend"]: sql_type if release.stores[store]["family"] == "sql" else "kv_sqlite" for store, ref in stores.items()}
    lines = [
        f"# {release.name} config for the {name} distribution, written by `llama-config init --server {release.line}`.",
        f"#   llama-config validate --server {release.line} {file_name}           check it",
        f"#   llama-config test-connections --server {release.line} {file_name}   connect to its storage the way the server will",
        f"#   llama-config edit --server {release.line} {file_name}               change it (backends, stores, providers{', quotas' if release.has_quota else ''})",
        "version: 2",
        f"{name_field(release)}: {render_scalar(name, style)}",
        "apis:",
        "- inference",
        "",
        "providers:",
        "  inference:",
        f"  # {provider_note}",
        f"  - provider_id: {options.provider}",
        f"    provider_type: {provider_type}",
        "    config:",
        *render_block(provider_config(release, provider_type), 6, style),
        "",
        "# Storage is declared once under backends and used by name. kv_* backends hold key-value",
        "# stores, sql_* backends hold tables.",
        "storage:",
        "  backends:",
    ]
    for backend, type_name in backend_types.items():
        if type_name == "sql_postgres":
            lines += [
                "    # the SQL stores, in PostgreSQL (the database must exist; the server creates its",
                "    # tables). Set POSTGRES_PASSWORD, or the server will not start.",
            ]
        elif type_name.startswith("sql"):
            lines.append("    # the SQL stores (chat completions, conversations, ...), in a second SQLite file next to the first")
        else:
            lines += [
                "    # the key-value stores (the registry of models, ...): SQLite needs no server; the server",
                f"    # creates the file and its directory ({sqlite_directory(name, release)}, or $SQLITE_STORE_DIR) on first start",
            ]
        lines += render_entry(backend, backend_config(release, type_name, name), 4, style)
    lines += [
        "  # every store this release needs at startup, each pointing at a backend of its family;",
        "  # stores sharing a backend need their own namespace / table",
        "  stores:",
        *render_block(stores, 4, style),
        "",
        "# models the server offers: add entries (model_id, provider_id, provider_model_id) here,",
        "# or register them through the API",
        "registered_resources:",
        "  models: []",
        "",
        "server:",
        f"  port: {int(options.port)}",
    ]
    if release.server.get("tls_required_unless_insecure"):
        lines += [
            f"  # plain HTTP, for a first start on this machine: {release.name} refuses to start without TLS",
            "  # otherwise. In production set tls_certfile and tls_keyfile and remove this line.",
            "  insecure: true",
        ]
    if options.quota:
        auth_lines, auth_note = AUTH_TYPES[options.auth]
        lines += [
            "  # quotas count the requests of each client, so they need authentication:",
            f"  # {auth_note}",
            "  auth:",
            "    provider_config:",
            *(f"      {line}" for line in auth_lines),
            "  # requests a client may make per day (a fixed UTC day); HTTP 429 past the limit",
            "  quota:",
            "    kvstore:",
            f"      backend: {next(b for b, t in backend_types.items() if t.startswith('kv'))}",
            "      namespace: quota",
            "    anonymous_max_requests: 100",
            "    authenticated_max_requests: 1000",
            "    period: day",
        ]
    return "\n".join(lines) + "\n"


def check_options(options: StarterOptions, release: Release) -> None:
    """ValueError for a choice `release` does not offer."""
    if options.provider not in PROVIDERS:
        raise ValueError(f"unknown inference provider {options.provider!r} (one of {', '.join(PROVIDERS)})")
    if options.quota and not release.has_quota:
        raise ValueError(f"{release.name} has no request quotas (server.quota was removed in ogx 1.0); leave quotas out or write for llama-stack 0.7")
    if options.quota and (options.auth not in AUTH_TYPES or options.auth not in release.auth_types):
        offered = [a for a in AUTH_TYPES if a in release.auth_types]
        raise ValueError(f"unknown auth provider type {options.auth!r} (one of {', '.join(offered)})")


def name_field(release: Release) -> str:
    """`image_name` where the release requires it (0.3, 0.4), else the non-deprecated `distro_name`."""
    fields = release.name_fields
    if fields.get("required"):
        return fields["required"][0]
    deprecated = fields.get("deprecated") or []
    return next(f for f in fields.get("one_of") or fields.get("optional") or ["image_name"] if f not in deprecated)


def provider_config(release: Release, provider_type: str) -> dict:
    """The release's sample config of an inference provider, with LOCAL_DEFAULTS filled in."""
    spec = release.provider("inference", provider_type)
    if not spec or spec.get("sample_config") is None:
        raise ValueError(f"{release.name} offers no sample config for the {provider_type} provider")

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, str):
            return re.sub(r"\$\{env\.(\w+):=\}", lambda m: f"${{env.{m[1]}:={LOCAL_DEFAULTS.get(m[1], '')}}}", value)
        return value

    return fill(spec["sample_config"])


def sqlite_directory(name: str, release: Release | None = None) -> str:
    """The directory the SQLite files go to when SQLITE_STORE_DIR is unset."""
    db_path = backend_config(release or load_release(latest_line()), "kv_sqlite", check_name(name))["db_path"]
    m = re.match(r"^\$\{env\.SQLITE_STORE_DIR:=(.*)\}/[^/]*$", db_path)
    return m[1] if m else db_path.rsplit("/", 1)[0]


def create_file(path: str, text: str) -> None:
    """Write a new file, never over an existing one (FileExistsError, or OSError if it cannot be made)."""
    with open(path, "x", encoding="utf-8", newline="") as f:
        f.write(text)
