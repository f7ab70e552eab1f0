"""One redaction rule (model.redaction) for every output: no secret reaches stdout, stderr or JSON.

Each command runs for real on a config holding secrets in every form the rule covers, and the
test asserts that none of the secret strings appears in anything it prints.
"""

from __future__ import annotations

import json
import socket

import pytest

from llama_config.model.diagnostics import Diagnostic
from llama_config.model.document import Document
from llama_config.model.errors import ParseError
from llama_config.model.redaction import MASK, is_secret_key, is_secret_path, redact_text, shown_value

# Each secret is a distinct string, so a leak names its form.
SECRETS = {
    "PLAIN-PW-1": "backend password written as is",
    "URL-PW-2": "redis URL password",
    "URL-PW-3": "mongodb URL password",
    "URL-PW-4": "postgresql URL password",
    "DEFAULT-KEY-5": "api_key placeholder default",
    "DEFAULT-AWS-6": "aws_secret_access_key placeholder default",
    "DEFAULT-URL-PW-7": "URL password inside a placeholder default",
    "TOKEN-8": "a token",
    "CONN-PW-9": "password=... in a connection string",
    "RESOLVED-PW-11": "URL password in a value that resolves to the wrong type",
    "CLIENT-SECRET-12": "client_secret",
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def provider(default: str) -> str:
    """The top of a config with one provider, placeholders with the `default` operator."""
    return f"""\
version: 2
image_name: secrets
apis: [inference]
providers:
  inference:
  - provider_id: openai
    provider_type: remote::openai
    config:
      api_key: ${{env.OPENAI_API_KEY{default}DEFAULT-KEY-5}}
      aws_secret_access_key: ${{env.AWS_SK{default}DEFAULT-AWS-6}}
      base_url: ${{env.OPENAI_URL{default}https://user:DEFAULT-URL-PW-7@example.com/v1}}
"""


def config(port: int) -> str:
    return provider(":=") + f"""\
      auth_token: TOKEN-8
      dsn: host=db password=CONN-PW-9
storage:
  backends:
    kv_default:
      type: kv_redis
      host: redis://:URL-PW-2@127.0.0.1
      port: {port}
    kv_mongo:
      type: kv_mongodb
      host: mongodb://u:URL-PW-3@127.0.0.1:{port}/db
    sql_default:
      type: sql_postgres
      host: postgresql://u:URL-PW-4@127.0.0.1/db
      port: ${{env.PG_PORT:=postgresql://u:RESOLVED-PW-11@x}}
      user: u
      password: PLAIN-PW-1
  stores:
    metadata: {{backend: kv_default, namespace: registry}}
    inference: {{backend: sql_default, table_name: inference_store}}
    conversations: {{backend: sql_default, table_name: openai_conversations}}
    prompts: {{backend: kv_mongo, namespace: prompts}}
server:
  port: 8321
  auth:
    provider_config:
      type: oauth2_token
      introspection:
        url: https://idp/introspect
        client_id: stack
        client_secret: CLIENT-SECRET-12
"""


def assert_no_secret(*outputs: str) -> None:
    text = "\n".join(outputs)
    leaked = {s: what for s, what in SECRETS.items() if s in text}
    assert not leaked, f"leaked: {leaked}\n{text}"


@pytest.fixture
def secrets_file(tmp_path):
    f = tmp_path / "run.yaml"
    f.write_text(config(_closed_port()))
    return f


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("key", ["password", "api_key", "aws_secret_access_key", "client_secret", "auth_token", "token",
                                 "credentials", "db_password", "ssl_key_passphrase", "private_key", "apiKey", "secret_access-key"])
def test_secret_named_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["max_tokens", "user", "host", "key", "namespace", "table_name", "db", 0, None])
def test_not_secret_named_keys(key):
    assert not is_secret_key(key)


def test_extra_secret_paths_from_the_caller():
    path = ("providers", "inference", 0, "config", "account_id")
    assert not is_secret_path(path)
    assert is_secret_path(path, {"account_id"})
    assert is_secret_path(path, {"config.account_id"})
    assert is_secret_path(path, {"providers.*.*.config.account_id"})
    assert not is_secret_path(path, {"providers.safety.*.config.account_id"})
    # below a secret field, everything is secret
    assert is_secret_path(("server", "credentials", "user"))
    assert is_secret_path(path + ("nested",), {"config.account_id"})


@pytest.mark.parametrize("text, shown", [
    ("redis://:pw@h:6379", f"redis://:{MASK}@h:6379"),
    ("postgresql://u:p@ss@h/db", f"postgresql://u:{MASK}@h/db"),
    ("mongodb://u:pw@h1,h2/db?authSource=admin", f"mongodb://u:{MASK}@h1,h2/db?authSource=admin"),
    ("https://ghp_token@github.com/x", f"https://{MASK}@github.com/x"),
    ("${env.URL:=redis://:pw@h}", f"${{env.URL:=redis://:{MASK}@h}}"),
    ("redis://:${env.REDIS_PASSWORD}@h", "redis://:${env.REDIS_PASSWORD}@h"),  # the variable is not the secret
    ("host=h password=pw user=u", f"host=h password={MASK} user=u"),
    ("https://h/cb?token=t&x=1", f"https://h/cb?token={MASK}&x=1"),
    ("https://h/path@x", "https://h/path@x"),  # an @ in the path is not a password
])
def test_url_passwords(text, shown):
    assert redact_text(text) == shown


def test_shown_value():
    assert shown_value(("a", "password"), "s3cret") == MASK
    assert shown_value(("a", "password"), "${env.PW:=s3cret}") == f"${{env.PW:={MASK}}}"
    assert shown_value(("a", "password"), "${env.PW}") == "${env.PW}"
    assert shown_value(("a", "send_secret_in_body"), True) == "True"  # a boolean is never a secret
    assert shown_value(("a", "url"), "redis://:pw@h") == f"redis://:{MASK}@h"
    assert shown_value(("a", "account"), "acct-1", {"account"}) == MASK


def test_diagnostic_messages():
    d = Diagnostic("error", "wrong-type", ("storage", "backends", "x", "password"), 1, 1, "must be a string, not 'x' or \"y\"")
    assert d.message == f"must be a string, not '{MASK}' or '{MASK}'"
    d = Diagnostic("error", "wrong-type", ("storage", "backends", "x", "host"), 1, 1, "not 'redis://:pw@h'")
    assert d.message == f"not 'redis://:{MASK}@h'"
    assert "pw" not in json.dumps(d.to_json())


@pytest.mark.parametrize("yaml, masked", [
    ("server:\n  password: !!int PARSE-PW-10\n", True),
    ("server: {api_key: !!float PARSE-PW-10}\n", True),
    ("server:\n  - token: !!int PARSE-PW-10\n", True),
    ("server:\n  password: !!int\n    PARSE-PW-10\n", True),
    ("server:\n  port: !!int not-a-number\n", False),  # not a secret: the value helps
])
def test_parse_error_quoting_a_value(yaml, masked):
    with pytest.raises(ParseError) as info:
        Document.from_bytes(yaml.encode(), name="run.yaml")
    assert ("PARSE-PW-10" in str(info.value)) is False
    assert (MASK in info.value.message) is masked
    assert ("not-a-number" in info.value.message) is (not masked)


# --------------------------------------------------------------------------- every command's output


def test_show(run_cli, secrets_file):
    r = run_cli("show", secrets_file)
    assert r.returncode == 0, r.stderr
    assert_no_secret(r.stdout, r.stderr)
    assert f"redis://:{MASK}@127.0.0.1" in r.stdout
    assert f"OPENAI_URL  unset → default 'https://user:{MASK}@example.com/v1'" in r.stdout
    assert f"AWS_SK  unset → default '{MASK}'" in r.stdout


def test_validate(run_cli, secrets_file):
    r = run_cli("validate", secrets_file)
    j = run_cli("validate", "--json", secrets_file)
    assert "resolves to" in r.stdout + r.stderr  # the port placeholder is reported, with its value masked
    assert_no_secret(r.stdout, r.stderr, j.stdout, j.stderr)
    json.loads(j.stdout)


def test_test_connections(run_cli, secrets_file):
    text = run_cli("test-connections", "--timeout", "2", secrets_file)
    j = run_cli("test-connections", "--json", "--timeout", "2", secrets_file)
    assert text.returncode == 1 and j.returncode == 1, text.stderr
    assert_no_secret(text.stdout, text.stderr, j.stdout, j.stderr)
    assert {r["backend"] for r in json.loads(j.stdout)} == {"kv_default", "kv_mongo", "sql_default"}


OLD_FORMAT = provider(":") + """\
metadata_store:
  type: redis
  host: redis://:URL-PW-2@redis.local
inference_store:
  type: postgres
  host: pg.local
  user: u
  password: ${env.PGPW:PLAIN-PW-1}
  db: db
conversations_store:
  type: postgres
  host: postgresql://u:URL-PW-4@pg.local/db
  user: u
  password: TOKEN-8
"""


def test_migrate_report(run_cli, tmp_path):
    f = tmp_path / "old.yaml"
    f.write_text(OLD_FORMAT)
    r = run_cli("migrate", f, "--output", tmp_path / "new.yaml")  # the report on stdout
    assert r.returncode == 0, r.stderr
    assert "placeholders rewritten" in r.stdout and f"${{env.PGPW:={MASK}}}" in r.stdout
    assert_no_secret(r.stdout, r.stderr)
    r = run_cli("migrate", f)  # the file on stdout (it is the file), the report on stderr
    assert r.returncode == 0 and "migrated" in r.stderr
    assert_no_secret(r.stderr)


@pytest.mark.parametrize("command", [("validate",), ("validate", "--json"), ("show",), ("migrate", "--dry-run"),
                                     ("set", "server.port=8322"), ("test-connections",)])
def test_parse_error_in_every_command(run_cli, tmp_path, command):
    f = tmp_path / "run.yaml"
    f.write_text("version: 2\nimage_name: x\nserver:\n  password: !!int PARSE-PW-10\n")
    r = run_cli(command[0], f, *command[1:])
    assert r.returncode == 2, r.stderr
    assert "is not a valid !!int" in r.stdout + r.stderr
    assert "PARSE-PW-10" not in r.stdout + r.stderr


def test_an_apostrophe_inside_a_word_is_no_quote_to_mask() -> None:
    """A message about a secret field masks what it quotes, and only that: `provider's` opened
    a quote that ran to the next one and masked the words between (found in the editor)."""
    from llama_config.model.redaction import mask_quoted

    message = "the remote::ollama provider's config has no field 'api_key', so it ignores it; not 'hunter2', b'hunter3' or \"it's\""
    assert mask_quoted(message) == (
        "the remote::ollama provider's config has no field '••••••', so it ignores it; not '••••••', b'••••••' or '••••••'"
    )


def test_an_unknown_secret_named_key_is_named() -> None:
    """"has no field '••••••'" told the operator nothing (found in the editor): an unknown
    key's message quotes names only, and names stay; other messages mask what they quote."""
    from llama_config.model.diagnostics import Diagnostic

    path = ("providers", "inference", 0, "config", "api_key")
    message = "the config has no field 'api_key', so it ignores it; did you mean 'api_keys'?"
    d = Diagnostic("warning", "unknown-key", path, 20, 7, message)
    assert d.message == message and d.masked().message == message
    assert Diagnostic("error", "wrong-type", path, 20, 7, "not 'hunter2'").message == "not '••••••'"


LEAKY_OLD = (
    "version: 2\nproviders:\n  inference:\n  - provider_id: p\n    provider_type: remote::vllm\n    config:\n"
    "      url: http://x\n      api_token: ${env.TOK:sekret1}\nmetadata_store:\n  type: postgres\n  host: h\n"
    "  password: ${env.PW:sekret2}\n"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["migrate", "{f}", "--dry-run"],
        ["upgrade", "{f}", "--to", "ogx-1.5", "--dry-run"],
        ["set", "{f}", "metadata_store.host=db", "--dry-run"],
        ["set", "{f}", "providers.inference[0].config.url=http://y", "--dry-run", "--force"],  # a secret in the context lines
    ],
)
def test_a_dry_run_diff_masks_secrets_as_every_other_output(tmp_path, capsys, argv):
    """The --dry-run diffs printed the default of a password's placeholder (and any secret on
    the lines around a change) as written; the report above them masked it."""
    from llama_config.tui.cli import main

    path = tmp_path / "run.yaml"
    path.write_text(LEAKY_OLD)
    main([a.format(f=path) for a in argv])
    out = capsys.readouterr()
    assert "@@" in out.out  # a diff was printed
    assert "sekret" not in out.out + out.err
    assert "••••••" in out.out


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "ls"])
def test_a_dry_run_diff_masks_secrets_whatever_ends_the_lines(tmp_path, capsys, newline):
    """The diff's masks were placed by a line count that took every line break for one `\\n`:
    in a CRLF file each line moved the mask one character, so `password: hunter2secret`
    showed as `hunter2se••••••`; in a bare-CR file a block scalar's lines after its first were
    shown as written. LINE SEPARATOR (U+2028) is a line break to YAML and to the diff alike."""
    from llama_config.tui.cli import main

    lines = [
        "version: 2", "image_name: x  # a comment", "storage:", "  backends:", "    pg:", "      type: kv_postgres",
        "      host: h", "      password: hunter2secret", "      user: u", "    redis:", "      type: kv_redis",
        "      password: |", "        sekret-line-1", "        sekret-line-2", "      host: r",
    ]  # fmt: skip
    text = "\n".join(lines) + "\n" if newline == "ls" else newline.join(lines) + newline
    if newline == "ls":
        text = text.replace("image_name: x", 'image_name: "x\u2028y"')
    path = tmp_path / "run.yaml"
    path.write_bytes(text.encode())
    assert main(["set", str(path), "storage.backends.pg.user=v", "storage.backends.redis.host=s", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "-      user: u" in out and "+      host: s" in out
    assert "secret" not in out.replace("password", "") and "sekret" not in out
    assert out.count("password: ••••••") == 2 and out.count("        ••••••") == 2


TELEMETRY_03 = (
    "version: 2\nimage_name: x\napis: [inference, telemetry]\n"
    "providers: {inference: [{provider_id: o, provider_type: remote::openai, config: {api_key: sekret0}}], "
    "telemetry: [{provider_id: t, provider_type: inline::meta-reference, "
    'config: {otel_token: sekret1, url: "redis://:sekret2@h"}}]}\n'
    "telemetry:\n  enabled: true\n  token: sekret3\n  api_key: |\n    sekret4-line\n"
    "  password: sekret5\n    folded6\n  client_secret: 'sek''ret7'\n  passphrase: \"sek\\x72et8\"\n"
)
# every secret as written, and each written part of one (a folded line, an escape)
TELEMETRY_SECRETS = ["sekret", "folded6", "ret7", "et8"]


@pytest.mark.parametrize("how", ["--dry-run", "--write"])
def test_what_an_upgrade_comments_out_is_quoted_and_diffed_masked(tmp_path, capsys, how):
    """The upgrade report quoted the lines it commented out as written, and the --dry-run diff
    showed the commented-out copy (a comment: no value a parse masks) as written. A value
    removed from inside {...} is quoted with the line it stands on: the secrets of the values
    beside it are masked too; a secret written over two lines, or with quotes doubled or an
    escape, is masked in the commented-out copy as in the line it was."""
    from llama_config.tui.cli import main

    path = tmp_path / "run.yaml"
    path.write_text(TELEMETRY_03)
    assert main(["upgrade", str(path), "--from", "0.3", "--to", "0.4", how]) == 0
    out = capsys.readouterr()
    printed = out.out + out.err
    assert "commented out what 0.4 no longer reads" in printed
    assert "token: ••••••" in printed and "otel_token: ••••••" in printed and "{api_key: ••••••}" in printed
    assert [s for s in TELEMETRY_SECRETS if s in printed] == []
    if how == "--dry-run":
        assert "+#   token: ••••••" in out.out and "+#   api_key: ••••••\n+#     ••••••\n" in out.out
        assert "+#   password: ••••••\n+#     ••••••\n" in out.out and "+#   client_secret: ••••••" in out.out


NAMES_AS_MAPPINGS = (
    "version: 2\ndistro_name: x\napis: [inference, vector_io]\nproviders:\n"
    "  inference:\n  - provider_id: {x: 1, api_key: sekret1}\n    provider_type: {t: 1, password: sekret2}\n"
    "    config:\n      persistence: {backend: kv_default, namespace: {n: 1, token: sekret3}}\n"
    "  vector_io:\n  - provider_id: v\n    provider_type: inline::faiss\n"
    "    config:\n      persistence: {backend: kv_default, namespace: {client_secret: sekret4}}\n"
    "storage:\n  backends:\n    kv_default: {type: kv_sqlite, db_path: /tmp/kv.db}\n"
)


@pytest.mark.parametrize("argv", [["show"], ["validate"], ["validate", "--json"], ["test-connections", "--timeout", "0.2"]])
def test_a_mapping_written_where_a_name_belongs_is_shown_with_its_secrets_masked(tmp_path, capsys, argv):
    """`show` printed a provider_id, provider_type or namespace written as a mapping as Python
    wrote it, the secrets in it included (found by the fuzz test's planted secrets)."""
    from llama_config.tui.cli import main

    path = tmp_path / "run.yaml"
    path.write_text(NAMES_AS_MAPPINGS)
    main([argv[0], str(path), *argv[1:]])
    out = capsys.readouterr()
    assert "sekret" not in out.out + out.err
    if argv == ["show"]:
        assert "{'x': 1, 'api_key': '••••••'}" in out.out and "{'t': 1, 'password': '••••••'}" in out.out


def test_a_mapping_or_list_is_shown_short_however_far_its_aliases_expand():
    from llama_config.model.redaction import shown_value

    bomb: list = ["x"] * 9
    for _ in range(9):
        bomb = [bomb] * 9  # 9**10 items
    text = shown_value(("provider_id",), bomb)
    assert len(text) < 2000 and text.startswith("[[[[...]") and text.endswith(", ...]")


PLANTED = "sekret9"


@pytest.mark.parametrize(
    "text, argv",
    [
        # an echoed provider name that a mapping holding a URL password was (fuzz seed 997)
        (NAMES_AS_MAPPINGS, ["remove-provider", "inference", f"{{'x': 1, 'host': 'redis://:{PLANTED}@h:6379/0'}}"]),
        (NAMES_AS_MAPPINGS, ["remove-provider", "inference", f"{{'x': 1, 'api_key': '{PLANTED}'}}"]),
        # a store type written as a mapping, in migrate's refusal (seed 994)
        ("version: 2\nproviders:\n  datasetio:\n  - provider_id: d\n    provider_type: inline::localfs\n"
         f"    config:\n      kvstore: {{type: {{x: 1, aws_secret_access_key: {PLANTED}}}, db_path: /tmp/k.db}}\n", ["migrate", "--dry-run"]),
        # the enabled providers of a registered resource's error (seed 988)
        ("version: 2\nproviders:\n  tool_runtime:\n  - provider_id: {x: 1, api_key: " + PLANTED + "}\n    provider_type: inline::rag-runtime\n"
         "registered_resources:\n  tool_groups:\n  - {toolgroup_id: t, provider_id: mcp}\n", ["validate", "--server", "0.3"]),
        # a provider id in the upgrade report (seed 996)
        ("version: 2\napis: [agents]\nproviders:\n  agents:\n  - provider_id: {x: 1, passphrase: " + PLANTED + "}\n"
         "    provider_type: inline::meta-reference\n    config: {}\n", ["upgrade", "--to", "ogx-1.2", "--dry-run"]),
        # an anchored placeholder's default under a secret key, in migrate's "rewrite it by hand"
        ("version: 2\nproviders:\n  inference:\n  - provider_id: o\n    provider_type: remote::openai\n"
         f"    config:\n      api_key: &k ${{env.OPENAI_KEY:{PLANTED}}}\n", ["migrate", "--dry-run"]),
    ],
    ids=["remove-provider-url", "remove-provider-key", "migrate-store-type", "validate-enabled-ids", "upgrade-report", "migrate-by-hand"],
)
def test_a_secret_in_a_mapping_where_a_name_belongs_is_masked_in_every_message(tmp_path, capsys, text, argv):
    from llama_config.tui.cli import main

    path = tmp_path / "run.yaml"
    path.write_text(text)
    main([argv[0], str(path), *argv[1:]])
    out = capsys.readouterr()
    assert PLANTED not in out.out + out.err
    assert MASK in out.out + out.err  # (the message was printed, its secret masked)


def test_a_mappings_repr_in_a_message_has_its_secret_entries_masked():
    assert redact_text("no provider {'x': 1, 'api_key': 'k1', \"token\": \"k2\", 'password': k3}") == (
        "no provider {'x': 1, 'api_key': '••••••', \"token\": '••••••', 'password': '••••••'}"
    )
    assert redact_text("{'send_secret_in_body': True, 'max_tokens': 5}") == "{'send_secret_in_body': True, 'max_tokens': 5}"


@pytest.mark.parametrize(
    "assignment",
    [
        "providers.inference[0].config.api_key.x=1",  # the value now there, quoted in the refusal
        f"providers.inference[0].config.api_key='{PLANTED}",  # a typed value that does not parse
        f"providers.inference[0].config.token='{PLANTED}",  # ... for a key no schema knows
    ],
)
def test_set_never_repeats_a_secret_in_its_refusal(tmp_path, capsys, assignment):
    from llama_config.tui.cli import main

    path = tmp_path / "run.yaml"
    text = ("version: 2\nproviders:\n  inference:\n  - provider_id: o\n    provider_type: remote::openai\n"
            f"    config:\n      api_key: '{{a: {PLANTED}'\n")  # fmt: skip
    path.write_text(text)
    assert main(["set", str(path), assignment]) == 2
    err = capsys.readouterr().err
    assert PLANTED not in err and MASK in err
    assert path.read_text() == text


def test_a_value_typed_into_a_secret_field_is_not_repeated_by_its_problem():
    from llama_config.model.fields import parse_checked
    from llama_config.model.releases import load_release
    from llama_config.model.releases.fields import field_at

    data = {"providers": {"inference": [{"provider_id": "o", "provider_type": "remote::openai", "config": {}}]}}
    field = field_at(load_release("0.7"), data, ("providers", "inference", 0, "config", "api_key"))
    assert field is not None and field.secret
    with pytest.raises(ValueError) as raised:
        parse_checked(f"'{PLANTED}", field)
    assert PLANTED not in str(raised.value) and MASK in str(raised.value)
