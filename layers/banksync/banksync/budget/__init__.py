"""The provider's request budget, shared by every caller in the stack."""
