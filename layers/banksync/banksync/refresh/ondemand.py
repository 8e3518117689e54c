"""On-demand refreshes: record the run, start the state machine, report progress."""

import json
import secrets
from datetime import timedelta
from typing import Any

import boto3

from banksync.api_errors import ApiError
from banksync.bankdata.store import BankDataStore
from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger
from banksync.refresh.model import RefreshRun, RunStatus
from banksync.refresh.ondemand_models import RefreshRequestBody
from banksync.refresh.runs import RefreshRunStore


def new_refresh_id() -> str:
    return f"rf_{secrets.token_hex(12)}"


class OnDemandRefreshes:
    def __init__(
        self,
        runs: RefreshRunStore,
        bank: BankDataStore,
        state_machine_arn: str,
        deadline_seconds: int,
        sfn: Any = None,
        clock: Clock = utc_now,
    ) -> None:
        self.runs, self.bank = runs, bank
        self.state_machine_arn = state_machine_arn
        self.deadline_seconds = deadline_seconds
        self.sfn = sfn or boto3.client("stepfunctions")
        self.clock = clock

    def start(self, request: RefreshRequestBody) -> dict[str, Any]:
        refresh_id, now = new_refresh_id(), self.clock()
        execution_input = self._execution_input(refresh_id, request)
        run = RefreshRun(
            refresh_id=refresh_id,
            created_at=iso(now),
            deadline_at=iso(now + timedelta(seconds=self.deadline_seconds)),
            request=request.model_dump(exclude_none=True) | {"priority": "on_demand"},
        )
        # Started first: a run record without an execution could never finish. The
        # starter creates the record too, so losing this write loses nothing.
        try:
            self.sfn.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=refresh_id,
                input=json.dumps(execution_input),
            )
        except Exception:
            logger.exception("refresh start failed", extra={"refresh_id": refresh_id})
            raise ApiError(503, "start_failed", "the refresh could not be started; retry") from None
        self.runs.create_run(run)
        return {"refresh_id": refresh_id, "status": str(run.status)}

    def status(self, refresh_id: str) -> dict[str, Any]:
        run = self.runs.run(refresh_id)
        if run is None:
            raise ApiError(404, "not_found", f"no refresh {refresh_id}", {"refresh_id": "unknown"})
        view = run.public()
        items = [item.public() for item in self.runs.items(refresh_id)]
        if run.status is RunStatus.FAILED:
            # The workflow ended; whatever it left unfinished will not finish.
            for item in items:
                if item["status"] in ("pending", "started"):
                    item |= {"status": "failed", "reason": f"workflow failed: {run.error}"}
        return {**view, "items": items}

    def _execution_input(self, refresh_id: str, request: RefreshRequestBody) -> dict[str, Any]:
        base: dict[str, Any] = {
            "refresh_id": refresh_id,
            "products": request.products,
            "priority": "on_demand",
        }
        if request.customer:
            return {**base, "customer": request.customer, "bank": request.bank}
        account = self.bank.account(request.account_id or "") or {}
        customer_id = account.get("customer_id", "")
        items = [
            {"account_id": request.account_id, "product": product, "customer_id": customer_id}
            for product in request.products
        ]
        return {**base, "items": items}
