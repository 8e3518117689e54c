"""What banksync's consumers read: stable, normalised transactions and balances."""
