"""A new run.yaml for an operator who has none: minimal, valid and commented.

`llama-config init` and the editor (opening a file that does not exist) write it. The default
needs no database server: two SQLite files under ~/.llama/distributions/<name>/, one for the
key-value stores and one for the SQL stores, one inference provider, the stores pointing at the
backends, and server.port. Options switch the SQL stores to PostgreSQL and turn on request
quotas, which need authentication (the file then has an auth section too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .render import render_scalar
from .textstyle import TextStyle

DEFAULT_NAME = "my-stack"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# Inference providers offered: type, config lines, what the comment says.
PROVIDERS: dict[str, tuple[str, list[str], str]] = {
    "ollama": (
        "remote::ollama",
        ["url: ${env.OLLAMA_URL:=http://localhost:11434}"],
        "Ollama on this machine (set OLLAMA_URL for another host)",
    ),
    "vllm": (
        "remote::vllm",
        ["url: ${env.VLLM_URL:=http://localhost:8000/v1}", "api_token: ${env.VLLM_API_TOKEN:=fake}"],
        "a vLLM server (set VLLM_URL, and VLLM_API_TOKEN if it wants one)",
    ),
    "openai": (
        "remote::openai",
        ["api_key: ${env.OPENAI_API_KEY}"],
        "OpenAI (the server will not start until OPENAI_API_KEY is set)",
    ),
}

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


def starter_config(options: StarterOptions = StarterOptions(), file_name: str = "run.yaml") -> str:
    """The text of a new run.yaml (`file_name` is what its comments tell to run the commands on)."""
    name = check_name(options.name)
    if options.provider not in PROVIDERS:
        raise ValueError(f"unknown inference provider {options.provider!r} (one of {', '.join(PROVIDERS)})")
    if options.quota and options.auth not in AUTH_TYPES:
        raise ValueError(f"unknown auth provider type {options.auth!r} (one of {', '.join(AUTH_TYPES)})")
    directory = f"${{env.SQLITE_STORE_DIR:=~/.llama/distributions/{name}}}"
    provider_type, provider_config, provider_note = PROVIDERS[options.provider]
    lines = [
        f"# Llama Stack run config for the {name} distribution, written by `llama-config init`.",
        f"#   llama-config validate {file_name}           check it",
        f"#   llama-config test-connections {file_name}   connect to its storage the way the server will",
        f"#   llama-config edit {file_name}               change it (backends, stores, providers, quotas)",
        "version: 2",
        f"image_name: {render_scalar(name, TextStyle())}",
        "apis:",
        "- inference",
        "",
        "providers:",
        "  inference:",
        f"  # {provider_note}",
        f"  - provider_id: {options.provider}",
        f"    provider_type: {provider_type}",
        "    config:",
        *(f"      {line}" for line in provider_config),
        "",
        "# Storage is declared once under backends and used by name. kv_* backends hold key-value",
        "# stores, sql_* backends hold tables.",
        "storage:",
        "  backends:",
        "    # the registry (models, shields, ...): SQLite needs no server; the server creates the",
        f"    # file and its directory (~/.llama/distributions/{name}, or $SQLITE_STORE_DIR) on first start",
        "    kv_default:",
        "      type: kv_sqlite",
        f"      db_path: {directory}/kvstore.db",
    ]
    if options.postgres:
        lines += [
            "    # chat completions and conversations, in PostgreSQL (the database must exist; the",
            "    # server creates its tables). Set POSTGRES_PASSWORD, or the server will not start.",
            "    sql_default:",
            "      type: sql_postgres",
            "      host: ${env.POSTGRES_HOST:=localhost}",
            "      port: ${env.POSTGRES_PORT:=5432}",
            "      db: ${env.POSTGRES_DB:=llamastack}",
            "      user: ${env.POSTGRES_USER:=llamastack}",
            "      password: ${env.POSTGRES_PASSWORD}",
        ]
    else:
        lines += [
            "    # chat completions and conversations, in a second SQLite file next to the first",
            "    sql_default:",
            "      type: sql_sqlite",
            f"      db_path: {directory}/sql_store.db",
        ]
    lines += [
        "  # each store points at a backend; stores sharing a backend need their own namespace / table",
        "  stores:",
        "    metadata:",
        "      backend: kv_default",
        "      namespace: registry",
        "    inference:",
        "      backend: sql_default",
        "      table_name: inference_store",
        "    conversations:",
        "      backend: sql_default",
        "      table_name: openai_conversations",
        "",
        "# models the server offers; add them here or register them through the API",
        "models: []",
        "",
        "server:",
        f"  port: {int(options.port)}",
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
            "      backend: kv_default",
            "      namespace: quota",
            "    anonymous_max_requests: 100",
            "    authenticated_max_requests: 1000",
            "    period: day",
        ]
    return "\n".join(lines) + "\n"


def sqlite_directory(name: str) -> str:
    """The directory the SQLite files go to when SQLITE_STORE_DIR is unset."""
    return f"~/.llama/distributions/{check_name(name)}"


def create_file(path: str, text: str) -> None:
    """Write a new file, never over an existing one (FileExistsError, or OSError if it cannot be made)."""
    with open(path, "x", encoding="utf-8", newline="") as f:
        f.write(text)
