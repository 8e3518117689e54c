"""Customers' accounts, balances and transactions as banksync keeps them."""
