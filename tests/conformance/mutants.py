"""Mutants of each release's shipped configs, one or more per validation rule of issue 8 item 3.

Each mutant is a config that differs from a base (the starter or watsonx config the release
ships, which it accepts) by one rule's worth of change. Its id is `<line>/<base>/<rule>/<n>`.
`expected` is what releases.md says the release does ("reject", "accept"), or None where it
does not say; the oracle's verdict is the authority and the tests compare llama-config to it.
Computed from the YAML alone (PyYAML, as the server reads it): nothing upstream runs here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.conformance.shipped import CORPUS_DIR

# The mutants' bases: these distributions' configs as each release ships them (copied by the
# release-data generator), so a new release line needs no hand-made base.
BASE_DISTRIBUTIONS = ("starter", "watsonx")


def base_configs(line: str) -> list[Path]:
    """The shipped run config of each base distribution in `line` (run.yaml or config.yaml)."""
    return [p for d in BASE_DISTRIBUTIONS for name in ("run.yaml", "config.yaml") if (p := CORPUS_DIR / line / d / name).is_file()]
MISSING_DIR = "/nonexistent/llama-config-conformance"
ENV_DISABLED = re.compile(r"^\$\{env\.[A-Z0-9_]+:\+")


@dataclass(frozen=True)
class Mutant:
    id: str
    line: str
    rule: str
    text: str
    expected: str | None


def is_ogx(line: str) -> bool:
    return line.startswith("ogx-")


def enabled_providers(cfg: dict) -> Iterator[tuple[str, int, dict]]:
    """Providers the release starts: a literal provider_id (not `${env.X:+id}` nor __disabled__)."""
    for api, providers in (cfg.get("providers") or {}).items():
        for i, p in enumerate(providers or []):
            pid = str(p.get("provider_id", ""))
            if pid and pid != "__disabled__" and not ENV_DISABLED.match(pid):
                yield api, i, p


def _store(cfg):
    return cfg.setdefault("storage", {}).setdefault("stores", {})


def rules(line: str, cfg: dict) -> Iterator[tuple[str, dict, str | None]]:
    """(rule, mutated config, expected) for every rule."""
    m = lambda: copy.deepcopy(cfg)  # noqa: E731
    stores = (cfg.get("storage") or {}).get("stores") or {}
    new_format = line != "0.3"

    for name in stores:
        c = m()
        del _store(c)[name]
        # 0.3 has no defaults: metadata, conversations (and inference when served) are needed.
        yield "store-removed", c, ("reject" if not new_format and name in ("metadata", "conversations") else None)
        c = m()
        _store(c)[name] = None
        yield "store-null", c, ("reject" if name in ("metadata", "conversations") else None)
    kv = next((n for n, b in cfg["storage"]["backends"].items() if b["type"].startswith("kv_")), None)
    sql = next((n for n, b in cfg["storage"]["backends"].items() if b["type"].startswith("sql_")), None)
    for name, ref in stores.items():
        c = m()
        _store(c)[name] = dict(ref, backend="no_such_backend")
        yield "store-unknown-backend", c, "reject"
        other = sql if "namespace" in ref else kv
        if other:
            c = m()
            _store(c)[name] = dict(ref, backend=other)
            # ogx rewrites a kv-shaped prompts/connectors reference to sql_X by name.
            yield "store-wrong-family", c, (None if is_ogx(line) else "reject")
    for name in cfg["storage"]["backends"]:
        c = m()
        c["storage"]["backends"][name]["type"] = name.split("_")[0] + "_nosuch"
        yield "backend-unknown-type", c, "reject"

    for api, i, p in enabled_providers(cfg):
        c = m()
        c["providers"][api][i]["provider_type"] = "remote::no-such-provider"
        yield "unknown-provider-type", c, "reject"
        config = p.get("config") or {}
        for key, value in config.items():
            c = m()
            del c["providers"][api][i]["config"][key]
            yield "provider-field-removed", c, None
            c = m()
            c["providers"][api][i]["config"][key] = {"conformance": ["not", "a", "scalar"]} if not isinstance(value, dict) else "lots"
            yield "provider-field-wrong-type", c, None
            if key == "base_url":
                c = m()
                cc = c["providers"][api][i]["config"]
                cc["url"] = cc.pop("base_url")
                yield "provider-url-not-base-url", c, None
        if "max_tokens" in config:
            c = m()
            c["providers"][api][i]["config"]["max_tokens"] = "lots"
            yield "provider-field-bad-value", c, "reject"
        for key, value in config.items():
            if isinstance(value, dict) and "backend" in value:
                c = m()
                c["providers"][api][i]["config"][key]["backend"] = "no_such_backend"
                yield "provider-store-unknown-backend", c, "reject"
                c = m()
                c["providers"][api][i]["config"][key]["backend"] = sql if "namespace" in value else kv
                yield "provider-store-wrong-family", c, None

    first_api, first_i, first = next(enabled_providers(cfg))
    c = m()
    c["providers"]["not_an_api"] = [copy.deepcopy(first)]
    yield "unknown-api", c, "reject"
    c = m()
    c.setdefault("apis", []).append("not_an_api")
    yield "unknown-api-in-apis", c, "reject"
    for table in ("models", "shields", "tool_groups", "vector_stores"):
        c = m()
        c["providers"][table] = [copy.deepcopy(first)]
        yield "routing-table-api-provider", c, "reject"
    for api in cfg.get("providers") or {}:
        c = m()
        del c["providers"][api]
        c["apis"] = [a for a in c.get("apis") or [] if a != api]
        yield "api-providers-removed", c, None  # a dependency of another provider: refused
        if api in (cfg.get("apis") or []):
            c = m()
            del c["providers"][api]
            yield "apis-entry-without-provider", c, None  # ogx warns, 0.x refuses non-routed APIs

    for pid, expected in (("no-such-provider", "reject"),):
        c = m()
        c.setdefault("registered_resources", {}).setdefault("models", []).append(
            {"model_id": "conformance-model", "provider_id": pid, "model_type": "llm", "metadata": {}}
        )
        yield "model-unknown-provider", c, expected
    disabled = [p for p in (cfg.get("providers") or {}).get("inference") or [] if ENV_DISABLED.match(str(p.get("provider_id")))]
    if disabled:
        pid = str(disabled[0]["provider_id"]).split(":+", 1)[1].rstrip("}")
        c = m()
        c.setdefault("registered_resources", {}).setdefault("models", []).append(
            {"model_id": "conformance-model", "provider_id": pid, "model_type": "llm", "metadata": {}}
        )
        yield "model-disabled-provider", c, "reject"
    c = m()
    c["providers"][first_api][first_i]["provider_id"] = "__disabled__"
    c["providers"][first_api][first_i]["provider_type"] = "remote::no-such-provider"
    c["providers"][first_api][first_i]["config"] = {"max_tokens": "lots"}
    yield "literal-disabled-provider-skipped", c, "accept"
    c = m()
    c["providers"][first_api][first_i]["provider_id"] = "${env.LLAMA_CONFIG_CONFORMANCE_UNSET:+broken}"
    c["providers"][first_api][first_i]["config"] = {"max_tokens": "lots"}
    yield "env-disabled-provider-skipped", c, "accept"

    c = m()
    c.pop("image_name", None)
    c.pop("distro_name", None)
    yield "name-missing", c, "reject"
    c = m()
    c["models"] = [{"model_id": "ignored", "provider_id": "no-such-provider"}]
    yield "top-level-models-ignored", c, "accept"

    def server(**fields):
        c = m()
        c.setdefault("server", {}).update(fields)
        return c

    upstream_header = {"provider_config": {"type": "upstream_header", "principal_header": "x-user"}}
    yield "auth-upstream-header", server(auth=upstream_header), ("reject" if not is_ogx(line) else None)
    yield "auth-unknown-type", server(auth={"provider_config": {"type": "no_such_auth"}}), "reject"
    cors = {"allow_origins": ["*"], "allow_credentials": True}
    yield "cors-wildcard-credentials", server(cors=cors), ("accept" if is_ogx(line) else "reject")
    tls = {"tls_certfile": f"{MISSING_DIR}/cert.pem", "tls_keyfile": f"{MISSING_DIR}/key.pem"}
    yield "tls-files-missing", server(**tls), "reject"
    quota = {"kvstore": {"backend": kv, "namespace": "quota"}, "anonymous_max_requests": 10,
             "authenticated_max_requests": 100, "period": "day"}
    yield "quota", server(quota=quota), "accept"
    quota_bad = dict(quota, kvstore={"backend": "no_such_backend", "namespace": "quota"})
    yield "quota-unknown-backend", server(quota=quota_bad), ("accept" if is_ogx(line) else None)
    yield "workers", server(workers=4), "accept"
    yield "port-not-int", server(port="eighty"), "reject"

    postgres = {"type": "sql_postgres", "connection_string": "postgresql://u:p@db.invalid:5432/ogx"}
    if sql:
        c = m()
        c["storage"]["backends"][sql] = postgres
        yield "postgres-connection-string", c, None
        c = m()
        c["storage"]["backends"][sql] = {"type": "sql_postgres", "host": "db.invalid", "user": "u", "password": "p", "pool_size": 0}
        yield "postgres-pool-size-zero", c, None


def mutants_for(line: str, base: Path) -> list[Mutant]:
    cfg = yaml.safe_load(base.read_text())
    out, counters = [], {}
    for rule, mutated, expected in rules(line, cfg):
        n = counters[rule] = counters.get(rule, 0) + 1
        out.append(Mutant(f"{line}/{base.parent.name}/{rule}/{n}", line, rule, yaml.safe_dump(mutated, sort_keys=False), expected))
    return out


def all_mutants(lines: list[str]) -> list[Mutant]:
    return [m for line in lines for base in base_configs(line) for m in mutants_for(line, base)]


def write(mutants: list[Mutant], directory: Path) -> dict[str, Path]:
    """Each mutant as a file (its id with '/' turned into '__')."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for mutant in mutants:
        path = directory / (mutant.id.replace("/", "__") + ".yaml")
        path.write_text(mutant.text)
        paths[mutant.id] = path
    return paths
