"""banksync's domain events: DataTable stream records mapped to what a consumer subscribes to."""
