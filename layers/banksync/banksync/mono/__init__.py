"""The Mono adapter: the only code in banksync that knows Mono's v2 API and webhooks."""
