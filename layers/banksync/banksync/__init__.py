"""banksync: the shared library behind every banksync Lambda function.

Shipped as a Lambda layer; functions import it as ``banksync``. Modules are
small and named after what they do; only ``okra`` knows the provider.
"""
