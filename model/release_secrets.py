"""The fields a server release marks secret (`secret_fields` in model/releases/<line>.json.gz:
its `SecretStr` fields and secret-named strings), as the exact paths they have in one file, for
the one redaction rule (model.redaction). A field such as remote::s3's `aws_access_key_id`, whose
name does not say it is secret, is masked in every output too."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .redaction import SecretFields
from .references import iter_providers
from .releases import Release, available_lines, load_release


def release_secret_fields(data: Any, release: Release) -> SecretFields:
    """Paths of the provider config and backend fields `release` marks secret in `data`."""
    paths: list[tuple] = []
    for api, index, provider in iter_providers(data if isinstance(data, dict) else {}):
        provider_type = provider.get("provider_type")
        spec = release.provider(api, provider_type) if isinstance(provider_type, str) else None
        for field in (spec or {}).get("secret_fields") or ():
            paths.append(("providers", api, index, "config", *field.split(".")))
    storage = data.get("storage") if isinstance(data, dict) else None
    backends = storage.get("backends") if isinstance(storage, dict) else None
    for name, backend in backends.items() if isinstance(backends, dict) else ():
        backend_type = backend.get("type") if isinstance(backend, dict) else None
        for field in release.backend_secret_fields(backend_type if isinstance(backend_type, str) else None):
            paths.append(("storage", "backends", name, *field.split(".")))
    return SecretFields(paths)


@lru_cache(maxsize=1)
def secret_names_of_every_release() -> frozenset[str]:
    """The last key of every field any release marks secret: for a message written before the
    file could be read (a parse error), when the target release is not known yet."""
    names: set[str] = set()
    for line in available_lines():
        release = load_release(line)
        specs = [spec for by_type in release.providers.values() for spec in by_type.values()]
        specs += list((release.data.get("backends") or {}).values())
        names.update(field.rsplit(".", 1)[-1] for spec in specs for field in spec.get("secret_fields") or ())
    return frozenset(names)
