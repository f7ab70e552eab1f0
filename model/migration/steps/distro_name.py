"""`image_name` renamed `distro_name` (llama-stack #4396).

Checked in llama-stack 0.5.4 core/datatypes.py: StackConfig takes `distro_name`, and
`image_name` only as a deprecated alias (release data `name_fields`: one_of distro_name /
image_name, image_name deprecated); 0.3 and 0.4 require image_name. The key is renamed in place.
"""

from __future__ import annotations

from ...document import Document
from . import Context, Outcome, Step


def _detect(doc: Document, ctx: Context) -> bool:
    return "image_name" in doc.data and "distro_name" not in doc.data


def _apply(doc: Document, ctx: Context) -> Outcome:
    doc.rename_key(("image_name",), "distro_name")
    return Outcome(done=["renamed image_name to distro_name (image_name is deprecated since 0.5)"])


STEP = Step(
    name="distro-name",
    line="0.5",
    upstream="llama-stack #4396 (0.5.0: core/datatypes.py StackConfig.distro_name, image_name deprecated)",
    title="image_name becomes distro_name",
    detect=_detect,
    apply=_apply,
)
