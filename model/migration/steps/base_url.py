"""Provider `url` became `base_url`, a full URL (llama-stack #4177).

Checked provider by provider in the packages: in llama-stack 0.3.5 each adapter built its
endpoint from `url` (providers/remote/inference/<p>/<p>.py get_base_url); in 0.4.7 the config has
`base_url: HttpUrl` and get_base_url returns it as written, so the part 0.3 appended is now part
of the value. A config that still says `url` gets base_url None (unknown keys are ignored).
"""

from __future__ import annotations

from ...document import Document
from ...yamlpath import format_path
from . import Context, Outcome, Step
from .edits import providers

# provider_type -> (old key, what 0.3.5 appended to it in get_base_url)
RENAMED = {
    "remote::ollama": ("url", "/v1"),  # ollama.py: self.config.url.rstrip("/") + "/v1"
    "remote::nvidia": ("url", "/v1"),  # nvidia.py: f"{url}/v1" if append_api_version (default true)
    "remote::groq": ("url", "/openai/v1"),  # groq.py: f"{self.config.url}/openai/v1"
    "remote::databricks": ("url", "/serving-endpoints"),  # databricks.py: f"{url}/serving-endpoints"
    "remote::vllm": ("url", ""),  # vllm.py: self.config.url
    "remote::tgi": ("url", ""),  # tgi.py: self.url
    "remote::runpod": ("url", ""),  # runpod.py: self.config.url
    "remote::passthrough": ("url", ""),  # passthrough.py: self.config.url
    "remote::watsonx": ("url", ""),  # watsonx.py: self.config.url
    "remote::sambanova": ("url", ""),  # sambanova.py: self.config.url
    "remote::together": ("url", ""),  # together.py: the url as written
    "remote::fireworks": ("url", ""),  # fireworks.py: a fixed URL; 0.4 reads base_url
    "remote::azure": ("api_base", ""),  # azure.py: api_base as written
    "remote::llama-openai-compat": ("openai_compat_api_base", ""),
}


def _targets(doc: Document, ctx: Context) -> list[tuple[tuple, str, str]]:
    """(config path, old key, suffix) of each provider config to change."""
    out = []
    for api, i, entry in providers(doc):
        ptype = entry.get("provider_type")
        old = RENAMED.get(ptype) if isinstance(ptype, str) else None
        config = entry.get("config")
        if old and isinstance(config, dict) and old[0] in config and "base_url" not in config:
            # only where the step's release really renamed it (the release data says so)
            spec = ctx.after.provider(api, ptype)
            if spec is None or "base_url" in (spec.get("config_schema") or {}).get("properties", {}):
                out.append((("providers", api, i, "config"), old[0], old[1]))
    return out


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    assignments, renames = [], []
    for path, key, suffix in _targets(doc, ctx):
        config = doc.value_at(path)
        value = config[key]
        where = f"{format_path(path[:-1])} ({config.get('provider_type') or doc.value_at(path[:-1] + ('provider_type',))})"
        if str(config.get("append_api_version", "true")).lower() in ("false", "0"):
            suffix = ""  # nvidia with append_api_version: false used the url as written
        renames.append((path + (key,), "base_url"))
        if not suffix or not isinstance(value, str) or value.rstrip("/").endswith(suffix):
            out.done.append(f"{where}: {key} -> base_url")
        elif value.endswith(":=}") or not value:
            # unset, the placeholder gives None; with the suffix it would be an invalid URL
            out.done.append(f"{where}: {key} -> base_url")
            out.manual.append(f"{where}: 0.3 appended {suffix} to {key}; base_url is used as written: when you set it, "
                              f"include {suffix} (line {doc.position(path + (key,))[0]}: {value})")
        else:
            new = value + suffix if value.endswith("}") else value.rstrip("/") + suffix
            assignments.append((path + (key,), new))
            out.done.append(f"{where}: {key} -> base_url, {value} -> {new} (0.3 appended {suffix}; 0.4 uses base_url as written)")
        if "append_api_version" in config:
            out.notes.append(f"{format_path(path)}.append_api_version is not read since 0.4 (the /v1 is part of base_url now)")
    doc.set_scalars(assignments, renames)
    return out


STEP = Step(
    name="base-url",
    line="0.4",
    upstream="llama-stack #4177 (0.4.0: remote inference configs take base_url: HttpUrl)",
    title="provider url becomes base_url (a full URL)",
    detect=lambda doc, ctx: bool(_targets(doc, ctx)),
    apply=_apply,
)
