"""The long-history study: K per method under a GPU-memory budget, then each method scored at its K."""
