"""Turning quotas off asks first what becomes of the limits and the counters' kvstore: kept as
comments (the default; turning quotas on restores them), removed, or nothing at all."""

from __future__ import annotations

from typing import Any

from .screens.choice import ChoiceDialog


def quota_off_dialog() -> ChoiceDialog:
    return ChoiceDialog(
        "Turn request quotas off?",
        "The limits and the counters' kvstore can stay in the file as comments (turning quotas on again restores them) or be removed.",
        [("comment", "Keep them commented out", "primary"), ("remove", "Remove them", "error"), ("cancel", "Cancel", "default")],
        cancel_id="cancel",
        dialog_id="quota-off-dialog",
    )


def ask_quota_off(app: Any, switch: Any) -> None:
    from llama_config.model.quota_toggle import comment_out_quota

    session = app.session

    def done(answer: str) -> None:
        if answer == "comment":
            app.change("Quotas turned off; their settings are kept as comments", lambda: session.run("turn quotas off (kept as comments)", lambda: comment_out_quota(session.doc)))
        elif answer == "remove":
            app.change("Quotas turned off; their settings were removed", session.disable_quota)
        else:
            switch.value = True  # (the handler sees quotas are on and writes nothing)

    app.push_screen(quota_off_dialog(), done)
