"""server: port, unknown keys, auth providers and the request quota in all its shapes.

BASE is a llama-stack 0.3 file, judged against 0.3 (`check`'s default); what came later
(route_policy, 0.5 to 0.7) is judged against llama-stack 0.7 on NEWER."""

from __future__ import annotations

import pytest

from tests.test_validation_common import AUTH, BASE, QUOTA, check, config, has, only, pos, summary
from tests.test_validation_formats import NEWER, NEWER_RELEASE


def with_auth(provider: str) -> str:
    """BASE with server.auth.provider_config set to the given (6-space indented) body."""
    return config(append="  auth:\n    provider_config:\n" + provider)


# --------------------------------------------------------------------------- port and keys


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [("-1", "out-of-range", "-1"), ("80", "out-of-range", "80"), ("65536", "out-of-range", "65536"), ("abc", "wrong-type", "'abc'"), ("8321.5", "wrong-type", "8321.5")],
)
def test_server_port(value, code, shown):
    text = config(("port: 8321", f"port: {value}"))
    line, column = pos(text, f"port: {value}")
    assert summary(check(text)) == [("error", code, "server.port", line, column + len("port: "))]
    assert check(text)[0].message == f"server.port must be an integer from 1024 to 65535, not {shown}"


@pytest.mark.parametrize("value", ["1024", "65535", "${env.PORT:=8321}"])
def test_server_port_valid(value):
    assert check(config(("port: 8321", f"port: {value}"))) == []


def test_unknown_server_key_with_suggestion():
    text = config(("port: 8321", "port: 8321\n  tls_certfil: /etc/cert.pem"))
    assert summary(check(text)) == [("warning", "unknown-key", "server.tls_certfil", *pos(text, "tls_certfil"))]
    has(check(text)[0].message, "server has no field 'tls_certfil', so llama-stack 0.3 ignores it; did you mean 'tls_certfile'?")


# --------------------------------------------------------------------------- auth


def test_oauth2_token_needs_one_verifier():
    text = with_auth("      type: oauth2_token\n      audience: llama-stack\n")
    assert summary(check(text)) == [("error", "invalid-value", "server.auth.provider_config", *pos(text, "type: oauth2_token"))]
    has(check(text)[0].message, "oauth2_token auth provider needs exactly one of 'jwks'", "'introspection'", "neither is set")


def test_oauth2_token_with_both_verifiers():
    text = with_auth(
        "      type: oauth2_token\n      jwks:\n        uri: https://idp/jwks\n"
        "      introspection:\n        url: https://idp/introspect\n        client_id: a\n        client_secret: b\n"
    )
    d = only(check(text), "invalid-value")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("error", "server.auth.provider_config", pos(text, "type: oauth2_token"))
    has(d.message, "both are set, remove one")


@pytest.mark.parametrize(
    "verifier",
    ["      jwks:\n        uri: https://idp/jwks\n", "      introspection:\n        url: https://idp/i\n        client_id: a\n        client_secret: b\n"],
)
def test_oauth2_token_with_exactly_one_verifier(verifier):
    assert check(with_auth("      type: oauth2_token\n" + verifier)) == []


def test_oauth2_jwks_needs_its_uri():
    text = with_auth("      type: oauth2_token\n      jwks:\n        key_recheck_period: 60\n")
    assert summary(check(text)) == [("error", "missing-field", "server.auth.provider_config.jwks", *pos(text, "jwks:"))]
    assert check(text)[0].message == "server.auth.provider_config.jwks is missing the required field 'uri'"


def test_custom_auth_needs_an_endpoint():
    text = with_auth("      type: custom\n")
    assert summary(check(text)) == [("error", "missing-field", "server.auth.provider_config", *pos(text, "provider_config:"))]
    assert check(text)[0].message == "server.auth.provider_config is missing the required field 'endpoint'"
    assert check(with_auth("      type: custom\n      endpoint: http://auth/check\n")) == []


@pytest.mark.parametrize(("written", "meant"), [("oauth2", "oauth2_token"), ("githubtoken", "github_token"), ("kubernetis", "kubernetes")])
def test_unknown_auth_type_suggests_the_close_one(written, meant):
    text = with_auth(f"      type: {written}\n")
    assert summary(check(text)) == [("error", "invalid-value", "server.auth.provider_config.type", *pos(text, f"{written}\n"))]
    assert check(text)[0].message == f"server.auth.provider_config has unknown auth provider type '{written}' for llama-stack 0.3; did you mean '{meant}'?"


def test_unknown_auth_type_without_a_close_one_lists_them():
    d = only(check(with_auth("      type: ldap\n")), "invalid-value")
    assert d.message == "server.auth.provider_config has unknown auth provider type 'ldap' for llama-stack 0.3; it knows custom, github_token, kubernetes, oauth2_token"


def test_auth_provider_without_type():
    text = with_auth("      endpoint: http://auth/check\n")
    assert summary(check(text)) == [("error", "missing-field", "server.auth.provider_config", *pos(text, "provider_config:"))]
    has(check(text)[0].message, "is missing the required field 'type' (one of custom, github_token, kubernetes, oauth2_token)")


def test_auth_provider_unknown_key():
    text = with_auth("      type: github_token\n      github_api_url: https://ghe/api\n")
    d = only(check(text), "unknown-key")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("warning", "server.auth.provider_config.github_api_url", pos(text, "github_api_url"))
    has(d.message, "the github_token auth provider has no field 'github_api_url'", "did you mean 'github_api_base_url'?")


def test_kubernetes_api_server_url_must_be_http():
    text = with_auth("      type: kubernetes\n      api_server_url: ftp://cluster\n")
    assert summary(check(text)) == [("error", "invalid-value", "server.auth.provider_config.api_server_url", *pos(text, "ftp://cluster"))]
    assert check(with_auth("      type: kubernetes\n      api_server_url: https://cluster:6443\n")) == []


# --------------------------------------------------------------------------- quota


def test_shipped_quota_with_auth_is_clean():
    assert check(config(append=AUTH + QUOTA)) == []
    # period and the limits have defaults
    assert check(config(append=AUTH + "  quota:\n    kvstore:\n      backend: kv_default\n      namespace: quota\n")) == []


def test_quota_without_auth_is_a_warning():
    # 0.3 starts (the oracle, 0.3.5) and counts every client by IP: a deliberate extra catch
    text = config(append=QUOTA)
    assert summary(check(text)) == [("warning", "quota-without-auth", "server.quota", *pos(text, "quota:"))]
    has(
        check(text)[0].message,
        "server.quota requires server.auth", "counted by IP against anonymous_max_requests", "authenticated_max_requests never applies",
        "the server starts anyway: llama-config checks this beyond what the server does",
    )  # fmt: skip


def test_quota_period_other_than_day():
    text = config(append=AUTH + QUOTA.replace("period: day", "period: hour"))
    assert summary(check(text)) == [("error", "quota-period", "server.quota.period", *pos(text, "hour"))]
    assert check(text)[0].message == (
        "server.quota.period must be 'day' (the only period the server supports: a fixed UTC day), not 'hour'"
    )


def test_quota_period_from_a_placeholder():
    text = config(append=AUTH + QUOTA.replace("period: day", "period: ${env.QUOTA_PERIOD:=day}"))
    assert check(text) == []
    assert [d.code for d in check(text, {"QUOTA_PERIOD": "week"})] == ["quota-period"]


@pytest.mark.parametrize(("field", "written"), [("anonymous_max_requests", "100"), ("authenticated_max_requests", "1000")])
def test_negative_quota_limits(field, written):
    # any integer passes 0.3's QuotaConfig (the oracle, 0.3.5 starts); the middleware then
    # refuses every request (`count > limit` with count 1): a deliberate extra catch
    text = config(append=AUTH + QUOTA.replace(f"{field}: {written}\n", f"{field}: -5\n"))
    line, column = pos(text, f"{field}: -5")
    assert summary(check(text)) == [("warning", "out-of-range", f"server.quota.{field}", line, column + len(field) + 2)]
    assert check(text)[0].message == (
        f"server.quota.{field} must be an integer >= 0, not -5: llama-stack 0.3 does not stop on it at startup, "
        "but refuses every such request with 429 (the first request already exceeds the limit)"
    )


def test_zero_quota_limit_is_allowed():
    assert check(config(append=AUTH + QUOTA.replace("anonymous_max_requests: 100", "anonymous_max_requests: 0"))) == []


def test_quota_limit_of_the_wrong_type():
    text = config(append=AUTH + QUOTA.replace("authenticated_max_requests: 1000", "authenticated_max_requests: lots"))
    assert summary(check(text)) == [("error", "wrong-type", "server.quota.authenticated_max_requests", *pos(text, "lots"))]


def test_misspelt_quota_key_suggests_the_field():
    text = config(append=AUTH + QUOTA.replace("anonymous_max_requests", "anonymous_max_request"))
    assert summary(check(text)) == [("warning", "unknown-key", "server.quota.anonymous_max_request", *pos(text, "anonymous_max_request"))]
    assert check(text)[0].message == (
        "server.quota has no field 'anonymous_max_request', so llama-stack 0.3 ignores it; did you mean 'anonymous_max_requests'?"
    )


def test_quota_without_kvstore():
    text = config(append=AUTH + "  quota:\n    anonymous_max_requests: 10\n")
    assert summary(check(text)) == [("error", "missing-field", "server.quota", *pos(text, "quota:"))]
    has(check(text)[0].message, "server.quota is missing the required field 'kvstore'", "{backend: <a kv_* backend>, namespace: quota}")


def test_quota_in_the_quota_prs_draft_shape():
    draft = """\
  quota:
    type: sqlite
    config:
      db_path: ./quotas.db
    limit:
      max_requests: 500
      period: day
"""
    text = config(append=AUTH + draft)
    assert summary(check(text)) == [("error", "quota-draft-shape", "server.quota", *pos(text, "quota:"))]
    has(
        check(text)[0].message,
        "server.quota is written in the quota PR's draft shape (type / config / limit), which no server release accepts",
        "kvstore: {backend: <a kv_* backend>, namespace: quota}",
        "authenticated_max_requests: 500",
        "in a kv_sqlite backend at ./quotas.db",
    )


def test_draft_quota_without_auth_still_gets_the_shape_explained():
    text = config(append="  quota: {type: sqlite, limit: {max_requests: 10}}\n")
    assert [d.code for d in check(text)] == ["quota-draft-shape"]


def test_quota_kvstore_in_the_pre_03_shape():
    text = config(append=AUTH + "  quota:\n    kvstore:\n      type: sqlite\n      db_path: ./quotas.db\n    anonymous_max_requests: 5\n")
    assert summary(check(text)) == [("error", "legacy-inline-store", "server.quota.kvstore", *pos(text, "type: sqlite"))]
    assert check(text)[0].message == (
        "server.quota.kvstore is the pre-0.3 shape {type: sqlite, db_path: ./quotas.db}; since v0.3 it references a kv "
        "backend: declare a kv_sqlite backend with db_path ./quotas.db under storage.backends and write "
        "kvstore: {backend: NAME, namespace: quota}"
    )


def test_quota_that_is_not_a_mapping():
    text = config(append=AUTH + "  quota: 100\n")
    assert summary(check(text)) == [("error", "wrong-type", "server.quota", *pos(text, "100\n"))]


ROUTE_POLICY = "  auth:\n    route_policy:\n    - permit: {paths: '/v1/models*'}\n"


def test_route_policy_alone_authenticates_no_one_for_quota():
    # llama-stack 0.7 server.py: route_policy adds only RouteAuthorizationMiddleware;
    # AuthenticationMiddleware comes with provider_config alone, so no client is ever
    # authenticated and the quota counts every one by IP (the oracle, 0.7.3, starts)
    text = NEWER + ROUTE_POLICY + QUOTA
    assert summary(check(text, server=NEWER_RELEASE)) == [("warning", "quota-without-auth", "server.quota", *pos(text, "quota:"))]
    assert check(NEWER + ROUTE_POLICY, server=NEWER_RELEASE) == []


def test_auth_without_a_provider_on_a_release_that_requires_one():
    # llama-stack 0.3: "server.auth.provider_config: Field required" (the oracle, 0.3.5)
    text = config(append=ROUTE_POLICY)
    assert summary(check(text)) == [("error", "missing-field", "server.auth", *pos(text, "auth:"))]
    assert check(text)[0].message == "server.auth is missing the required field 'provider_config'"


def test_base_server_is_clean():
    assert check(BASE) == []
