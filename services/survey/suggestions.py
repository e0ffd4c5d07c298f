"""An SKM response's free-text suggestion is sealed with the response's own data key before its
event is stored (pantau/data_keys.py); both write paths (batches: intake.record, grouped single
posts: single_posts.store) seal through here."""
from __future__ import annotations

from pantau import data_keys


def seal(docs: list[dict]) -> None:
    """Seal each suggestion (in place) with its response's data key, all keys in one lookup; the
    content hash stays that of the plaintext item, so a repeat is still recognised."""
    todo = [d for d in docs if d["private"].get("suggestion")]
    if not todo:
        return
    sealed = data_keys.seal_many("survey", [
        (data_keys.skm_suggestion_key(d["envelope"]["data"]["unit_id"], d["envelope"]["data"]["response_id"]),
         d["_id"], "suggestion", d["private"]["suggestion"]) for d in todo], skip_erased=True)
    for d, s in zip(todo, sealed, strict=True):
        d["private"]["suggestion"] = s
