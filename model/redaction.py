"""The one rule for what llama-config never prints: every output (show, migrate, validation and
parse messages, test-connections, the editor) asks this module.

A value is secret when
- its key, or a key above it, is secret-named: a word of the key (split at `_`, `-`, `.`) is
  password, passwd, passphrase, secret(s), token, credential(s) or apikey, or the key ends in `_key`
  (`api_key`, `aws_secret_access_key`, `client_secret`, `auth_token`; not `max_tokens`);
- or its path matches one of the caller's extra secret fields (SecretFields): a key
  (`account_id`, anywhere), a dotted path whose last parts match (`config.account_id`,
  `providers.*.config.account_id`; `*` matches any one part), or an exact path: the fields the
  target release marks secret in this file (`SecretStr` fields such as remote::s3's
  `aws_access_key_id`, model.release_secrets);
- or it is the password of a URL (`redis://:pw@h`, `postgresql://u:pw@h/db`), wherever the URL
  is written, placeholder defaults included.

Booleans are never secret (`send_secret_in_body: true` says nothing).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from typing import Any, Iterable

MASK = "••••••"

_SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "secrets", "token", "credential", "credentials", "apikey"})
_WORD_SPLIT = re.compile(r"[_\-.\s]+")

# scheme://userinfo@ ; the userinfo runs to the last @ before the path (passwords may hold an @).
# The last alternative takes a run of scheme characters that is not one whole, so that no later
# start inside the run is tried: each would need the same `://` at its end, and trying them all
# was quadratic in a run such as `a.a.a.…` (80,000 characters of a message: 3.3 s).
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#]*)@|\b[A-Za-z][A-Za-z0-9+.\-]*")
_BARE_PLACEHOLDER = re.compile(r"\$\{env\.[A-Za-z0-9_]+\}")
# key=value pairs (libpq connection strings, URL queries): the value of a secret-named key (the
# last alternative skips a run of key characters not followed by `=value`, as above)
_KEY_VALUE = re.compile(r"(?P<key>\b[A-Za-z][A-Za-z0-9_\-]*)=(?P<value>[^\s&;,'\"]+)|\b[A-Za-z][A-Za-z0-9_\-]*")
# 'key': value, as a mapping's repr() writes its entries (a mapping typed on the command line and
# echoed back in a message): the value of a secret-named key
_REPR_ENTRY = re.compile(r"(?P<q>['\"])(?P<key>[A-Za-z][A-Za-z0-9_\-.]*)(?P=q): (?P<value>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|[^\s,}\]]+)")
# a placeholder, with the argument of ${env.X:=default} / ${env.X:+value} (or the old ${env.X:default})
_PLACEHOLDER = re.compile(r"(?P<head>\$\{env\.[A-Za-z0-9_]+(?::?[=+]|:)?)(?P<arg>[^}]*)\}")
# a value quoted in a message: 'x' or "x" as repr() writes them, or `x` (a placeholder as written);
# an apostrophe inside a word ("the provider's config") opens and closes nothing (b'x' does)
_QUOTED = re.compile(r"(?:(?<!\w)|(?<=\bb))'(?:[^'\\\n]|\\.)*'(?!\w)|\"(?:[^\"\\\n]|\\.)*\"|`[^`\n]*`")
_QUOTE_CHAR = re.compile(r"['\"`]")
_SINGLE_OPENS = re.compile(r"(?:(?<!\w)|(?<=\bb))'")
_QUOTED_BODY = {"'": re.compile(r"(?:[^'\\\n]|\\.)*"), '"': re.compile(r'(?:[^"\\\n]|\\.)*')}


@lru_cache(maxsize=4096)
def _secret_named(key: str) -> bool:
    words = [w for w in _WORD_SPLIT.split(key.lower()) if w]
    return any(w in _SECRET_WORDS for w in words) or (len(words) > 1 and words[-1] == "key")


class SecretFields:
    """Secret fields beyond the secret-named ones, compiled once per file: keys (`account_id`,
    anywhere), dotted patterns (`config.account_id`, `*` for any one part) and exact paths
    (tuples: the fields the release data marks in this file, see model.release_secrets)."""

    def __init__(self, items: Iterable[str | tuple] = ()):
        keys, patterns, paths = set(), [], set()
        for item in items:
            if isinstance(item, tuple):
                paths.add(tuple(map(str, item)))
            elif "." in item:
                patterns.append(tuple(item.split(".")))
            else:
                keys.add(item.lower())
        self.keys, self.patterns, self.paths = frozenset(keys), tuple(patterns), frozenset(paths)

    def __bool__(self) -> bool:
        return bool(self.keys or self.patterns or self.paths)


_NO_EXTRA = SecretFields()


def secret_fields(extra: "Iterable[str | tuple] | SecretFields") -> SecretFields:
    if isinstance(extra, SecretFields):
        return extra
    return SecretFields(extra) if extra != () else _NO_EXTRA


def is_secret_key(key: object, extra: Iterable[str] | SecretFields = ()) -> bool:
    """True for a secret-named key (see the module docstring), or one of the `extra` keys."""
    if not isinstance(key, str):
        return False
    return _secret_named(key) or key.lower() in secret_fields(extra).keys


def _ends_secret(path: tuple, extra: SecretFields) -> bool:
    """The last key of `path` is secret-named, or `path` ends with an `extra` dotted path, or is
    one of its exact paths."""
    if path and is_secret_key(path[-1], extra):
        return True
    if extra.paths and tuple(map(str, path)) in extra.paths:
        return True
    for parts in extra.patterns:
        if len(parts) <= len(path) and all(p in ("*", str(k)) for p, k in zip(parts, path[-len(parts):])):
            return True
    return False


def is_secret_path(path: tuple, extra: Iterable[str | tuple] | SecretFields = ()) -> bool:
    """True when the value at `path` (a tuple of keys and list indexes) is secret: a key on the
    way is secret-named, or the path (or a path above it) is or ends with an `extra` one."""
    extra = secret_fields(extra)
    if not extra:  # (every diagnostic and label asks: secret-named keys only, one look at each)
        for key in path:
            if isinstance(key, str) and _secret_named(key):
                return True
        return False
    return any(_ends_secret(path[:end], extra) for end in range(1, len(path) + 1))


def _mask_userinfo(match: re.Match) -> str:
    if match["scheme"] is None:  # (a run skipped whole: no URL)
        return match[0]
    userinfo = match["userinfo"]
    user, colon, password = userinfo.partition(":")
    if not colon:  # one part only: a user name or a token, which cannot be told apart
        shown = userinfo if _BARE_PLACEHOLDER.fullmatch(userinfo) else MASK
    else:  # the user name stays; a password written as a bare ${env.X} is not the secret itself
        shown = f"{user}:{password if _BARE_PLACEHOLDER.fullmatch(password) else MASK}"
    return f"{match['scheme']}{shown}@"


def _mask_key_value(match: re.Match) -> str:
    return f"{match['key']}={MASK}" if match["value"] is not None and is_secret_key(match["key"]) else match[0]


def _mask_repr_entry(match: re.Match) -> str:
    if not is_secret_key(match["key"]) or match["value"] in ("True", "False", "None"):
        return match[0]
    return f"{match['q']}{match['key']}{match['q']}: '{MASK}'"


def maskable_in_text(secrets: Iterable[str]) -> list[str]:
    """The known secret values that may be masked wherever they stand in a text: not those
    shorter than 4 characters, which would garble the text around them."""
    return [secret for secret in secrets if len(secret) >= 4]


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with URL passwords, `secret_key=value` values and every one of `secrets` (known
    secret values; longest first, so a secret containing another goes whole) masked."""
    if not text:
        return text
    if secrets:  # (most callers know none: no set and sort per label of a 50,000-provider show)
        for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
            text = text.replace(secret, MASK)
    if "': " in text or '": ' in text:
        text = _REPR_ENTRY.sub(_mask_repr_entry, text)
    if "://" not in text and "=" not in text:  # (neither pattern can match: most messages)
        return text
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    return _KEY_VALUE.sub(_mask_key_value, text)


def mask_quoted(text: str) -> str:
    """`text` with every quoted value masked (a message about a secret field): what
    `_QUOTED.sub` gives, but a quote whose value did not close is not tried again at each later
    quote of its kind that the failed scan took as an escaped character (`'\\'\\'…`: each start
    scanned to the line's end, quadratic; 40,000 characters took validate 5.3 s)."""
    out, last, at = [], 0, 0
    dead = {"'": -1, '"': -1}  # a failed ' or " start dooms the same quote up to here
    while (quote := _QUOTE_CHAR.search(text, at)) is not None:
        start, char = quote.start(), quote[0]
        if char != "`" and start < dead[char]:
            at = start + 1
            continue
        match = _QUOTED.match(text, start)
        if match:
            out += (text[last:start], f"'{MASK}'")
            last = at = match.end()
            continue
        if char != "`" and (char == '"' or _SINGLE_OPENS.match(text, start)):  # it failed in its body or at its end
            dead[char] = _QUOTED_BODY[char].match(text, start + 1).end()
        at = start + 1
    out.append(text[last:])
    return "".join(out)


def shown_value(path: tuple, value: Any, extra: Iterable[str | tuple] | SecretFields = ()) -> str:
    """`value` (found at `path`) as text for people: masked when secret, where a placeholder
    keeps its variable name and only its default is masked; URL passwords masked in any case.
    A mapping or list (written where a name belongs, say) is shown short, its secrets masked."""
    if isinstance(value, (dict, list)):
        return _preview(value, path, secret_fields(extra), 3)
    text = str(value)
    if isinstance(value, bool) or value in (None, "") or not is_secret_path(path, extra):
        return redact_text(text)
    end = text.rfind("}") + 1  # (every placeholder ends with `}`: none past the last one, and no rescans of a run without one)
    if (_PLACEHOLDER.sub("", text[:end]) + text[end:]).strip():  # not placeholders only: the text itself is secret
        return MASK
    return _PLACEHOLDER.sub(lambda m: f"{m['head']}{MASK}}}" if m["arg"] else m[0], text[:end]) + text[end:]


_PREVIEW_ENTRIES = 6


def _preview(value: Any, path: tuple, extra: SecretFields, depth: int) -> str:
    """A mapping or list as text, each secret in it masked: `depth` levels and the first few
    entries of each (an alias can make a small file's value huge)."""
    if isinstance(value, dict):
        if depth == 0:
            return "{...}"
        parts = [f"{k!r}: {_preview(v, path + (k,), extra, depth - 1)}" for k, v in islice(value.items(), _PREVIEW_ENTRIES)]
        return "{" + ", ".join(parts + ["..."] * (len(value) > _PREVIEW_ENTRIES)) + "}"
    if isinstance(value, list):
        if depth == 0:
            return "[...]"
        parts = [_preview(v, path + (i,), extra, depth - 1) for i, v in enumerate(islice(value, _PREVIEW_ENTRIES))]
        return "[" + ", ".join(parts + ["..."] * (len(value) > _PREVIEW_ENTRIES)) + "]"
    return shown_repr(path, value, extra)


def shown_repr(path: tuple, value: Any, extra: Iterable[str | tuple] | SecretFields = ()) -> str:
    """shown_value in quotes when `value` is a string (a value quoted in a message)."""
    shown = shown_value(path, value, extra)
    return repr(shown) if isinstance(value, str) else shown


def masked_data(value: Any, path: tuple, extra: Iterable[str | tuple] | SecretFields = ()) -> Any:
    """A copy of `value` (found at `path`) to show people: each secret scalar in it replaced by
    its shown_value (the editor's view of a provider's config)."""
    extra = secret_fields(extra)
    if isinstance(value, dict):
        return {k: masked_data(v, path + (k,), extra) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_data(v, path + (i,), extra) for i, v in enumerate(value)]
    if isinstance(value, bool) or value in (None, "") or not is_secret_path(path, extra):
        return value
    return shown_value(path, value, extra)
