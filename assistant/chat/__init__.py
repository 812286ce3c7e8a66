"""The chat engine: plain sentences in, AR work done (no UI imports, no network, no model)."""
