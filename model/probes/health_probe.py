"""Remote vector databases: each one's documented HTTP health (or cheapest authenticated) call.

| type | request | a good answer |
|---|---|---|
| chromadb | GET /api/v2/heartbeat (Chroma 1.x; /api/v1/heartbeat on a 404, older servers) | 200 JSON |
| qdrant | GET /healthz, `api-key` header when configured | 200 |
| weaviate | GET /v1/.well-known/ready, Bearer key when configured | 2xx |
| milvus | POST /v2/vectordb/collections/list (RESTful API v2), Bearer token | 200 JSON, code 0 |
| elasticsearch | GET /_cluster/health, `Authorization: ApiKey` when configured | 200 JSON, status green or yellow |

The address is what the adapter connects to: chromadb `url`; qdrant `url`, else `host`/`port`/
`https`; weaviate `weaviate_cluster_url` (http for a localhost address, https otherwise, as the
adapter picks connect_to_local or connect_to_weaviate_cloud); milvus `uri`; elasticsearch
`elasticsearch_url` (http when it has no scheme).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .base import ProbeFailure, Progress, Success
from .http_client import Response
from .http_status import check_status, fetch, json_body
from .http_status import classify as classify  # the runner's hook
from .result import Category
from .target import ProbeTarget

DRIVERS = ()
MILVUS_AUTH_CODES = {1800}  # RESTful API v2: "user hasn't authenticated"


@dataclass(frozen=True)
class Check:
    path: str
    key_field: str
    auth: Callable[[str], dict[str, str]]
    verdict: Callable[[Response, ProbeTarget], str]  # the success message; raises ProbeFailure
    method: str = "GET"
    body: bytes | None = None
    fallback: str | None = None  # tried once when `path` is 404


def _where(target: ProbeTarget, path: str) -> str:
    return f"{target.settings['_endpoint'].joined(path)} on {target.address}"


def _chroma(response: Response, target: ProbeTarget) -> str:
    json_body(response, target.settings["_endpoint"], "heartbeat")
    return "answered the heartbeat"


def _plain(response: Response, target: ProbeTarget) -> str:
    return f"answered HTTP {response.status}"


def _milvus(response: Response, target: ProbeTarget) -> str:
    path = CHECKS["remote::milvus"].path
    data = json_body(response, target.settings["_endpoint"], path)
    code = data.get("code") if isinstance(data, dict) else None
    if code == 0:
        return "listed the collections"
    message = data.get("message") if isinstance(data, dict) else None
    if code in MILVUS_AUTH_CODES:
        raise ProbeFailure(Category.AUTH_FAILED, f"{_where(target, path)} refused the token (code {code}: {message})",
                           "check token (user:password, or an API key)")
    if not isinstance(code, int):
        raise ProbeFailure(Category.PROTOCOL_MISMATCH, f"{_where(target, path)} answered JSON that is not a Milvus answer",
                           "is uri the Milvus server's address (port 19530)?")
    raise ProbeFailure(Category.OTHER, f"{_where(target, path)} answered code {code}: {message}", "see the Milvus log")


def _elastic(response: Response, target: ProbeTarget) -> str:
    data = json_body(response, target.settings["_endpoint"], "_cluster/health")
    status = data.get("status") if isinstance(data, dict) else None
    if status in ("green", "yellow"):
        return f"cluster status {status}"
    if status == "red":
        raise ProbeFailure(Category.OTHER, f"{_where(target, '_cluster/health')}: cluster status red (some primary shards are not allocated)",
                           "see GET /_cluster/allocation/explain on the cluster")
    raise ProbeFailure(Category.PROTOCOL_MISMATCH, f"{_where(target, '_cluster/health')} answered JSON without a cluster status",
                       "is elasticsearch_url the Elasticsearch HTTP address (port 9200)?")


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


CHECKS: dict[str, Check] = {
    "remote::chromadb": Check("/api/v2/heartbeat", "url", lambda key: {}, _chroma, fallback="/api/v1/heartbeat"),
    "remote::qdrant": Check("/healthz", "api_key", lambda key: {"api-key": key}, _plain),
    "remote::weaviate": Check("/v1/.well-known/ready", "weaviate_api_key", _bearer, _plain),
    "remote::milvus": Check("/v2/vectordb/collections/list", "token", _bearer, _milvus, method="POST", body=b"{}"),
    "remote::elasticsearch": Check("/_cluster/health", "elasticsearch_api_key", lambda key: {"Authorization": f"ApiKey {key}"}, _elastic),
}


def _key(target: ProbeTarget, field: str) -> Any:
    value = target.settings.get(field)
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) else None


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    check = CHECKS[target.type]
    key = _key(target, check.key_field)
    headers = check.auth(key) if key else {}
    path = check.path
    response = await fetch(target, path, progress, headers=headers, method=check.method, body=check.body)
    if response.status == 404 and check.fallback:
        path = check.fallback
        response = await fetch(target, path, progress, headers=headers, method=check.method, body=check.body)
    hint = f"is {target.url} the server's address (not a path below it)?"
    check_status(response, target, target.settings["_endpoint"], path, key_field=check.key_field, keyed=key is not None,
                 not_found_hint=hint)
    return Success(f"{check.method} {target.settings['_endpoint'].joined(path)} on {target.address}: {check.verdict(response, target)}")
