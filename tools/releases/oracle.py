"""The conformance oracle: what one upstream release's server does with a config at startup.

Run by the release's own interpreter (see envs.py), with only the standard library and the release:

    PYTHON oracle.py REQUEST.json VERDICTS.json

REQUEST.json is {"items": [{"file": PATH, "env": {NAME: VALUE}}, ...]}. For each file it runs the
release's own startup code, in the server's order, up to the point where it would open a store,
import a provider's implementation or start serving, and writes one verdict per file:

    {"file", "accepted": bool, "stage": "load|model|server|storage|providers|deps|resources",
     "error": "message" or null, "warnings": [what the release logs at WARNING or above]}

Everything below calls the release's functions; the few lines that mirror upstream instead are
marked MIRROR and say where their original lives and why it cannot be called without I/O.
ogx is judged as `ogx run --insecure FILE` (how every shipped ogx config is started in
development: without it `ogx run` refuses any file without TLS files); what the flag excuses is
reported as a warning starting "without --insecure:".
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib
import importlib.metadata
import importlib.util
import inspect
import io
import json
import logging
import os
import ssl
import sys
import types
import warnings

PKG = "ogx" if importlib.util.find_spec("ogx") else "llama_stack"


def mod(name: str):
    return importlib.import_module(f"{PKG}.{name}")


class StopBeforeIO(Exception):
    """Raised where the release would open a store: the step before it has run."""


class Rejected(Exception):
    def __init__(self, stage: str, error: BaseException | str):
        self.stage = stage
        self.error = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        super().__init__(self.error)


# --- captured logging --------------------------------------------------------------------------

CAPTURED: list[str] = []
_original_handle = logging.Logger.handle


def _capturing_handle(self, record):
    if record.levelno >= logging.WARNING:
        try:
            message = record.getMessage()
        except Exception:  # structlog passes dicts; str() is enough to compare
            message = str(record.msg)
        CAPTURED.append(message)
    return _original_handle(self, record)


logging.Logger.handle = _capturing_handle  # every logger, whatever handlers the release installs


# --- storage: the release's registries, opened by a lookup-only stand-in -------------------------


def _storage_module(kind: str):
    """The module holding _KVSTORE_BACKENDS / _SQLSTORE_BACKENDS (moved from providers/utils to
    core/storage in 0.4)."""
    for name in (f"core.storage.{kind}store.{kind}store", f"providers.utils.{kind}store.{kind}store"):
        try:
            return mod(name)
        except ImportError:
            continue
    raise ImportError(f"{kind}store module not found in {PKG}")


KV = _storage_module("kv")
SQL = _storage_module("sql")


def lookup(family: str, reference) -> None:
    """MIRROR of kvstore_impl/sqlstore_impl up to their backend lookup (the only check before
    they connect): an unknown name, or one of the other family (each registry holds one family),
    is an error."""
    registry = KV._KVSTORE_BACKENDS if family == "KV" else SQL._SQLSTORE_BACKENDS
    if reference.backend not in registry:
        raise Rejected(
            "storage",
            f"ValueError: Unknown {family}Store backend '{reference.backend}'. Registered backends: {sorted(registry)}",
        )


def _stand_in(family: str, real):
    """Looks the backend up, then stops: the next step opens the store. Sync or async like the
    function it replaces: 0.3's sync sqlstore_impl only builds the store object (it connects on
    first use, which the caller's later awaited step does), so it returns one without a
    connection."""
    if inspect.iscoroutinefunction(real):

        async def stand_in(reference, *args, **kwargs):
            lookup(family, reference)
            raise StopBeforeIO(reference.backend)

    else:

        def stand_in(reference, *args, **kwargs):
            lookup(family, reference)
            return StandIn(config=SQL._SQLSTORE_BACKENDS[reference.backend])

    return stand_in


# The functions that open a store by reference, per release (ogx made sqlstore_impl private).
STORE_OPENERS = {"KV": ("kvstore_impl",), "SQL": ("sqlstore_impl", "_sqlstore_impl")}


def _patch_store_openers() -> None:
    """Replace the store openers wherever the release imported them."""
    replacements = {}
    for family, module in (("KV", KV), ("SQL", SQL)):
        for name in STORE_OPENERS[family]:
            if (real := getattr(module, name, None)) is not None:
                replacements[real] = _stand_in(family, real)
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith(PKG):
            continue
        for attr, value in list(vars(module).items()):
            if callable(value) and value in replacements:
                setattr(module, attr, replacements[value])


async def until_io(awaitable):
    with contextlib.suppress(StopBeforeIO):
        return await awaitable
    return None


def check_references(config) -> None:
    """A provider opens every store reference of its config when it starts (the release's
    provider initialize() calls kvstore_impl/sqlstore_impl on them); check each by the same
    lookup."""
    datatypes = mod("core.storage.datatypes")
    kv_ref, sql_ref = datatypes.KVStoreReference, datatypes.SqlStoreReference

    def walk(value):
        if isinstance(value, kv_ref):
            return [("KV", value)]
        if isinstance(value, sql_ref):
            return [("SQL", value)]
        found = []
        if hasattr(value, "__pydantic_fields__"):
            for name in type(value).__pydantic_fields__:
                found += walk(getattr(value, name, None))
        elif isinstance(value, dict):
            for v in value.values():
                found += walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                found += walk(v)
        return found

    for family, reference in walk(config):
        lookup(family, reference)


# --- provider instantiation stopped before the provider's own code -------------------------------


class EmptyList(list):
    """An empty listing, as a plain list or as a response object with .data."""

    data: list = []


class StandIn:
    """Stands for a provider implementation or routing table the oracle does not start: it
    accepts any attribute, its list_* methods return nothing and its other methods echo."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        async def method(*args, **kwargs):
            if name.startswith("list_"):
                return EmptyList()
            return args[0] if args else None

        return method


class MemoryRegistry:
    """An in-memory DistributionRegistry: the real one is a KV store (I/O)."""

    def __init__(self):
        self.objects = {}

    async def initialize(self):
        pass

    async def get_all(self):
        return list(self.objects.values())

    async def get(self, *key):
        return self.objects.get(key[-1]) if len(key) == 1 else self.objects.get(tuple(key))

    def get_cached(self, *key):
        return self.objects.get(key[-1]) if len(key) == 1 else self.objects.get(tuple(key))

    async def update(self, obj):
        self.objects[obj.identifier] = obj
        self.objects[(obj.type, obj.identifier)] = obj
        return obj

    async def register(self, obj):
        await self.update(obj)
        return True

    async def delete(self, type_, identifier):
        self.objects.pop(identifier, None)
        self.objects.pop((type_, identifier), None)


def provider_module(name: str):
    """What resolver.instantiate_provider gets for `importlib.import_module(spec.module)`: the
    routers module for the built-in APIs, otherwise a stand-in whose get_*_impl checks the config's
    store references and stops (the real one imports the provider's pip packages and connects)."""
    if name.endswith("core.routers"):
        routers = mod("core.routers")

        async def get_auto_router_impl(api, routing_table, deps, run_config, policy, *rest):
            # The router's own start (inference: storage.stores.inference must be set) runs until
            # it opens its store.
            await until_io(routers.get_auto_router_impl(api, routing_table, deps, run_config, policy, *rest))
            return StandIn(api=api)

        async def get_routing_table_impl(api, inner_impls, deps, dist_registry, policy, *rest):
            return await routers.get_routing_table_impl(api, inner_impls, deps, MemoryRegistry(), policy, *rest)

        return types.SimpleNamespace(
            get_auto_router_impl=get_auto_router_impl, get_routing_table_impl=get_routing_table_impl
        )

    async def get_impl(config, deps, *rest):
        check_references(config)
        return StandIn(config=config)

    return types.SimpleNamespace(get_provider_impl=get_impl, get_adapter_impl=get_impl)


def patch_resolver(resolver) -> None:
    resolver.importlib = types.SimpleNamespace(import_module=provider_module, metadata=importlib.metadata)
    # Protocol compliance checks the provider's code, not the config: a stand-in has no methods.
    resolver.check_protocol_compliance = lambda *args, **kwargs: None


# --- the startup, step by step -------------------------------------------------------------------


def call(fn, *args):
    """Call fn with as many of args as its signature takes (signatures grew across releases)."""
    params = inspect.signature(fn).parameters.values()
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return fn(*args)
    return fn(*args[: len(params)])


def load(path: str):
    import yaml

    try:
        with open(path) as fp:
            contents = yaml.safe_load(fp)
    except yaml.YAMLError as e:
        raise Rejected("load", e) from None
    try:
        if isinstance(contents, dict) and (cfg := contents.get("logging_config")):
            mod("core.datatypes").LoggingConfig(**cfg)
    except Exception as e:
        raise Rejected("load", e) from None
    return contents


def build_model(contents, warnings_out: list[str]):
    configure = mod("core.configure")
    contents = copy.deepcopy(contents)
    server_model = _server_config_class()
    insecure_field = server_model is not None and "insecure" in server_model.model_fields
    if insecure_field and isinstance(contents, dict):
        # `ogx run --insecure` sets server.insecure before building the model.
        server = contents.get("server")
        contents["server"] = dict(server) if isinstance(server, dict) else {}
        contents["server"]["insecure"] = True
    try:
        config = configure.parse_and_maybe_upgrade_config(contents)
    except Exception as e:
        raise Rejected("model", e) from None
    return config


def _server_config_class():
    return getattr(mod("core.datatypes"), "ServerConfig", None)


def check_tls(config, original, warnings_out: list[str]) -> None:
    """What `llama stack run` / `ogx run` hands uvicorn, which builds the SSL context before the
    app starts (uvicorn.config.create_ssl_context with uvicorn's own defaults)."""
    server = config.server
    if "insecure" in type(server).model_fields:
        written = (original.get("server") or {}) if isinstance(original, dict) else {}
        explicit = isinstance(written, dict) and written.get("insecure") in (True, "true", "True")
        if not (server.tls_keyfile and server.tls_certfile) and not explicit:
            warnings_out.append(
                "without --insecure: TLS required: set tls_certfile/tls_keyfile in server config or pass '--insecure' to disable."
            )
    if not (server.tls_keyfile and server.tls_certfile):
        return
    import uvicorn.config

    defaults = inspect.signature(uvicorn.config.Config).parameters
    ciphers = defaults["ssl_ciphers"].default
    tls_config = getattr(server, "tls_config", None)
    if tls_config is not None and getattr(tls_config, "ciphers", None):
        ciphers = ":".join(tls_config.ciphers)
    try:
        uvicorn.config.create_ssl_context(
            certfile=str(server.tls_certfile),
            keyfile=str(server.tls_keyfile),
            password=None,
            ssl_version=defaults["ssl_version"].default,
            cert_reqs=ssl.CERT_REQUIRED if server.tls_cafile else defaults["ssl_cert_reqs"].default,
            ca_certs=str(server.tls_cafile) if server.tls_cafile else None,
            ciphers=ciphers,
        )
    except Exception as e:
        raise Rejected("server", e) from None


def start_stack(config):
    """Stack.initialize, in its order, each step until its first I/O."""
    stack = mod("core.stack")
    resolver = mod("core.resolver")
    registry_module = mod("core.store.registry")
    try:
        stack._initialize_storage(config)
    except Exception as e:
        raise Rejected("storage", e) from None
    stores = config.storage.stores
    if not stores.metadata:
        # MIRROR of Stack.initialize's first check (stack.py), which sits in the same method as
        # the I/O that follows it.
        raise Rejected("storage", "ValueError: storage.stores.metadata must be configured with a kv_* backend")
    name = getattr(config, "distro_name", None) or getattr(config, "image_name", None)
    try:
        asyncio.run(until_io(registry_module.create_dist_registry(stores.metadata, name)))
    except Rejected:
        raise
    except Exception as e:
        raise Rejected("storage", e) from None

    if hasattr(stack, "initialize_job_runtime"):
        # ogx: the job queue for worker-mode providers lives in a SQL backend; the queue's store
        # is a stand-in after the lookup (creating its table is I/O).
        bootstrap = sys.modules[stack.initialize_job_runtime.__module__]

        async def system_store(reference):
            lookup("SQL", reference)
            return StandIn(config=SQL._SQLSTORE_BACKENDS[reference.backend])

        bootstrap.get_system_sqlstore = system_store
        try:
            asyncio.run(stack.initialize_job_runtime(config))
        except Rejected:
            raise
        except Exception as e:
            raise Rejected("storage", e) from None

    policy = config.server.auth.access_policy if config.server.auth else []
    internal: dict = {}
    try:
        call(stack.add_internal_implementations, internal, config, policy)
        for impl in list(internal.values()):
            if hasattr(impl, "initialize") and type(impl).__module__.startswith(f"{PKG}.core.") and any(
                part in type(impl).__module__ for part in ("prompts", "conversations", "connectors")
            ):
                asyncio.run(until_io(impl.initialize()))
    except Rejected:
        raise
    except Exception as e:
        raise Rejected("storage", e) from None

    patch_resolver(resolver)
    distribution = mod("core.distribution")
    try:
        provider_registry = call(distribution.get_provider_registry, config)
    except Exception as e:
        raise Rejected("providers", e) from None
    try:
        impls = asyncio.run(resolver.resolve_impls(config, provider_registry, MemoryRegistry(), policy, internal))
    except Rejected:
        raise
    except Exception as e:
        text = str(e)
        stage = "deps" if isinstance(e, KeyError) or "dependency" in text else "providers"
        raise Rejected(stage, e) from None

    try:
        asyncio.run(stack.register_resources(config, impls))
    except Rejected:
        raise
    except Exception as e:
        raise Rejected("resources", e) from None
    # Not run: refresh_registry_once, validate_vector_stores_config, auto_register_tool_groups and
    # register_connectors ask the providers for their models/tools (network).
    return impls


def check_app(config, impls) -> None:
    """create_app's checks: auth security, CORS, and the APIs it serves."""
    server_module = mod("core.server.server")
    datatypes = mod("core.datatypes")
    try:
        if hasattr(server_module, "validate_auth_security"):
            server_module.validate_auth_security(config)
    except SystemExit as e:
        raise Rejected("server", f"SystemExit: {e}") from None
    except Exception as e:
        raise Rejected("server", e) from None
    cors = getattr(config.server, "cors", None)
    if cors and hasattr(datatypes, "process_cors_config"):
        try:
            datatypes.process_cors_config(cors)
        except Exception as e:
            raise Rejected("server", e) from None
    api_enum = mod("core.resolver").Api
    if hasattr(server_module, "apis_to_serve"):
        served = server_module.apis_to_serve(config, impls)
        missing_is_error = False
    else:
        # MIRROR of create_app (server.py) in releases without apis_to_serve(): the loop lives in
        # the function that builds the FastAPI app and its routes.
        served = set(config.apis) if config.apis else {api.value for api in impls}
        for info in mod("core.distribution").builtin_automatically_routed_apis():
            if info.router_api.value in served:
                served.add(info.routing_table_api.value)
        missing_is_error = True
    for api_str in sorted(served):
        try:
            api = api_enum(api_str)
        except ValueError as e:
            raise Rejected("server", e) from None
        if api not in impls:
            if missing_is_error:
                raise Rejected("server", f"KeyError: no implementation for the {api_str} API listed in apis")
            logging.getLogger("oracle").warning(f"Skipping API with no implementation: {api_str}")


def judge(path: str) -> dict:
    verdict = {"file": path, "accepted": True, "stage": None, "error": None, "warnings": []}
    extra: list[str] = []
    CAPTURED.clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            original = load(path)
            config = build_model(original, extra)
            check_tls(config, original, extra)
            impls = start_stack(config)
            check_app(config, impls)
        extra += [str(w.message) for w in caught if issubclass(w.category, (DeprecationWarning, UserWarning))]
    except Rejected as r:
        verdict.update(accepted=False, stage=r.stage, error=r.error)
        if os.environ.get("ORACLE_DEBUG"):
            import traceback

            verdict["traceback"] = traceback.format_exc()
    except BaseException as e:  # an unexpected crash is still the release refusing the file
        verdict.update(accepted=False, stage="providers", error=f"{type(e).__name__}: {e}")
    verdict["warnings"] = list(dict.fromkeys(extra + CAPTURED))
    return verdict


def main() -> None:
    request_path, out_path = sys.argv[1], sys.argv[2]
    with open(request_path) as fp:
        request = json.load(fp)
    base_env = dict(os.environ)
    # Importing the whole startup first, so that the store openers are replaced everywhere.
    for name in ("core.stack", "core.resolver", "core.routers", "core.server.server", "core.store.registry"):
        mod(name)
    _patch_store_openers()
    verdicts = []
    for item in request["items"]:
        os.environ.clear()
        os.environ.update(base_env)
        os.environ.update(item.get("env") or {})
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            verdicts.append(judge(item["file"]))
    with open(out_path, "w") as fp:
        json.dump(verdicts, fp, indent=1)


if __name__ == "__main__":
    main()
