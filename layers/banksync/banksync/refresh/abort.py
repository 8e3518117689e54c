"""A refresh run the workflow itself failed: recorded, with no item left running."""

from typing import Any

from banksync.observability import logger
from banksync.refresh.model import ItemStatus, RefreshRun, RunStatus
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.steps import ItemSteps
from banksync.refresh.summary import count_by_status, error_summary


def record_failure(
    runs: RefreshRunStore, steps: ItemSteps, refresh_id: str, error: dict[str, Any], now: str
) -> None:
    """Fail every unfinished item and the run. A run whose start failed before its
    record was written (bad input, a failed write) is recorded as failed, so that it
    can be read like any other."""
    summary = error_summary(error)
    run = runs.run(refresh_id) or _failed_before_start(runs, refresh_id, now)
    reason = f"workflow failed: {summary}"
    for item in runs.items(refresh_id):
        if not item.status.terminal:
            item.finish(ItemStatus.FAILED, now, reason)
            runs.save_item(item)
            steps.record_unsuccessful(item)
    run.status, run.finished_at, run.updated_at = RunStatus.FAILED, now, now
    run.error = summary
    run.counts = count_by_status(runs.items(refresh_id))
    runs.save_run(run)
    # The full cause (with its stack trace) goes to the logs, never to the API.
    logger.error("refresh failed", extra={"refresh_id": refresh_id, "cause": error})


def _failed_before_start(runs: RefreshRunStore, refresh_id: str, now: str) -> RefreshRun:
    run = RefreshRun(refresh_id, created_at=now, deadline_at=now, status=RunStatus.FAILED)
    if runs.create_run(run):
        return run
    found = runs.run(refresh_id)  # the start wrote it after all, in the meantime
    if found is None:
        raise LookupError(f"refresh {refresh_id} does not exist")
    return found
