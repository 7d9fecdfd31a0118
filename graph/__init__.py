"""The storage port, its two adapters, and the pure analytics over NetworkX."""
