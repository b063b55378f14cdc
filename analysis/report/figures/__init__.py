"""Figure drawing: one module per figure, pure functions from result tables to a Figure."""
