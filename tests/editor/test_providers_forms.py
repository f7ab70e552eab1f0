"""Every provider type of every release's data gets a provider form with no error: the form's
widgets are built (and each row's input or picker composed) for a provider of each type,
configured as upstream's sample configures it. Built without mounting: one file per release
holds a provider of every type, so the whole set stays fast."""

from __future__ import annotations

import pytest

from llama_config.model.provider_ops.adding import sample_config
from llama_config.model.releases import available_lines, load_release
from llama_config.model.releases.fields import nested_fields
from llama_config.model.yamldata import copy_data
from llama_config.tui.widgets.fields import FieldInput, FieldRow, FieldSelect
from llama_config.tui.widgets.provider_form import FormSection, provider_form

from .helpers import SIZE, settle, show


def _every_type(line: str) -> tuple[str, list[tuple[str, str, int]]]:
    release = load_release(line)
    providers: dict[str, list] = {}
    made = []
    for api in release.providable_apis:
        for ptype in release.provider_types(api):
            spec = release.provider(api, ptype) or {}
            sample = sample_config(release, api, ptype, "demo") if not spec.get("deprecation_error") else copy_data(spec.get("sample_config") or {})
            providers.setdefault(api, []).append({"provider_id": ptype.replace("::", "-"), "provider_type": ptype, "config": sample})
            made.append((api, ptype, len(providers[api]) - 1))
    import json

    return json.dumps({"version": 2, "distro_name": "demo", "providers": providers}, indent=1), made


@pytest.mark.parametrize("line", available_lines())
async def test_every_provider_type_gets_a_form(line: str, editor) -> None:
    text, made = _every_type(line)
    app, _ = editor(text=text, name="every.yaml", server=line)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _check_forms(app, made)
        # and one of them mounted for real
        api, _, index = made[0]
        await show(app, pilot, ("providers", api, index), "provider")
        assert app.detail.query(FieldRow) or app.detail.query(".form-reference")


def _check_forms(app, made: list[tuple[str, str, int]]) -> None:
    session = app.session
    release = session.release()
    pane = app.detail
    assert made
    for api, ptype, index in made:
        path = ("providers", api, index)
        widgets = provider_form(pane, path)
        rows = []
        for widget in widgets:
            rows += [widget] if isinstance(widget, FieldRow) else [w for w in widget._contents() if isinstance(w, FieldRow)] if isinstance(widget, FormSection) else []
        spec = release.provider(api, ptype) or {}
        refs = [tuple(r["path"].split(".")) for r in spec.get("storage_refs") or ()]
        expected = [f for f in nested_fields(release, session.data, path + ("config",)) if not any(f.key[: len(r)] == r for r in refs)]
        assert [r.spec.key for r in rows] == [f.key for f in expected], (api, ptype)
        for row in rows:
            controls = list(row.compose())
            # one input or picker; a placeholder: its variable and default parts in one row
            assert sum(isinstance(c, (FieldInput, FieldSelect)) or c.has_class("placeholder-parts") for c in controls) == 1, (api, ptype, row.spec.key)
