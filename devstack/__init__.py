"""The offline stack: banksync's template provisioned into an embedded AWS (moto)."""
