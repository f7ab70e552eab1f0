"""model.quota_toggle: quotas turned off are kept as comment lines, and turned on again they come
back exactly as they were, whatever line breaks the file uses."""

from __future__ import annotations

import re

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.quota_toggle import MARK, comment_out_quota, restore_quota

LINES = [
    "version: 2", "image_name: x", "server:", "  port: 8321", "  quota:  # limits", "    kvstore:", "",
    "      backend: kv_default", "      namespace: quota", "    anonymous_max_requests: 100", "    period: day  # end",
]  # fmt: skip


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "mixed"])
@pytest.mark.parametrize("final", [True, False], ids=["final-break", "no-final-break"])
def test_quotas_off_then_on_gives_the_file_back_byte_for_byte(newline, final):
    ends = ["\r", "\n", "\r\n"] if newline == "mixed" else [newline]
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(LINES))
    text = text if final else text.rstrip("\r\n")
    doc = Document.from_text(text)
    comment_out_quota(doc)
    off = doc.text
    assert yaml.safe_load(off)["server"] == {"port": 8321}
    assert f"  {MARK}" in off and "  #     anonymous_max_requests: 100" not in off and "  #   anonymous_max_requests: 100" in off
    if newline != "mixed":  # (bare CR before: the comment lines were joined with \n, a mixed file)
        assert set(re.findall(r"\r\n|\r|\n", off)) == {newline}
    assert restore_quota(doc)  # (bare CR before: the marker's line was not found, and nothing came back)
    assert doc.text == text
