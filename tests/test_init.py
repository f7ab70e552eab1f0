"""`llama-config init [PATH]`: a minimal, valid, commented run config for the target release
(default: the newest); prompts on a terminal."""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
from pathlib import Path

import pytest

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.probes import plan, run_probes
from llama_config.model.releases import available_lines, latest_line, load_release
from llama_config.model.starter import AUTH_TYPES, PROVIDERS, StarterOptions, starter_config
from llama_config.model.validation import validate
from llama_config.tui.cli import build_parser


def diagnostics(text: str, line: str | None = None, **environ: str) -> list[str]:
    release = load_release(line or latest_line())
    return [d.format("run.yaml") for d in validate(Document(text), Environment(environ=environ), release=release) if d.severity != "info"]


def test_the_default_file_validates_cleanly_and_says_what_it_is():
    text = starter_config()
    assert diagnostics(text) == []  # not even a warning
    doc = Document(text)
    data = doc.data
    # ogx 1.5 (the newest): distro_name, ~/.ogx, TLS or server.insecure
    assert data["distro_name"] == "my-stack" and "image_name" not in data
    assert data["server"] == {"port": 8321, "insecure": True}
    assert data["storage"]["backends"] == {
        "kv_default": {"type": "kv_sqlite", "db_path": "${env.SQLITE_STORE_DIR:=~/.ogx/distributions/my-stack}/kvstore.db"},
        "sql_default": {"type": "sql_sqlite", "db_path": "${env.SQLITE_STORE_DIR:=~/.ogx/distributions/my-stack}/sqlstore.db"},
    }
    # every store ogx 1.5's startup needs, as its defaults name them (prompts, connectors are SQL there)
    assert data["storage"]["stores"] == {
        "metadata": {"backend": "kv_default", "namespace": "registry"},
        "connectors": {"backend": "sql_default", "table_name": "connectors"},
        "conversations": {"backend": "sql_default", "table_name": "openai_conversations"},
        "inference": {"backend": "sql_default", "table_name": "inference_store"},
        "prompts": {"backend": "sql_default", "table_name": "prompts"},
    }
    assert data["providers"]["inference"] == [
        {"provider_id": "ollama", "provider_type": "remote::ollama", "config": {"base_url": "${env.OLLAMA_URL:=http://localhost:11434/v1}"}}
    ]
    # registrations live under registered_resources (0.3.0 on); a top-level `models:` is ignored
    assert data["registered_resources"] == {"models": []} and "models" not in data
    assert text.startswith("# ogx 1.5 config for the my-stack distribution, written by `llama-config init --server ogx-1.5`.")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 8


def test_a_llama_stack_0_3_file_has_its_shape():
    data = Document(starter_config(release=load_release("0.3"))).data
    assert data["image_name"] == "my-stack" and "distro_name" not in data  # 0.3 requires image_name
    assert data["server"] == {"port": 8321}  # no TLS requirement before ogx 1.2
    assert data["providers"]["inference"][0]["config"] == {"url": "${env.OLLAMA_URL:=http://localhost:11434}"}
    assert data["storage"]["backends"]["kv_default"]["db_path"] == "${env.SQLITE_STORE_DIR:=~/.llama/distributions/my-stack}/kvstore.db"
    # 0.3 has no store defaults: the names are the first later release's defaults
    assert data["storage"]["stores"] == {
        "metadata": {"backend": "kv_default", "namespace": "registry"},
        "conversations": {"backend": "sql_default", "table_name": "openai_conversations"},
        "inference": {"backend": "sql_default", "table_name": "inference_store"},
    }


@pytest.mark.parametrize("line", available_lines())
def test_the_file_for_each_release_validates_cleanly_against_it(line):
    release = load_release(line)
    text = starter_config(release=release)
    assert [d.format("run.yaml") for d in validate(Document(text), Environment(environ={}), release=release)] == []  # not even an info
    data = Document(text).data
    assert set(data["storage"]["stores"]) == {n for n, s in release.stores.items() if s["startup"] in ("required", "when-api:inference")}
    for store, ref in data["storage"]["stores"].items():  # each on a backend of its family
        assert data["storage"]["backends"][ref["backend"]]["type"].startswith(release.stores[store]["family"] + "_")
    assert ("insecure" in data["server"]) == bool(release.server.get("tls_required_unless_insecure"))


@pytest.mark.parametrize("line", available_lines())
def test_every_combination_of_options_for_each_release_validates(line):
    release = load_release(line)
    combinations = itertools.product([False, True], [False, True] if release.has_quota else [False], zip(AUTH_TYPES, itertools.cycle(PROVIDERS)))
    for postgres, quota, (auth, provider) in combinations:
        text = starter_config(StarterOptions(name="acme", postgres=postgres, quota=quota, auth=auth, provider=provider), release=release)
        found = diagnostics(text, line)
        assert all(d.endswith("[env-unset]") for d in found), (postgres, quota, auth, provider, found)


def test_quotas_are_refused_for_a_release_without_them():
    with pytest.raises(ValueError, match="ogx 1.0 has no request quotas"):
        starter_config(StarterOptions(quota=True), release=load_release("ogx-1.0"))


def test_its_sqlite_backends_pass_the_connection_test(tmp_path):
    env = Environment(environ={"HOME": str(tmp_path)})
    results = asyncio.run(run_probes(plan(Document(starter_config()).data, env), timeout=5))
    assert [(r.backend, r.category.value) for r in results] == [("kv_default", "ok"), ("sql_default", "ok")]
    assert f"{tmp_path}/.ogx/distributions/my-stack/kvstore.db" in results[0].message


@pytest.mark.parametrize(
    "postgres, quota, auth, provider",
    [(pg, q, a, p) for pg, q, (a, p) in itertools.product([False, True], [False, True], zip(AUTH_TYPES, itertools.cycle(PROVIDERS)))],
)
def test_every_combination_of_options_validates_without_errors(postgres, quota, auth, provider):
    """On llama-stack 0.7, the newest release with request quotas."""
    text = starter_config(StarterOptions(name="acme", postgres=postgres, quota=quota, auth=auth, provider=provider, port=9000), release=load_release("0.7"))
    found = diagnostics(text, "0.7")
    assert not [d for d in found if ": error: " in d]
    # only the variables a real deployment must set are asked for (env-unset warnings)
    assert all(d.endswith("[env-unset]") for d in found)
    data = Document(text).data
    assert data["server"]["port"] == 9000
    assert data["storage"]["backends"]["sql_default"]["type"] == ("sql_postgres" if postgres else "sql_sqlite")
    assert ("quota" in data["server"]) == quota == ("auth" in data["server"])
    if quota:
        assert data["server"]["auth"]["provider_config"]["type"] == auth
        assert data["server"]["quota"]["kvstore"] == {"backend": "kv_default", "namespace": "quota"}


def test_a_name_that_yaml_would_retype_is_quoted():
    text = starter_config(StarterOptions(name="1.0"))
    assert "distro_name: '1.0'\n" in text and Document(text).data["distro_name"] == "1.0"


@pytest.mark.parametrize("name", ["", "../x", "a b", ".hidden", "x/y"])
def test_unusable_names_are_refused(name):
    with pytest.raises(ValueError, match="not a usable distribution name"):
        starter_config(StarterOptions(name=name))


# -- the command -----------------------------------------------------------------------------


def test_init_writes_run_yaml_in_the_current_directory(run_cli, tmp_path):
    r = run_cli("init")
    assert r.returncode == 0, r.stderr
    path = tmp_path / "run.yaml"
    assert path.read_text() == starter_config()
    assert r.stdout.startswith("wrote run.yaml: ogx 1.5 config, distribution my-stack, SQLite stores under ~/.ogx/distributions/my-stack/")
    assert run_cli("validate", path).returncode == 0
    r = run_cli("test-connections", path, env={"HOME": str(tmp_path)})
    assert r.returncode == 0, r.stdout + r.stderr


def test_init_with_options(run_cli, tmp_path):
    (tmp_path / "conf").mkdir()
    args = ["--name", "acme", "--postgres", "--quota", "--auth", "github_token", "--provider", "vllm", "--port", "9000", "--server", "0.7.3"]
    r = run_cli("init", "conf/acme.yaml", *args)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "conf/acme.yaml").read_text()
    assert text == starter_config(StarterOptions("acme", True, True, "github_token", "vllm", 9000), file_name="conf/acme.yaml", release=load_release("0.7"))
    assert "llama-config validate --server 0.7 conf/acme.yaml" in text
    assert "llama-stack 0.7 config" in r.stdout and "quotas with github_token authentication" in r.stdout
    assert run_cli("validate", "conf/acme.yaml", "--server", "0.7", env={"POSTGRES_PASSWORD": "x"}).returncode == 0


def test_init_server_comes_from_the_environment_too(run_cli, tmp_path):
    r = run_cli("init", env={"LLAMA_CONFIG_SERVER": "0.3"})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "run.yaml").read_text() == starter_config(release=load_release("0.3"))


def test_init_never_overwrites_a_file(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("init", config_file)
    assert r.returncode == 1
    assert "the file already exists, and init never overwrites a file" in r.stderr
    assert file_state(config_file) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["--name", "../etc"], "is not a usable distribution name"),
        (["--port", "80"], "--port must be from 1024 to 65535, not 80"),
        (["--port", "x"], "invalid int value"),
        (["--auth", "ldap"], "invalid choice"),
        (["--quota"], "ogx 1.5 has no request quotas"),
        (["--server", "9.9"], "unknown server release '9.9'"),
    ],
)
def test_bad_options_are_exit_2_and_write_nothing(run_cli, tmp_path, args, message):
    r = run_cli("init", *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert not (tmp_path / "run.yaml").exists()


def test_a_missing_directory_is_exit_2(run_cli, tmp_path):
    r = run_cli("init", tmp_path / "no" / "run.yaml")
    assert r.returncode == 2 and "cannot create the file" in r.stderr


def test_without_a_terminal_nothing_is_asked(run_cli, tmp_path):
    """CI: stdin is not a terminal (here: /dev/null), so the defaults are taken at once."""
    import subprocess

    r = run_cli("init", stdin=subprocess.DEVNULL)
    assert r.returncode == 0 and "[my-stack]" not in r.stdout


def _run_in_process(monkeypatch, tmp_path, argv: list[str], answers: list[str], tty: bool = True):
    """Run `init` as on a terminal: stdin says it is a tty and input() returns `answers`."""
    from llama_config.tui.commands import init as command

    monkeypatch.chdir(tmp_path)
    stdin = io.StringIO()
    stdin.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stdin)
    asked: list[str] = []
    replies = iter(answers)

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(replies)

    monkeypatch.setattr("builtins.input", fake_input)
    args = build_parser().parse_args(["init", *argv])
    assert isinstance(args, argparse.Namespace)
    return command.run(args), asked


def test_on_a_terminal_the_options_not_given_are_asked_for(monkeypatch, tmp_path, capsys):
    code, asked = _run_in_process(monkeypatch, tmp_path, ["--server", "0.7"], ["acme", "postgres", "", "maybe", "yes", "kubernetes"])
    assert code == 0
    assert asked == [
        "Distribution name [my-stack]: ",
        "SQL stores in (sqlite needs no server) (sqlite/postgres) [sqlite]: ",
        "Inference provider (ollama/vllm/openai) [ollama]: ",
        "Request quotas (they need authentication) (no/yes) [no]: ",
        "Request quotas (they need authentication) (no/yes) [no]: ",  # "maybe" is asked again
        "Authentication for quotas (oauth2_token/github_token/kubernetes/custom) [oauth2_token]: ",
    ]
    assert "please answer one of: no, yes" in capsys.readouterr().err
    text = (tmp_path / "run.yaml").read_text()
    assert text == starter_config(StarterOptions("acme", True, True, "kubernetes", "ollama"), release=load_release("0.7"))


def test_quotas_are_not_asked_for_a_release_without_them(monkeypatch, tmp_path):
    code, asked = _run_in_process(monkeypatch, tmp_path, [], ["", "", ""])
    assert code == 0
    assert [a.split(" (")[0].split(" [")[0] for a in asked] == ["Distribution name", "SQL stores in", "Inference provider"]
    assert "quota" not in (tmp_path / "run.yaml").read_text()


def test_given_options_are_not_asked_and_no_input_asks_nothing(monkeypatch, tmp_path):
    code, asked = _run_in_process(monkeypatch, tmp_path, ["--name", "x", "--postgres", "--provider", "openai", "--server", "0.7"], ["", ""])
    assert code == 0
    assert [a.split(" (")[0].split(" [")[0] for a in asked] == ["Request quotas"]
    (tmp_path / "run.yaml").unlink()
    code, asked = _run_in_process(monkeypatch, tmp_path, ["--no-input"], [])
    assert code == 0 and asked == []


def test_a_bad_name_typed_at_the_prompt_is_asked_again(monkeypatch, tmp_path, capsys):
    code, asked = _run_in_process(monkeypatch, tmp_path, [], ["a/b", "good", "", "", ""])
    assert code == 0 and asked[:2] == ["Distribution name [my-stack]: "] * 2
    assert "distro_name: good" in (tmp_path / "run.yaml").read_text()
    assert "not a usable distribution name" in capsys.readouterr().err


def test_end_of_input_at_a_prompt_takes_the_defaults(monkeypatch, tmp_path):
    from llama_config.tui.commands import init as command

    monkeypatch.chdir(tmp_path)

    def eof(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", eof)
    assert command.ask("Distribution name", "my-stack", None) == "my-stack"


def test_help_describes_the_command(run_cli):
    r = run_cli("init", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: llama-config init ")
    assert all(opt in r.stdout for opt in ("PATH", "--name", "--postgres", "--quota", "--auth", "--no-input", "--example", "--server", "exit codes:"))


# -- the bundled example (`init --example`): what `./dev edit` opens, from a pip install too ----

REPO_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "run.yaml"


def test_init_example_writes_the_bundled_example_naming_its_own_path(run_cli, tmp_path):
    (tmp_path / "conf").mkdir()
    r = run_cli("init", "--example", "conf/acme.yaml")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("wrote conf/acme.yaml: the bundled example (ogx 1.5")
    text = (tmp_path / "conf/acme.yaml").read_text(encoding="utf-8")
    # byte for byte the repository's example, except that its comments name the new file
    assert text == REPO_EXAMPLE.read_text(encoding="utf-8").replace("examples/run.yaml", "conf/acme.yaml")
    assert "# Check it with:  llama-config validate conf/acme.yaml" in text
    r = run_cli("validate", "conf/acme.yaml")
    assert r.returncode == 0 and r.stdout == "" and "0 errors, 0 warnings, 0 infos" in r.stderr


@pytest.mark.parametrize("args", [["--name", "x"], ["--postgres"], ["--port", "9000"], ["--provider", "vllm", "--quota"]])
def test_init_example_refuses_the_options_of_a_generated_file(run_cli, tmp_path, args):
    r = run_cli("init", "--example", *args)
    assert r.returncode == 2
    assert "--example writes the bundled example as it is; leave out " + args[0] in r.stderr
    assert not (tmp_path / "run.yaml").exists()


def test_init_example_never_overwrites_a_file(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("init", "--example", config_file)
    assert r.returncode == 1 and "init never overwrites a file" in r.stderr
    assert file_state(config_file) == before
