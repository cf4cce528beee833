"""Rosters: reading, validating and importing the booth and office-bearer files; the UP geography."""
