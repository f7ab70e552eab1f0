"""`server:`: port, TLS, CORS, authentication and request quotas."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError, core_schema

from model.facts import AUTH_PROVIDER_TYPES, looks_like_draft_quota  # noqa: F401  (re-exported)

from model.envvars import has_placeholder
from model.schema.references import KVStoreReference
from model.schema.types import ChooseByType, Env, EnvBool, EnvInt, EnvNonNegativeInt, EnvPositiveInt, env_int

__all__ = [
    "AUTH_PROVIDER_MODELS",
    "AUTH_PROVIDER_TYPES",
    "AuthConfig",
    "AuthProviderConfig",
    "CORSConfig",
    "CustomAuthConfig",
    "GitHubTokenAuthConfig",
    "KubernetesAuthConfig",
    "OAuth2IntrospectionConfig",
    "OAuth2JWKSConfig",
    "OAuth2TokenAuthConfig",
    "QuotaConfig",
    "ServerConfig",
    "UpstreamHeaderAuthConfig",
    "looks_like_draft_quota",
]

SCHEMA_CONFIG = ConfigDict(extra="allow", defer_build=True)
NEWER = {"since": "newer"}
SECRET = {"secret": True}

_CLAIMS_MAPPING_HELP = (
    "Maps a claim of the authenticated user to an access attribute category (roles, teams, "
    "projects, namespaces) used by access_policy."
)


# --------------------------------------------------------------------------- auth providers


class OAuth2JWKSConfig(BaseModel):
    """Verify tokens locally with the identity provider's published signing keys."""

    model_config = SCHEMA_CONFIG

    uri: str = Field(description="URL of the identity provider's JSON Web Key Set (required).")
    token: str | None = Field(
        None,
        description="Bearer token sent when fetching the key set, if the URL needs one. Default: none.",
        json_schema_extra=SECRET,
    )
    key_recheck_period: EnvInt = Field(
        3600, description="Seconds between re-fetches of the key set. Default: 3600."
    )


class OAuth2IntrospectionConfig(BaseModel):
    """Ask the identity provider about every token (RFC 7662 token introspection)."""

    model_config = SCHEMA_CONFIG

    url: str = Field(description="Token introspection endpoint of the identity provider (required).")
    client_id: str = Field(description="Client id the server authenticates to the endpoint with (required).")
    client_secret: str = Field(
        description="Client secret for client_id (required).", json_schema_extra=SECRET
    )
    send_secret_in_body: EnvBool = Field(
        False,
        description="Send the client credentials in the request body instead of HTTP Basic "
        "authentication. Default: false.",
    )


class OAuth2TokenAuthConfig(BaseModel):
    """Bearer tokens (JWT) from an OAuth2 / OIDC identity provider."""

    # x-exactly-one-of carries the model validator below into the JSON schema the CLI checks with
    model_config = ConfigDict(extra="allow", defer_build=True, json_schema_extra={
        "x-exactly-one-of": ["jwks", "introspection"],
        "x-exactly-one-of-help": {"jwks": "check tokens against the provider's key set", "introspection": "ask the provider about each token"},
    })

    type: Env[Literal["oauth2_token"]] = Field(
        "oauth2_token", description="Auth provider: OAuth2 / OIDC bearer tokens."
    )
    audience: str = Field(
        "llama-stack",
        description="Audience (aud) a token must carry. Default: llama-stack (newer upstream: ogx).",
        json_schema_extra={"newer_default": "ogx"},
    )
    verify_tls: EnvBool = Field(
        True, description="Verify the identity provider's TLS certificate. Default: true."
    )
    tls_cafile: str | None = Field(
        None, description="CA bundle for the identity provider's certificate. Default: system CAs."
    )
    issuer: str | None = Field(
        None, description="Expected token issuer (iss), the OIDC issuer URL. Default: not checked."
    )
    claims_mapping: dict[str, str] = Field(
        default_factory=lambda: {
            "sub": "roles",
            "username": "roles",
            "groups": "teams",
            "team": "teams",
            "project": "projects",
            "tenant": "namespaces",
            "namespace": "namespaces",
        },
        description=_CLAIMS_MAPPING_HELP
        + " Default: sub, username -> roles; groups, team -> teams; project -> projects; "
        "tenant, namespace -> namespaces.",
    )
    jwks: OAuth2JWKSConfig | None = Field(
        None,
        description="Check tokens locally against the provider's key set. Set exactly one of "
        "jwks or introspection.",
    )
    introspection: OAuth2IntrospectionConfig | None = Field(
        None,
        description="Check each token with the provider's introspection endpoint. Set exactly "
        "one of jwks or introspection.",
    )

    @model_validator(mode="after")
    def _exactly_one_verifier(self) -> OAuth2TokenAuthConfig:
        if self.jwks is None and self.introspection is None:
            raise ValueError(
                "oauth2_token needs exactly one of 'jwks' (check tokens against the provider's "
                "key set) or 'introspection' (ask the provider about each token); neither is set"
            )
        if self.jwks is not None and self.introspection is not None:
            raise ValueError(
                "oauth2_token needs exactly one of 'jwks' or 'introspection'; both are set, "
                "remove one"
            )
        return self


class GitHubTokenAuthConfig(BaseModel):
    """GitHub personal access / OAuth tokens, checked against the GitHub API."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["github_token"]] = Field("github_token", description="Auth provider: GitHub tokens.")
    github_api_base_url: str = Field(
        "https://api.github.com",
        description="GitHub API base URL; change it for GitHub Enterprise. Default: https://api.github.com.",
    )
    claims_mapping: dict[str, str] = Field(
        default_factory=lambda: {"login": "roles", "organizations": "teams"},
        description=_CLAIMS_MAPPING_HELP + " Default: login -> roles, organizations -> teams.",
    )


class CustomAuthConfig(BaseModel):
    """Delegate every token to your own HTTP endpoint."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["custom"]] = Field("custom", description="Auth provider: your own endpoint.")
    endpoint: str = Field(
        description="URL the server POSTs each request's credentials to; it answers with the "
        "user's principal and attributes (required)."
    )


class KubernetesAuthConfig(BaseModel):
    """Kubernetes service-account tokens, checked with the cluster's API server."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["kubernetes"]] = Field("kubernetes", description="Auth provider: Kubernetes tokens.")
    api_server_url: str = Field(
        "https://kubernetes.default.svc",
        # the same rule as _http_url, visible in the JSON schema (a placeholder is accepted too)
        json_schema_extra={"pattern": r"^https?://[^/\s]+|\$\{env\."},
        description="Kubernetes API server URL (http or https, with host). Default: "
        "https://kubernetes.default.svc, the in-cluster address.",
    )
    verify_tls: EnvBool = Field(True, description="Verify the API server's TLS certificate. Default: true.")
    tls_cafile: str | None = Field(
        None, description="CA bundle for the API server's certificate. Default: system CAs."
    )
    claims_mapping: dict[str, str] = Field(
        default_factory=lambda: {"username": "roles", "groups": "roles"},
        description=_CLAIMS_MAPPING_HELP + " Default: username, groups -> roles.",
    )

    @field_validator("api_server_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if has_placeholder(value):
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("api_server_url must be an http:// or https:// URL with a host")
        return value


class UpstreamHeaderAuthConfig(BaseModel):
    """Trust identity headers set by a gateway in front of the server (newer upstream)."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["upstream_header"]] = Field(
        "upstream_header", description="Auth provider: identity headers from an upstream gateway."
    )
    principal_header: str = Field(
        description="Header holding the authenticated user's identity, e.g. x-auth-user-id (required). "
        "Only safe when nothing but the gateway can reach the server."
    )
    attributes_header: str | None = Field(
        None,
        description="Header holding the user's access attributes as JSON, e.g. x-auth-attributes. "
        "Default: none.",
    )
    attribute_headers: dict[str, str] | None = Field(
        None,
        description="Header name -> attribute category; each header holds a JSON list or a plain "
        "string, merged with attributes_header. Default: none.",
    )


AUTH_PROVIDER_MODELS: dict[str, type[BaseModel]] = {
    "oauth2_token": OAuth2TokenAuthConfig,
    "github_token": GitHubTokenAuthConfig,
    "custom": CustomAuthConfig,
    "kubernetes": KubernetesAuthConfig,
    "upstream_header": UpstreamHeaderAuthConfig,
}

AuthProviderConfig = Annotated[
    OAuth2TokenAuthConfig
    | GitHubTokenAuthConfig
    | CustomAuthConfig
    | KubernetesAuthConfig
    | UpstreamHeaderAuthConfig,
    ChooseByType(AUTH_PROVIDER_MODELS, "auth provider"),
]


class AuthConfig(BaseModel):
    """Who may call the server, and what they may touch."""

    model_config = SCHEMA_CONFIG

    provider_config: AuthProviderConfig | None = Field(
        None,
        description="How callers are authenticated; `type` picks the provider. Required in "
        "v0.3; newer upstream allows leaving it out when only route_policy is used.",
    )
    access_policy: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Rules (permit/forbid, when/unless) deciding which users may act on which "
        "resources. Default: empty, upstream's built-in rules apply.",
    )
    route_policy: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Rules deciding which users may call which API routes (newer upstream). "
        "Default: empty, every route open to authenticated users.",
        json_schema_extra=NEWER,
    )


# --------------------------------------------------------------------------- quota


class QuotaConfig(BaseModel):
    """Daily request limits per client, counted in a KV store (as shipped in v0.3)."""

    model_config = SCHEMA_CONFIG

    kvstore: KVStoreReference = Field(
        description="Where the counters live: a reference to a kv_* backend (required). A bad "
        "reference is not a startup error: every request then fails with 500 Quota service error."
    )
    anonymous_max_requests: EnvNonNegativeInt = Field(
        100,
        description="Requests per period for clients without credentials, counted per IP "
        "address. Default: 100.",
    )
    authenticated_max_requests: EnvNonNegativeInt = Field(
        1000,
        description="Requests per period for authenticated clients; only applies when server.auth "
        "is set. Default: 1000.",
    )
    period: Env[Literal["day"]] = Field(
        "day", description="Counting window: a fixed UTC day, the only value. Default: day."
    )


# --------------------------------------------------------------------------- server


class CORSConfig(BaseModel):
    """Cross-origin (browser) access to the API."""

    model_config = SCHEMA_CONFIG

    allow_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API. Default: none."
    )
    allow_origin_regex: str | None = Field(
        None, description="Regular expression of allowed origins. Default: none."
    )
    allow_methods: list[str] = Field(
        default_factory=lambda: ["OPTIONS"], description="HTTP methods allowed cross-origin. Default: OPTIONS."
    )
    allow_headers: list[str] = Field(
        default_factory=list, description="Request headers allowed cross-origin. Default: none."
    )
    allow_credentials: EnvBool = Field(
        False,
        description="Allow cookies and Authorization headers cross-origin; not allowed together "
        "with a * origin. Default: false.",
    )
    expose_headers: list[str] = Field(
        default_factory=list, description="Response headers browsers may read. Default: none."
    )
    max_age: EnvNonNegativeInt = Field(
        600, description="Seconds browsers may cache a preflight answer. Default: 600."
    )

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> CORSConfig:
        if self.allow_credentials is True and "*" in self.allow_origins:
            raise ValueError("allow_credentials cannot be true when allow_origins contains '*'")
        return self


_LAX_BOOLS: dict[Any, bool] = {
    **dict.fromkeys(("true", "t", "yes", "y", "on", "1", 1), True),
    **dict.fromkeys(("false", "f", "no", "n", "off", "0", 0), False),
}


class _BoolOrCORS:
    """`cors:` is true/false (true = localhost on any port, for development) or a mapping."""

    def _validate(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, CORSConfig)):
            return value
        if isinstance(value, dict):
            return CORSConfig.model_validate(value)
        if isinstance(value, str) and has_placeholder(value):
            return value
        # pydantic's lax booleans, as upstream (bool | CORSConfig | None) would accept them
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            key = value.strip().lower() if isinstance(value, str) else value
            if key in _LAX_BOOLS:
                return _LAX_BOOLS[key]
        raise PydanticCustomError(
            "bool_type", "Input should be true, false or a mapping of CORS settings", {}
        )

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            self._validate, json_schema_input_schema=handler(source)
        )


class ServerConfig(BaseModel):
    """The HTTP(S) server."""

    model_config = SCHEMA_CONFIG

    port: env_int(ge=1024, le=65535) = Field(
        8321, description="TCP port to listen on, 1024 to 65535. Default: 8321."
    )
    host: str | None = Field(
        None, description="Address to listen on. Default: all interfaces."
    )
    tls_certfile: str | None = Field(
        None, description="TLS certificate file; set with tls_keyfile to serve HTTPS. Default: plain HTTP."
    )
    tls_keyfile: str | None = Field(
        None, description="Private key file for tls_certfile. Default: none."
    )
    tls_cafile: str | None = Field(
        None,
        description="CA file for verifying client certificates (mutual TLS). Default: clients "
        "are not asked for certificates.",
    )
    cors: Annotated[bool | CORSConfig | None, _BoolOrCORS()] = Field(
        None,
        description="Cross-origin access: true allows localhost on any port (development), a "
        "mapping sets the rules. Default: off.",
    )
    auth: AuthConfig | None = Field(
        None, description="Authentication and access control. Default: none, every caller is anonymous."
    )
    quota: QuotaConfig | None = Field(
        None,
        description="Per-client daily request limits. Default: none, unlimited. Meant to be used "
        "with auth: without it every client counts against the anonymous limit by IP.",
    )
    workers: EnvPositiveInt = Field(
        1, description="Server worker processes (newer upstream). Default: 1.", json_schema_extra=NEWER
    )
    registry_refresh_interval_seconds: EnvPositiveInt = Field(
        300,
        description="Seconds between refreshes of the model list from providers (newer upstream). "
        "Default: 300.",
        json_schema_extra=NEWER,
    )
