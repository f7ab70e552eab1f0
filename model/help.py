"""Our own help texts, for the fields whose upstream schema has no description.

Keyed by path: `*` matches any one key, `#` any list index. Only words live here: a field's type,
default and whether it is required come from the release data (model/releases), so nothing is
declared twice. Where upstream describes a field, its own description is shown instead.
"""

from __future__ import annotations

_BACKEND = "storage.backends.*."
_PROVIDER = "providers.*.#."
_CORS = "server.cors."
_AUTH = "server.auth.provider_config."
_RESOURCE = "registered_resources.*.#."

HELP: dict[str, str] = {
    _BACKEND + "host": "Host name of the database server (for MongoDB, also a full mongodb:// URI).",
    _BACKEND + "port": "TCP port of the database server.",
    _BACKEND + "db": "Database name.",
    _BACKEND + "user": "User to authenticate as.",
    _BACKEND + "password": "Password for the user; write it as ${env.NAME} so it stays out of the file.",
    _BACKEND + "collection_name": "MongoDB collection holding the key-value pairs.",
    _BACKEND + "table_name": "Table holding the key-value pairs, created if missing.",
    _BACKEND + "ssl_mode": "libpq-style SSL mode such as disable, require or verify-full.",
    _BACKEND + "ca_cert_path": "CA certificate file to verify the server with (used with ssl_mode verify-full).",
    _BACKEND + "pool_pre_ping": "Check each pooled connection with a round trip before using it.",
    _CORS + "allow_origins": "Origins allowed to call the API.",
    _CORS + "allow_origin_regex": "Regular expression of allowed origins.",
    _CORS + "allow_methods": "HTTP methods allowed cross-origin.",
    _CORS + "allow_headers": "Request headers allowed cross-origin.",
    _CORS + "allow_credentials": "Allow cookies and Authorization headers cross-origin; not allowed together with a * origin.",
    _CORS + "expose_headers": "Response headers browsers may read.",
    _CORS + "max_age": "Seconds browsers may cache a preflight answer.",
    _AUTH + "audience": "Audience (aud) a token must carry.",
    _AUTH + "claims_mapping": "Maps a claim of the authenticated user to an access attribute category (roles, teams, projects, namespaces) used by access_policy.",
    _AUTH + "tls_cafile": "CA bundle to verify the identity provider's certificate with.",
    _AUTH + "verify_tls": "Verify the identity provider's TLS certificate.",
    _AUTH + "jwks.uri": "URL of the identity provider's JSON Web Key Set.",
    _AUTH + "introspection.url": "Token introspection endpoint of the identity provider.",
    _AUTH + "introspection.client_id": "Client id the server authenticates to the endpoint with.",
    _AUTH + "introspection.client_secret": "Client secret for client_id.",
    _AUTH + "introspection.send_secret_in_body": "Send the client credentials in the request body instead of HTTP Basic authentication.",
    _PROVIDER + "provider_id": "Name of this provider instance, unique within its API. A value that resolves to empty or __disabled__ turns the provider off.",
    _PROVIDER + "provider_type": "Implementation to run, e.g. inline::faiss or remote::vllm.",
    _PROVIDER + "config": "Settings for this provider type; their shape depends on provider_type.",
    _RESOURCE + "provider_id": "The provider that serves this resource (a provider_id under providers).",
    _RESOURCE + "model_id": "The id clients use for this model.",
    _RESOURCE + "provider_model_id": "The model's id at the provider, when it differs from model_id.",
    _RESOURCE + "model_type": "llm, embedding or rerank.",
}


def _matches(pattern: tuple[str, ...], path: tuple) -> bool:
    if len(pattern) != len(path):
        return False
    for want, part in zip(pattern, path):
        if want == "#":
            if not isinstance(part, int):
                return False
        elif want != "*" and want != part:
            return False
    return True


_PATTERNS = [(tuple(key.split(".")), text) for key, text in HELP.items()]


def help_for(path: tuple) -> str:
    """Our help for the field at `path`, or "" (then upstream's description is used)."""
    for pattern, text in _PATTERNS:
        if _matches(pattern, path):
            return text
    return ""
