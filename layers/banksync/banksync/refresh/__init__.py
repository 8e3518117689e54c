"""The refresh workflow's logic: what the state machine's tasks do."""
