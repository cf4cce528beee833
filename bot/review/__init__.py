"""Review: what the organisation secretary and district in-charges see, as plain data (no message text)."""
