"""What `init` writes and what `migrate` makes of upstream's k8s examples, judged by the releases'
own startup (the oracle): init's file starts on the release it was written for; the migrated k8s
examples get past 0.3's storage checks (the conversations store it requires is added), and their
one remaining refusal is the error llama-config lists as the old file's own."""

from __future__ import annotations

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.migration import migrate
from llama_config.model.releases import load_release
from llama_config.model.starter import StarterOptions, starter_config
from tests.conftest import CORPUS
from tools.releases.judge import judge

pytestmark = pytest.mark.conformance

INIT_LINES = ["0.3", "0.7", "ogx-1.5"]
K8S = sorted(CORPUS.glob("2c43285e2/**/k8s*/stack_run_config.yaml")) + sorted(CORPUS.glob("add64e8e2/**/k8s*/stack_run_config.yaml"))
K8S_ENV = {"INFERENCE_MODEL": "llama3.2:3b"}  # the one variable without a default


@pytest.mark.parametrize("line", INIT_LINES)
@pytest.mark.parametrize("postgres, quota", [(False, False), (True, True)], ids=["default", "postgres-quota"])
def test_init_output_starts_on_its_release(line, postgres, quota, tmp_path):
    release = load_release(line)
    quota = quota and release.has_quota
    path = tmp_path / "run.yaml"
    path.write_text(starter_config(StarterOptions(postgres=postgres, quota=quota), release=release))
    verdict = judge(line, [path], env={"POSTGRES_PASSWORD": "x", "AUTH_ISSUER": "https://id", "AUTH_JWKS_URI": "https://id/jwks"})[path]
    assert verdict["accepted"], f"{line} refuses init's file at {verdict['stage']}: {verdict['error']}"
    # no deprecation or TLS warning from the release either (pydantic's own are not about the file)
    assert not [w for w in verdict["warnings"] if "image_name" in w or "TLS" in w], verdict["warnings"]


def _without_telemetry(text: str) -> str:
    """The fix for the error the old k8s file keeps: 0.3 takes no telemetry providers (its resolver
    builds telemetry itself, only with top-level `telemetry.enabled`)."""
    data = yaml.safe_load(text)
    data["apis"] = [a for a in data["apis"] if a != "telemetry"]
    data["providers"].pop("telemetry", None)
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("src", K8S, ids=[str(p.relative_to(CORPUS)) for p in K8S])
def test_migrated_k8s_examples_pass_0_3_storage_checks(src, tmp_path):
    doc = Document.load(str(src))
    migration = migrate(doc, load_release("0.3"))
    assert "conversations" in [a.store for a in migration.added_stores]
    migrated, fixed = tmp_path / "migrated.yaml", tmp_path / "fixed.yaml"
    migrated.write_text(doc.text)
    fixed.write_text(_without_telemetry(doc.text))
    verdicts = judge("0.3", [migrated, fixed], env=K8S_ENV)
    # past storage (it used to stop there: "storage.stores.conversations must be configured")
    assert verdicts[migrated]["stage"] == "deps" and "telemetry" in verdicts[migrated]["error"], verdicts[migrated]
    assert verdicts[fixed]["accepted"], verdicts[fixed]
