"""The provider adapter: the only code in banksync that knows Okra's API."""
