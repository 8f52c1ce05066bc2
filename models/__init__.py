"""Model families of the benchmark: classic sequential baselines and LLM-based recommenders."""
