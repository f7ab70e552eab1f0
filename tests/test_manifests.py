"""Reading run configs out of Kubernetes manifests: which ConfigMap data keys hold one, how their
lines and columns map back onto the manifest, and what LlamaStackDistribution / OGXServer
resources point at."""

from __future__ import annotations

import pytest

from llama_config.model.document import Document
from llama_config.model.errors import ParseError
from llama_config.model.manifests import read_manifest
from llama_config.model.validation import validate

from .manifest_samples import OGX_STARTER, POSTGRES_DEMO, configmap, llama_stack_distribution, manifest, ogx_server


def _lines(text: str) -> list[str]:
    return text.split("\n")


def test_a_plain_run_config_is_not_a_manifest():
    assert read_manifest("run.yaml", OGX_STARTER.read_text()) is None


def test_configmap_block_maps_every_line_and_column_onto_the_manifest():
    config = OGX_STARTER.read_text()
    text = manifest(configmap("llama-stack-config", "config.yaml", config), ogx_server("stack", "llama-stack-config", "config.yaml"))
    found = read_manifest("cm.yaml", text)
    [embedded] = found.configs
    assert embedded.label == "cm.yaml: ConfigMap llama-stack-config, key config.yaml"
    assert embedded.selector == "llama-stack-config/config.yaml"
    assert embedded.text == config and embedded.exact and embedded.indent == 4
    outer = _lines(text)
    for n, line in enumerate(config.splitlines(), start=1):
        if line:
            row, col = embedded.position(n, 1)
            assert outer[row - 1][col - 1 :] == line, n


def test_a_diagnostic_in_the_embedded_config_points_at_the_offending_text_in_the_manifest():
    config = POSTGRES_DEMO.read_text().replace("  port: 8321", "  port: eighty", 1)
    text = manifest(ogx_server("stack", "pg", "run.yaml"), configmap("pg", "run.yaml", config))
    [embedded] = read_manifest("cm.yaml", text).configs
    [wrong] = [d for d in validate(Document(embedded.text)) if d.code == "wrong-type"]
    line, column = embedded.position(wrong.line, wrong.column)
    assert _lines(text)[line - 1][column - 1 :] == "eighty"
    assert line == text[: text.index("port: eighty")].count("\n") + 1


def test_references_name_the_configmap_and_key_and_say_whether_it_is_here():
    config = POSTGRES_DEMO.read_text()
    text = manifest(
        configmap("pg", "run.yaml", config, watched=False),
        ogx_server("with-config", "pg", "run.yaml"),
        ogx_server("wrong-key", "pg", "config.yaml"),
        ogx_server("elsewhere", "not-here", "config.yaml"),
        llama_stack_distribution("legacy", "pg"),
    )
    findings = {(d.code, d.severity): d for d in read_manifest("cm.yaml", text).findings}
    assert set(findings) == {
        ("config-reference", "info"), ("config-key-missing", "error"), ("configmap-not-in-input", "warning"), ("configmap-not-watched", "warning"),
    }  # fmt: skip
    outer = _lines(text)
    for d in findings.values():
        assert outer[d.line - 1][d.column - 1 :] in ("pg", "not-here"), d
    assert "OGXServer wrong-key (spec.overrideConfig) runs ConfigMap pg, key config.yaml" in findings[("config-key-missing", "error")].message
    assert "(it has: run.yaml)" in findings[("config-key-missing", "error")].message
    references = [d for d in read_manifest("cm.yaml", text).findings if d.code == "config-reference"]
    # the LlamaStackDistribution's operator mounts the whole ConfigMap and starts on run.yaml / config.yaml
    assert [d.message.split(" runs ")[0] for d in references] == ["OGXServer with-config (spec.overrideConfig)", "LlamaStackDistribution legacy (spec.server.userConfig)"]


def test_a_key_that_is_not_a_run_config_is_not_one_and_a_reference_to_it_is_an_error():
    text = manifest(configmap("other", "settings.yaml", "logging: debug\ncolour: blue\n"), ogx_server("s", "other", "settings.yaml"))
    found = read_manifest("cm.yaml", text)
    assert found.configs == []
    assert [d.code for d in found.findings] == ["config-key-not-run-config"]


def test_a_quoted_config_maps_to_the_key_line_and_says_it_is_not_exact():
    text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\ndata:\n  run.yaml: "version: 2\\napis: []\\nproviders: {}\\n"\n'
    [embedded] = read_manifest("cm.yaml", text).configs
    assert not embedded.exact and embedded.style == '"'
    assert embedded.position(3, 5) == (6, 13)


def test_items_of_a_kubectl_list_are_read():
    inner = configmap("pg", "run.yaml", POSTGRES_DEMO.read_text())
    indented = "\n".join(("  " + line if line else line) for line in inner.splitlines())
    text = "apiVersion: v1\nkind: List\nitems:\n- " + indented.lstrip() + "\n"
    [embedded] = read_manifest("list.yaml", text).configs
    assert embedded.exact and embedded.indent == 6 and embedded.text == POSTGRES_DEMO.read_text()


def test_a_helm_template_manifest_is_read_with_its_actions_masked_and_the_config_kept_as_written():
    config = "version: 2\ndistro_name: {{ .Values.name }}\napis: [inference]\nproviders: {}\n"
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"chart.fullname\" . }}-config\n"
        "{{- if .Values.labels }}\n  labels: {{ toYaml .Values.labels | nindent 4 }}\n{{- end }}\n"
        "data:\n  run.yaml: |\n" + "".join("    " + line + "\n" for line in config.splitlines())
    )
    found = read_manifest("templates/configmap.yaml", text)
    [embedded] = found.configs
    assert found.templated and embedded.exact and embedded.text == config


def test_a_manifest_broken_for_another_reason_is_a_parse_error_with_its_place():
    with pytest.raises(ParseError) as caught:
        read_manifest("cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n")
    assert caught.value.file == "cm.yaml" and caught.value.line == 4


def test_every_manifest_finding_code_is_a_listed_code():
    from llama_config.model.diagnostics import CODES

    text = manifest(
        configmap("pg", "run.yaml", POSTGRES_DEMO.read_text(), watched=False),
        configmap("other", "notes", "just: text\nmore: text\n"),
        ogx_server("a", "pg", "run.yaml"), ogx_server("b", "pg", "x.yaml"), ogx_server("c", "gone", "x.yaml"), ogx_server("d", "other", "notes"),
    )  # fmt: skip
    codes = {d.code for d in read_manifest("cm.yaml", text).findings}
    assert codes == {"config-reference", "configmap-not-watched", "config-key-missing", "configmap-not-in-input", "config-key-not-run-config"}
    assert codes <= set(CODES)
