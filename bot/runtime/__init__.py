"""The runtime: wires the domain to Telegram, the scheduler, the CLI and the web server.

The only code under `bot/` (with `bot/sandbox/`) that may import `telegram` or `handlers`."""
