"""Okra's answers mapped to the port's outcomes: the one mapping, and its rules."""

from typing import Any

from banksync.provider.model import (
    REAUTH_REASON,
    CallbackOutcome,
    Failed,
    NotReady,
    Ready,
    ReauthRequired,
)

REAUTH_MARKERS = ("reauth", "re-auth", "reauthori", "re_auth")
NOT_READY_STATUSES = {"processing", "pending", "in_progress", "running", "queued"}


def classify_callback(status_code: int, body: Any) -> CallbackOutcome:
    """Map one callback answer to an outcome. The whole not-ready contract lives here.

    Okra does not publish the shape of a not-yet-ready callback, so banksync
    reads it conservatively:

    - HTTP 202, a ``status`` of processing/pending/in_progress/running/queued,
      or ``status: "success"`` with an empty or missing ``data`` → NotReady;
    - ``status: "success"`` whose ``data.status`` says the work is still under
      way (Okra's published client models: ``process.running`` true,
      ``process.completed`` false, or a not-ready status word) → NotReady,
      whatever else ``data`` carries, so that an in-progress answer is never
      stored as empty data;
    - ``status: "error"`` (or any 4xx body) that mentions re-authorisation, or
      ``data.reauth`` true → ReauthRequired;
    - any other ``status: "error"`` → Failed, with the provider's message;
    - ``status: "success"`` with a non-empty ``data`` object → Ready.

    Anything else is Failed, never silently ready. Transport-level failures
    (429, 5xx, timeouts, 401) are raised by the client before this is called.
    """
    if not isinstance(body, dict):
        return NotReady("no JSON body") if status_code == 202 else Failed("unreadable answer")
    status = str(body.get("status", "")).strip().lower()
    data = body.get("data")
    if _mentions_reauth(body):
        return ReauthRequired(_text(body) or REAUTH_REASON)
    if status_code == 202 or status in NOT_READY_STATUSES:
        return NotReady(status or "accepted")
    if status == "error" or status_code >= 400:
        return Failed(_text(body) or str(body.get("type") or "provider error"))
    if status == "success":
        if not isinstance(data, dict) or not data:
            return NotReady("no data yet")
        return NotReady("still processing") if _still_processing(data) else Ready(data)
    return Failed(f"unknown callback status {status!r}")


def _still_processing(data: dict[str, Any]) -> bool:
    progress = data.get("status")
    if isinstance(progress, str):
        return progress.strip().lower() in NOT_READY_STATUSES
    if not isinstance(progress, dict):
        return False
    process = progress.get("process")
    if isinstance(process, dict) and (
        process.get("running") is True or process.get("completed") is False
    ):
        return True
    word = progress.get("status")
    return isinstance(word, str) and word.strip().lower() in NOT_READY_STATUSES


def _mentions_reauth(body: dict[str, Any]) -> bool:
    data = body.get("data")
    if isinstance(data, dict) and data.get("reauth") is True:
        return True
    if str(body.get("status", "")).lower() != "error":
        return False
    text = f"{body.get('type', '')} {_text(body)}".lower()
    return any(marker in text for marker in REAUTH_MARKERS)


def _text(body: dict[str, Any]) -> str:
    """The provider's error text: ``message``, or ``msg`` in some of its answers."""
    return str(body.get("message") or body.get("msg") or "")
