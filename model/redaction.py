"""The one rule for what llama-config never prints: every output (show, migrate, validation and
parse messages, test-connections, the editor) asks this module.

A value is secret when
- its key, or a key above it, is secret-named: a word of the key (split at `_`, `-`, `.`) is
  password, passwd, secret(s), token, credential(s) or apikey, or the key ends in `_key`
  (`api_key`, `aws_secret_access_key`, `client_secret`, `auth_token`; not `max_tokens`);
- or its path matches one of the caller's extra secret paths (the release data marks secret
  fields per provider): a key (`account_id`, anywhere) or a dotted path whose last parts match
  (`config.account_id`, `providers.*.config.account_id`; `*` matches any one part);
- or it is the password of a URL (`redis://:pw@h`, `postgresql://u:pw@h/db`), wherever the URL
  is written, placeholder defaults included.

Booleans are never secret (`send_secret_in_body: true` says nothing).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

MASK = "••••••"

_SECRET_WORDS = frozenset({"password", "passwd", "secret", "secrets", "token", "credential", "credentials", "apikey"})
_WORD_SPLIT = re.compile(r"[_\-.\s]+")

# scheme://userinfo@ ; the userinfo runs to the last @ before the path (passwords may hold an @)
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#]*)@")
_BARE_PLACEHOLDER = re.compile(r"\$\{env\.[A-Za-z0-9_]+\}")
# key=value pairs (libpq connection strings, URL queries): the value of a secret-named key
_KEY_VALUE = re.compile(r"(?P<key>\b[A-Za-z][A-Za-z0-9_\-]*)=(?P<value>[^\s&;,'\"]+)")
# a placeholder, with the argument of ${env.X:=default} / ${env.X:+value} (or the old ${env.X:default})
_PLACEHOLDER = re.compile(r"(?P<head>\$\{env\.[A-Za-z0-9_]+(?::?[=+]|:)?)(?P<arg>[^}]*)\}")
# a value quoted in a message: 'x' or "x" as repr() writes them
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


@lru_cache(maxsize=4096)
def _secret_named(key: str) -> bool:
    words = [w for w in _WORD_SPLIT.split(key.lower()) if w]
    return any(w in _SECRET_WORDS for w in words) or (len(words) > 1 and words[-1] == "key")


def is_secret_key(key: object, extra: Iterable[str] = ()) -> bool:
    """True for a secret-named key (see the module docstring), or one of the `extra` keys."""
    if not isinstance(key, str):
        return False
    return _secret_named(key) or key.lower() in {e.lower() for e in extra if "." not in e}


def _ends_secret(path: tuple, extra: tuple[str, ...]) -> bool:
    """The last key of `path` is secret-named, or `path` ends with an `extra` dotted path."""
    if path and is_secret_key(path[-1], extra):
        return True
    for pattern in extra:
        parts = pattern.split(".")
        if "." in pattern and len(parts) <= len(path) and all(p in ("*", str(k)) for p, k in zip(parts, path[-len(parts):])):
            return True
    return False


def is_secret_path(path: tuple, extra: Iterable[str] = ()) -> bool:
    """True when the value at `path` (a tuple of keys and list indexes) is secret: a key on the
    way is secret-named, or the path (or a path above it) ends with an `extra` dotted path."""
    extra = tuple(extra)
    return any(_ends_secret(path[:end], extra) for end in range(1, len(path) + 1))


def _mask_userinfo(match: re.Match) -> str:
    userinfo = match["userinfo"]
    user, colon, password = userinfo.partition(":")
    if not colon:  # one part only: a user name or a token, which cannot be told apart
        shown = userinfo if _BARE_PLACEHOLDER.fullmatch(userinfo) else MASK
    else:  # the user name stays; a password written as a bare ${env.X} is not the secret itself
        shown = f"{user}:{password if _BARE_PLACEHOLDER.fullmatch(password) else MASK}"
    return f"{match['scheme']}{shown}@"


def _mask_key_value(match: re.Match) -> str:
    return f"{match['key']}={MASK}" if is_secret_key(match["key"]) else match[0]


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with URL passwords, `secret_key=value` values and every one of `secrets` (known
    secret values; longest first, so a secret containing another goes whole) masked."""
    if not text:
        return text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    return _KEY_VALUE.sub(_mask_key_value, text)


def mask_quoted(text: str) -> str:
    """`text` with every quoted value masked (a message about a secret field)."""
    return _QUOTED.sub(lambda m: f"'{MASK}'", text)


def shown_value(path: tuple, value: Any, extra: Iterable[str] = ()) -> str:
    """`value` (found at `path`) as text for people: masked when secret, where a placeholder
    keeps its variable name and only its default is masked; URL passwords masked in any case."""
    text = str(value)
    if isinstance(value, bool) or value in (None, "") or not is_secret_path(path, extra):
        return redact_text(text)
    if _PLACEHOLDER.sub("", text).strip():  # not placeholders only: the text itself is secret
        return MASK
    return _PLACEHOLDER.sub(lambda m: f"{m['head']}{MASK}}}" if m["arg"] else m[0], text)
