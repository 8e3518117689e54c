"""Plaid behind the provider port, through its official client ``plaid-python``.

Not wired into the registry yet, and its libraries (plaid-python, PyJWT with
cryptography: about 47 MiB unzipped) are not in the shared layer, whose budget
is 15 MiB: the functions that will call Plaid take them from a layer of their own.
"""
