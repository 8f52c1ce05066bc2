"""The suite runner: every registered model on the same samples, with tables and resume."""
