"""The URLs banksync hands around for Mono data, and what each one stands for.

The port passes a refresh's or a webhook's data around as one URL
(``Started.callback_url``, ``Announcement.callback_url``). For Mono that is:

- a real-time job: ``{base}/v2/accounts/{id}/jobs/{job}?product=…`` (Mono's job
  lookup, with the product the job refreshes, which the lookup does not say);
- data Mono already holds: ``{base}/v2/accounts/{id}/balance`` or ``…/transactions``;
- a job known only by its id: ``{base}/v2/jobs/{job}?product=…``. Mono looks
  jobs up only under their account, so such a URL is answered as failed.

Standard library only: the webhook reader builds these without loading httpx.
"""

from dataclasses import dataclass
from typing import get_args
from urllib.parse import parse_qs, quote, unquote, urlsplit

from banksync.provider.model import Product

DEFAULT_BASE_URL = "https://api.withmono.com"
# Separates the account from the webhook in a record id banksync makes up for data
# that no job announced (Mono's ids are hexadecimal and event ids alphanumeric).
RECORD_SEPARATOR = ":"


@dataclass(frozen=True, slots=True)
class Target:
    """What a callback URL stands for: a job, or the data itself (``job_id`` None)."""

    product: Product
    account_id: str | None
    job_id: str | None = None


class MonoUrls:
    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base = base_url.rstrip("/")
        parts = urlsplit(self.base)
        self._origin, self._prefix = (parts.scheme, parts.netloc), parts.path

    def account(self, account_id: str, tail: str = "") -> str:
        return f"{self.base}/v2/accounts/{quote(account_id, safe='')}{tail}"

    def data(self, account_id: str, product: Product) -> str:
        return self.account(account_id, f"/{product}")

    def job(self, account_id: str, job_id: str, product: Product) -> str:
        return f"{self.job_lookup(account_id, job_id)}?product={product}"

    def job_lookup(self, account_id: str, job_id: str) -> str:
        """Mono's own job URL (the product parameter is banksync's, not sent)."""
        return self.account(account_id, f"/jobs/{quote(job_id, safe='')}")

    def record(self, record_id: str, product: Product) -> str:
        """A record id's data: the account's own for a made-up one, else a job's."""
        account_id, separator, _ = record_id.partition(RECORD_SEPARATOR)
        if separator and account_id:
            return self.data(account_id, product)
        return f"{self.base}/v2/jobs/{quote(record_id, safe='')}?product={product}"

    def target(self, url: str) -> Target | None:
        """What ``url`` stands for; None if it is not one of these on Mono's API."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            return None
        if not parts.path.startswith(f"{self._prefix}/v2/"):
            return None
        segments = [unquote(s) for s in parts.path[len(self._prefix) :].split("/")[2:]]
        wanted = parse_qs(parts.query).get("product", [""])[0]
        product = wanted if wanted in get_args(Product) else None
        match segments:
            case ["accounts", account_id, "balance" | "transactions" as data] if account_id:
                return Target("balance" if data == "balance" else "transactions", account_id)
            case ["accounts", account_id, "jobs", job_id] if account_id and job_id and product:
                return Target(_product(product), account_id, job_id)
            case ["jobs", job_id] if job_id and product:
                return Target(_product(product), None, job_id)
        return None


def made_up_record(account_id: str, event_key: str) -> str:
    """The record id of data a webhook announced without a job: one per account and
    webhook, the same for every delivery of that webhook."""
    return f"{account_id}{RECORD_SEPARATOR}{event_key}"


def _product(name: str) -> Product:
    return "balance" if name == "balance" else "transactions"
