"""Template syntax in a run config (Helm's `{{ }}`, `${.Values.x}`, a shell-style `${NAME}`):
reported for what it is, at its place, with the rest of the file still checked; a file the YAML
parser refuses because of `{{ }}` says so instead of the parser's puzzle."""

from __future__ import annotations

import pytest

from llama_config.model.diagnostics import CODES
from llama_config.model.document import Document
from llama_config.model.errors import ParseError
from llama_config.model.templates import mask_templates, template_spans
from llama_config.model.validation import validate

from .conftest import MINIMAL_CONFIG


def _at(text: str, d) -> str:
    return text.split("\n")[d.line - 1][d.column - 1 :]


def test_helm_values_and_foreign_placeholders_are_reported_where_they_stand():
    text = MINIMAL_CONFIG.replace("distro_name: mini", 'distro_name: "{{ .Values.name }}"').replace(
        "api_key: ${env.OPENAI_API_KEY:=}", "base_url: ${.Values.openai.url:=https://api.openai.com/v1}\n      extra_body: ${HOME}"
    )
    diagnostics = validate(Document(text))
    found = {d.code: d for d in diagnostics if d.code in ("template-syntax", "placeholder-not-env")}
    templates = [d for d in diagnostics if d.code == "template-syntax"]
    assert [_at(text, d)[:20] for d in templates] == ['{{ .Values.name }}"', "${.Values.openai.url"]
    assert all(d.severity == "error" and "helm template CHART | llama-config validate -" in d.message for d in templates)
    assert "neither Helm nor the server substitutes it" in templates[1].message
    assert _at(text, found["placeholder-not-env"]) == "${HOME}" and found["placeholder-not-env"].severity == "warning"
    # the rest of the file is still checked: extra_body is a key the provider does not have
    assert any(d.code == "unknown-key" and d.path[-1] == "extra_body" for d in diagnostics)
    assert {"template-syntax", "placeholder-not-env"} <= set(CODES)


def test_server_placeholders_are_not_template_syntax():
    assert template_spans("${env.A} ${env.B:=x} ${env.C:+y} plain text") == []
    assert [s.code for s in template_spans("${{ secrets.TOKEN }} ${ .Release.Name } ${X}")] == ["template-syntax", "template-syntax", "placeholder-not-env"]


def test_a_file_broken_by_template_syntax_says_it_is_a_template_at_the_template():
    text = MINIMAL_CONFIG.replace("distro_name: mini", "distro_name: {{ .Values.name }}\n{{- if .Values.debug }}\nlogging: debug\n{{- end }}")
    with pytest.raises(ParseError) as caught:
        Document.from_bytes(text.encode(), name="chart/run.yaml")
    error = caught.value
    assert str(error).startswith("chart/run.yaml:2:14: error: `{{ .Values.name }}` is Go/Helm template syntax, so this file is a template")
    assert "helm template CHART | llama-config validate -" in error.message and "the parser says:" in error.message


def test_a_file_broken_for_another_reason_too_keeps_the_parsers_words():
    text = "version: 2\nname: {{ .Values.name }}\napis: [inference\n"
    with pytest.raises(ParseError) as caught:
        Document.from_bytes(text.encode(), name="run.yaml")
    assert "template" not in caught.value.message and caught.value.line == 4


def test_masking_keeps_every_line_and_column():
    text = "a: {{ .Values.a }}\n{{- if x }}\nb: 1\n{{- end }}\n"
    masked = mask_templates(text)
    assert len(masked) == len(text) and [len(l) for l in masked.split("\n")] == [len(l) for l in text.split("\n")]
    assert masked.split("\n")[:2] == ["a: " + "_" * 15, "#" + " " * 10]
