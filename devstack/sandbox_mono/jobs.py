"""Real-time jobs: one per account per window, finished after the sandbox's delay.

"Real-time sessions for each account can only be performed at 5-minute intervals
… If you attempt to call the endpoint again within this interval … we simply
return the headers with the last job id and status unchanged." The window is per
account (a balance call and a transactions call share it); a repeat after the
job ended, still inside the window, gets that job's headers too, and no new job.
"""

import hashlib
from dataclasses import dataclass

JOB_NAMES = {
    "balance": "jobs.accounts.sync_balance",
    "transactions": "jobs.accounts.sync_statement",
}


@dataclass
class Job:
    job_id: str
    account_id: str
    name: str
    created_at: float
    ready_at: float
    status: str = "processing"  # then "finished" or "failed"
    has_new_data: bool = False

    def headers(self) -> dict[str, str]:
        """The answer's headers; ``x-has-new-data`` only when there is new data."""
        headers = {"x-job-id": self.job_id, "x-job-status": self.status}
        if self.status == "finished" and self.has_new_data:
            headers["x-has-new-data"] = "true"
        return headers

    def as_data(self, app_id: str, business_id: str) -> dict[str, str]:
        return {
            "id": self.job_id,
            "status": self.status,
            "name": self.name,
            "account": self.account_id,
            "business": business_id,
            "app": app_id,
        }


class JobBook:
    def __init__(self, window: float) -> None:
        self.window = window
        self.jobs: dict[str, Job] = {}
        self._latest: dict[str, Job] = {}

    def in_window(self, account_id: str, now: float) -> Job | None:
        job = self._latest.get(account_id)
        return job if job is not None and now < job.created_at + self.window else None

    def start(self, account_id: str, product: str, now: float, delay: float) -> Job:
        seed = f"{account_id}/{len(self.jobs)}/{now}".encode()
        job_id = hashlib.sha256(seed).hexdigest()[:24]
        job = Job(job_id, account_id, JOB_NAMES[product], now, now + delay)
        self.jobs[job_id] = job
        self._latest[account_id] = job
        return job

    def due(self, now: float) -> list[Job]:
        """Jobs still processing whose time has come, in the order they fall due."""
        waiting = [j for j in self.jobs.values() if j.status == "processing" and j.ready_at <= now]
        return sorted(waiting, key=lambda j: j.ready_at)

    def next_due(self) -> float | None:
        times = [j.ready_at for j in self.jobs.values() if j.status == "processing"]
        return min(times, default=None)
