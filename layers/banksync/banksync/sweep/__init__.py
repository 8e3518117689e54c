"""The sweep: the daily safety net over every account, paged and paced by the budget."""
