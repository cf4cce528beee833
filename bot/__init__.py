"""Booth Samvad: the application package (configuration, CLI, scheduler and the domain)."""
