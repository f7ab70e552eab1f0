"""OpenAI-compatible inference providers (vLLM, OpenAI, Ollama, NVIDIA, ...): list the models.

What the server does at startup, through upstream's OpenAIMixin: `GET {base_url}/models` with
`Authorization: Bearer <key>` (vLLM and Ollama send "NO KEY REQUIRED" when no key is set), then
each registered model must be in that list, or its registration fails. Ollama also takes
`name:latest` for a registered `name` (its register_model tries both).
"""

from __future__ import annotations

from typing import Any

from .base import ProbeFailure, Progress, Success
from .http_status import check_status, fetch, json_body
from .http_status import classify as classify  # the runner's hook
from .provider_target import _KEY_FIELDS
from .result import Category
from .target import ProbeTarget

DRIVERS = ()
SHOWN_MODELS = 10  # served model names listed in a message at most


def key_field(target: ProbeTarget) -> str:
    return next((f for f in _KEY_FIELDS if f in target.settings), "api_key")


def _not_found_hint(target: ProbeTarget) -> str:
    endpoint = target.settings["_endpoint"]
    field = "url" if "url" in target.settings and "base_url" not in target.settings else "base_url"
    if endpoint.path.rstrip("/").endswith("/v1"):
        return f"is {field} the server's OpenAI-compatible API root?"
    return (f"/v1 missing? OpenAI-compatible servers serve the API under /v1: set {field} to "
            f"{endpoint.origin}{endpoint.path.rstrip('/')}/v1")


def served_ids(data: Any) -> list[str] | None:
    """Model ids of a /models answer: OpenAI's {"data": [{"id": ...}]}, or Together's bare list."""
    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return None
    return [str(m["id"]) for m in items if isinstance(m, dict) and isinstance(m.get("id"), (str, int))]


def is_served(model: str, served: set[str], target: ProbeTarget) -> bool:
    return model in served or (target.type == "remote::ollama" and f"{model}:latest" in served)


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:SHOWN_MODELS])
    return f"[{shown}{', ...' if len(names) > SHOWN_MODELS else ''}]"


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    endpoint = target.settings["_endpoint"]
    key = target.settings.get("_key")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = await fetch(target, "models", progress, headers=headers)
    check_status(response, target, endpoint, "models", key_field=key_field(target),
                 keyed=key not in (None, "NO KEY REQUIRED"), not_found_hint=_not_found_hint(target))
    served = served_ids(json_body(response, endpoint, "models"))
    if served is None:
        raise ProbeFailure(Category.PROTOCOL_MISMATCH, f"{endpoint.joined('models')} on {endpoint.address} answered JSON without a model list",
                           "is the URL an OpenAI-compatible API (GET /models answers {\"data\": [...]})?")
    available = set(served)
    missing = [m for m in target.models if not is_served(m, available, target)]
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        raise ProbeFailure(
            Category.MODEL_NOT_SERVED,
            f"model{'s' if len(missing) > 1 else ''} {names} not served; served: {_listed(served)}",
            "registering a model the server does not serve fails at startup: fix provider_model_id in "
            "registered_resources.models, or load the model on the server",
        )
    what = f"{len(served)} model{'s' if len(served) != 1 else ''} served"
    if target.models:
        what += f", including the registered {', '.join(repr(m) for m in target.models)}"
    return Success(f"GET {endpoint.joined('models')} on {endpoint.address}: {what}")
