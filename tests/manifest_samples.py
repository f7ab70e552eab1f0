"""Operator-style manifests built around real shipped configs (tests/corpus/releases/...,
tests/corpus/llama-stack/..., each with its SOURCE.md), written the way an operator writes them:
the config under a ConfigMap data key as a `|` block, and the resource that runs it."""

from __future__ import annotations

import textwrap
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
OGX_STARTER = CORPUS / "releases" / "ogx-1.5" / "starter" / "config.yaml"
POSTGRES_DEMO = CORPUS / "releases" / "0.7" / "postgres-demo" / "config.yaml"
# the k8s demo config of llama-stack's own docs, in the pre-0.3 storage format
K8S_DOCS_OLD = CORPUS / "llama-stack" / "add64e8e2" / "docs" / "docs" / "distributions" / "k8s" / "stack_run_config.yaml"


def block(config: str, indent: int = 4) -> str:
    """`config` indented as the body of a `|` block (blank lines stay empty, as editors write them)."""
    return textwrap.indent(config, " " * indent, lambda line: line.strip() != "")


def configmap(name: str, key: str, config: str, *, watched: bool = True, extra: str = "") -> str:
    labels = '  labels:\n    ogx.io/watch: "true"\n' if watched else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{labels}data:\n  {key}: |\n{block(config)}{extra}"


def ogx_server(name: str, configmap_name: str, key: str) -> str:
    return (
        f"apiVersion: ogx.io/v1beta1\nkind: OGXServer\nmetadata:\n  name: {name}\nspec:\n  distribution:\n    name: starter\n"
        f"  overrideConfig:\n    name: {configmap_name}\n    key: {key}\n"
    )


def llama_stack_distribution(name: str, configmap_name: str) -> str:
    return (
        f"apiVersion: llamastack.io/v1alpha1\nkind: LlamaStackDistribution\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n"
        f"  server:\n    distribution:\n      name: starter\n    userConfig:\n      configMapName: {configmap_name}\n"
    )


def manifest(*documents: str) -> str:
    return "---\n".join(documents)
