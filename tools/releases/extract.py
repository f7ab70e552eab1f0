"""Run by one release's own interpreter (stdlib + the release only, never llama-config):
imports the release's models and provider registry and writes what they declare as JSON.

    <release python> extract.py PACKAGE OUTPUT.json SECRET_WORDS_JSON

The generator (tools/releases/generate.py) post-processes the result into model/releases/.
Facts that live only in the release's startup code (which stores startup refuses when null,
whether an `apis:` entry without a provider is fatal, TLS) are read from the release's own
source files with a pattern each, and every such fact carries the file:line it came from.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import re
import sys
import types
import typing
import warnings
from pathlib import Path


def main() -> None:
    package, output, secret_words = sys.argv[1], Path(sys.argv[2]), tuple(json.loads(sys.argv[3]))
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    data = Extractor(package, secret_words).run()
    output.write_text(json.dumps(data, sort_keys=True, default=str))


class Extractor:
    def __init__(self, package: str, secret_words: tuple[str, ...]):
        self.package = package
        self.root = Path(importlib.import_module(package).__file__).parent
        self.secret_words = secret_words
        self.core = importlib.import_module(f"{package}.core.datatypes")
        self.storage = importlib.import_module(f"{package}.core.storage.datatypes")
        self.distribution = importlib.import_module(f"{package}.core.distribution")
        self.kv_ref = self.storage.KVStoreReference
        self.sql_ref = self.storage.SqlStoreReference

    # ------------------------------------------------------------------ top level
    def run(self) -> dict:
        model = getattr(self.core, "StackConfig", None) or self.core.StackRunConfig
        schema = model.model_json_schema()
        return {
            "package": self.package,
            "package_dir": str(self.root),
            "api_package": self.api_package(),
            "config_model": model.__name__,
            "config_schema": schema,
            "name_fields": self.name_fields(model, schema),
            "storage": self.storage_facts(schema),
            "backends": self.backends(schema),
            "server": self.server(schema),
            **self.apis(),
            "api_without_provider": self.api_without_provider(),
            "providers": self.providers(),
            "shipped_configs": self.shipped_configs(),
            "distro_dir_template": self.distro_dir_template(),
        }

    def api_package(self) -> dict | None:
        from importlib import metadata

        for name in (f"{self.package.replace('_', '-')}-api", f"{self.package}_api"):
            try:
                return {"name": name.replace("_", "-"), "version": metadata.version(name)}
            except metadata.PackageNotFoundError:
                continue
        return None

    def name_fields(self, model, schema: dict) -> dict:
        """Which name keys the release's own model demands, found by validating minimal files."""
        props = schema.get("properties", {})
        names = [n for n in ("distro_name", "image_name") if n in props]
        # Backends under the default names every release's store defaults point at.
        backends = {
            "kv_default": {"type": "kv_sqlite", "db_path": "/nonexistent/kv.db"},
            "sql_default": {"type": "sql_sqlite", "db_path": "/nonexistent/sql.db"},
        }
        base = {"version": 2, "providers": {}, "storage": {"backends": backends, "stores": {}}}
        accepted, errors = {}, []
        for present in ([], *([n] for n in names)):
            try:
                model.model_validate({**base, **{n: "x" for n in present}})
                accepted[tuple(present)] = True
            except Exception as e:
                accepted[tuple(present)] = False
                errors.append(f"{type(e).__name__}: {e}")
        deprecated = sorted(n for n in names if props[n].get("deprecated"))
        takes = [n for n in names if accepted[(n,)]]
        if accepted[()]:
            return {"optional": names, "deprecated": deprecated}
        if not takes:
            raise RuntimeError(f"no minimal config validates, the name probe is broken: {errors}")
        if len(takes) == 1:
            return {"required": takes, "deprecated": deprecated}
        return {"one_of": takes, "deprecated": deprecated}

    # ------------------------------------------------------------------ storage
    def storage_facts(self, schema: dict) -> dict:
        stores_model = self.storage.ServerStoresConfig
        storage_model = self.storage.StorageConfig
        startup = self.store_startup_checks()
        stores = {}
        for name, field in stores_model.model_fields.items():
            family = self.reference_family(field.annotation)
            default = field.get_default(call_default_factory=True)
            check = startup.get(name)
            stores[name] = {
                "family": family,
                "reference_def": self.reference_def_name(field.annotation),
                "default": default.model_dump(mode="json") if default is not None else None,
                "startup": check["when"] if check else "optional",
                "startup_source": check["source"] if check else None,
                "null_is_error": check is not None,
            }
        backends_field = storage_model.model_fields["backends"]
        default_backends = {}
        if not backends_field.is_required():
            value = backends_field.get_default(call_default_factory=True) or {}
            default_backends = {k: v.model_dump(mode="json") for k, v in value.items()}
        return {
            "required": "storage" in schema.get("required", []),
            "backends_required": backends_field.is_required(),
            "default_backends": default_backends,
            "stores": stores,
        }

    def store_startup_checks(self) -> dict[str, dict]:
        """Stores whose absence startup code refuses: `raise ...("storage.stores.X ...")` in the
        core package. A check inside a router for one API applies only when that API is served."""
        found: dict[str, dict] = {}
        pattern = re.compile(r"""raise \w+\(\s*f?["']storage\.stores\.(\w+)""")
        for path in sorted((self.root / "core").rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for i, line in enumerate(lines):
                m = pattern.search(line)
                if not m:
                    continue
                when = "required"
                for back in reversed(lines[max(0, i - 25) : i]):
                    api = re.search(r"api == Api\.(\w+)", back)
                    if api:
                        when = f"when-api:{api.group(1)}"
                        break
                source = f"{path.relative_to(self.root.parent)}:{i + 1}"
                previous = found.get(m.group(1))
                if previous is None or (previous["when"] != "required" and when == "required"):
                    found[m.group(1)] = {"when": when, "source": source}
        return found

    def backends(self, schema: dict) -> dict:
        storage_def = schema["$defs"]["StorageConfig"]
        mapping = self.discriminator_mapping(storage_def["properties"]["backends"]["additionalProperties"])
        classes = {}
        for cls in self.model_classes(self.storage.StorageBackendConfig):
            type_field = cls.model_fields.get("type")
            if type_field is not None:
                classes[str(getattr(type_field.default, "value", type_field.default))] = cls
        out = {}
        for type_name, ref in sorted(mapping.items()):
            cls = classes.get(type_name)
            out[type_name] = {
                "def": ref.rsplit("/", 1)[-1],
                "family": type_name.split("_", 1)[0],
                "secret_fields": self.secret_fields(cls) if cls else [],
                "sample_config": self.sample_config(cls) if cls else None,
            }
        return out

    # ------------------------------------------------------------------ server
    def server(self, schema: dict) -> dict:
        defs = schema["$defs"]
        server_def = self.ref_name(schema["properties"]["server"])
        server_props = defs[server_def]["properties"]
        auth_types = {}
        auth_def = self.ref_name(server_props["auth"]) if "auth" in server_props else None
        if auth_def:
            mapping = self.discriminator_mapping(defs[auth_def]["properties"]["provider_config"])
            auth_types = {k: v.rsplit("/", 1)[-1] for k, v in sorted(mapping.items())}
        tls = self.source_match("cli/stack/run.py", r"raise SystemExit\(\s*[\"']TLS required")
        return {
            "def": server_def,
            "keys": sorted(server_props),
            "quota": "quota" in server_props,
            "cors": "cors" in server_props,
            "auth_def": auth_def,
            "auth_types": auth_types,
            "tls_required_unless_insecure": tls is not None,
            "tls_required_source": tls,
        }

    def discriminator_mapping(self, prop: dict) -> dict[str, str]:
        """A tagged union's tag -> "#/$defs/Name", also when the union is optional (anyOf null)."""
        for candidate in [prop, *prop.get("anyOf", [])]:
            if "discriminator" in candidate:
                return candidate["discriminator"].get("mapping", {})
        return {}

    def ref_name(self, prop: dict) -> str | None:
        """The $defs name a property points at (directly, through allOf, or anyOf with null)."""
        for candidate in [prop, *prop.get("allOf", []), *prop.get("anyOf", [])]:
            if "$ref" in candidate:
                return candidate["$ref"].rsplit("/", 1)[-1]
        return None

    # ------------------------------------------------------------------ APIs
    def apis(self) -> dict:
        dist = self.distribution
        api_enum = self.find_api_enum()
        routed = dist.builtin_automatically_routed_apis()
        internal = sorted(a.value for a in getattr(dist, "INTERNAL_APIS", set()))
        # MIRROR (core/resolver.py, 0.3): telemetry is an internal API, but the resolver builds it
        # only `if run_config.telemetry.enabled`; without that an `apis:` entry has no provider
        resolver = inspect.getsource(importlib.import_module(f"{self.package}.core.resolver"))
        conditional = {"telemetry": "telemetry.enabled"} if "run_config.telemetry.enabled" in resolver else {}
        return {
            "conditional_apis": conditional,
            "apis": sorted(a.value for a in api_enum),
            "routing_table_apis": sorted({r.routing_table_api.value for r in routed}),
            "routed_apis": {r.router_api.value: r.routing_table_api.value for r in routed},
            "providable_apis": sorted(a.value for a in dist.providable_apis()),
            "internal_apis": internal,
        }

    def find_api_enum(self):
        return importlib.import_module(f"{self.package}.core.distribution").Api

    def api_without_provider(self) -> dict:
        """What the server does for a served API that no provider backs: 0.3 to ogx 1.4 index
        `impls[api]` (KeyError, startup fails); later releases skip it with a warning."""
        warn = self.source_match("core/server/server.py", r"impls\.get\(api\)")
        fatal = self.source_match("core/server/server.py", r"impls\[api\]")
        if warn:
            return {"outcome": "warning", "source": warn}
        return {"outcome": "error" if fatal else "unknown", "source": fatal}

    def source_match(self, relative: str, pattern: str) -> str | None:
        path = self.root / relative
        if not path.exists():
            return None
        text = path.read_text(encoding="utf-8")
        m = re.search(pattern, text)
        if not m:
            return None
        return f"{path.relative_to(self.root.parent)}:{text.count(chr(10), 0, m.start()) + 1}"

    # ------------------------------------------------------------------ providers
    def providers(self) -> dict:
        registry = self.distribution.get_provider_registry()
        out: dict[str, dict] = {}
        for api, specs in registry.items():
            out[api.value] = {ptype: self.provider(spec) for ptype, spec in sorted(specs.items())}
        return out

    def provider(self, spec) -> dict:
        entry = {
            "module": spec.module,
            "config_class": spec.config_class,
            "description": getattr(spec, "description", None),
            "api_dependencies": [a.value for a in spec.api_dependencies],
            "optional_api_dependencies": [a.value for a in getattr(spec, "optional_api_dependencies", [])],
            "deprecation_warning": spec.deprecation_warning,
            "deprecation_error": spec.deprecation_error,
            "import_error": None,
            "schema_error": None,
            "sample_error": None,
        }
        try:
            module_name, _, class_name = spec.config_class.rpartition(".")
            cls = getattr(importlib.import_module(module_name), class_name)
        except Exception as e:  # a provider whose config needs a package the release leaves out
            entry.update(import_error=f"{type(e).__name__}: {e}", config_schema=None, secret_fields=[], storage_refs=[], sample_config=None)
            return entry
        entry["config_schema"], entry["schema_error"] = self.model_schema(cls)
        entry["secret_fields"] = self.secret_fields(cls)
        entry["storage_refs"] = self.storage_refs(cls)
        entry["sample_config"], entry["sample_error"] = self.sample_config_with_error(cls)
        return entry

    def model_schema(self, cls) -> tuple[dict, str | None]:
        try:
            return cls.model_json_schema(), None
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
        from pydantic import TypeAdapter

        props, required = {}, []
        for name, field in getattr(cls, "model_fields", {}).items():
            try:
                prop = TypeAdapter(field.annotation).json_schema()
            except Exception:
                prop = {}
            if field.description:
                prop["description"] = field.description
            props[field.alias or name] = prop
            if field.is_required():
                required.append(field.alias or name)
        return {"type": "object", "title": cls.__name__, "properties": props, "required": required, "x-best-effort": True}, error

    def sample_config_with_error(self, cls) -> tuple[object, str | None]:
        if not hasattr(cls, "sample_run_config"):
            return None, "no sample_run_config"
        try:
            sig = inspect.signature(cls.sample_run_config)
        except (TypeError, ValueError):
            sig = None
        kwargs = {}
        if sig is not None:
            params = sig.parameters
            if "__distro_dir__" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
                kwargs["__distro_dir__"] = self.distro_dir_template()
            missing = [
                n
                for n, p in params.items()
                if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n not in kwargs
            ]
            if missing:
                return None, f"sample_run_config needs {', '.join(missing)}"
        try:
            return json.loads(json.dumps(cls.sample_run_config(**kwargs), default=jsonable)), None
        except Exception as e:
            return None, f"{type(e).__name__}: {e}"

    def sample_config(self, cls):
        return self.sample_config_with_error(cls)[0]

    def distro_dir_template(self) -> str:
        """`__distro_dir__` as the release's own distribution template passes it."""
        path = self.root / "distributions" / "template.py"
        if path.exists():
            m = re.search(r"""__distro_dir__=f["']([^"']+)["']""", path.read_text(encoding="utf-8"))
            if m:
                return m.group(1)
        return "~/.llama/distributions/{name}"

    # ------------------------------------------------------------------ field walks
    def walk_fields(self, cls, prefix: str = "", seen: frozenset = frozenset()):
        """(dotted path, field, classes in its type, required along the path) for every field of a
        config class and of the models nested in it."""
        if cls in seen or not hasattr(cls, "model_fields"):
            return
        seen = seen | {cls}
        for name, field in cls.model_fields.items():
            key = field.alias or name
            path = f"{prefix}{key}"
            yield path, field, field.annotation
            for inner in self.model_classes(field.annotation):
                if self.is_reference(inner):
                    continue
                yield from self.walk_fields(inner, path + ".", seen)

    def model_classes(self, annotation) -> list:
        """Pydantic model classes reachable in a type (through Optional, unions, Annotated)."""
        out = []
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            return [annotation]
        for arg in typing.get_args(annotation):
            if typing.get_origin(annotation) in (list, dict, set, tuple):
                continue  # items of collections are not dotted paths
            out += self.model_classes(arg)
        return out

    def is_reference(self, cls) -> bool:
        return isinstance(cls, type) and issubclass(cls, (self.kv_ref, self.sql_ref))

    def reference_family(self, annotation) -> str | None:
        families = sorted({"kv" if issubclass(c, self.kv_ref) else "sql" for c in self.model_classes(annotation) if self.is_reference(c)})
        return "|".join(families) or None

    def reference_def_name(self, annotation) -> str | None:
        refs = [c.__name__ for c in self.model_classes(annotation) if self.is_reference(c)]
        return refs[0] if len(refs) == 1 else None

    def storage_refs(self, cls) -> list[dict]:
        out = []
        for path, field, annotation in self.walk_fields(cls):
            family = self.reference_family(annotation)
            if family:
                out.append(
                    {
                        "path": path,
                        "family": family,
                        "required": field.is_required(),
                        "nullable": type(None) in typing.get_args(annotation),
                        "reference_def": self.reference_def_name(annotation),
                    }
                )
        return out

    def secret_fields(self, cls) -> list[str]:
        from pydantic import SecretStr

        out = []
        for path, _field, annotation in self.walk_fields(cls):
            leaf = path.rsplit(".", 1)[-1]
            kinds = self.leaf_types(annotation)
            if (SecretStr in kinds or (str in kinds and self.secret_name(leaf))) and path not in out:
                out.append(path)  # a field and an alias of the same name are one key
        return out

    def leaf_types(self, annotation) -> set:
        if typing.get_origin(annotation) in (typing.Annotated,):
            return self.leaf_types(typing.get_args(annotation)[0])
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            return set().union(*(self.leaf_types(a) for a in typing.get_args(annotation)))
        return {annotation}

    def secret_name(self, key: str) -> bool:
        """model/redaction.py's rule: a secret word among the key's words, or a last word `key`."""
        words = [w for w in re.split(r"[^a-z0-9]+", key.lower()) if w]
        return any(w in self.secret_words for w in words) or (len(words) > 1 and words[-1] == "key")

    # ------------------------------------------------------------------ shipped configs
    def shipped_configs(self) -> list[str]:
        """Run configs among the distributions' YAML files (build specs have distribution_spec)."""
        import yaml

        out = []
        base = self.root / "distributions"
        for path in sorted(base.glob("*/*.yaml")):
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            except Exception:
                continue
            if isinstance(doc, dict) and "providers" in doc and "distribution_spec" not in doc:
                out.append(str(path.relative_to(base)))
        return out


def jsonable(value):
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "value"):
        return value.value
    return str(value)


if __name__ == "__main__":
    main()
