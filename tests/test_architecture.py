"""The domain knows nothing of Telegram: the CLI, the scheduler and the tests call it without a bot."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
ADAPTERS = {"app.py", "jobs.py", "cli.py", "local.py", "demo.py", "persistence.py", "ratelimit.py", "webhook.py"}


def _imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_domain_module_imports_telegram_or_the_handlers() -> None:
    domain = [p for p in BOT.glob("*.py") if p.name not in ADAPTERS]
    assert len(domain) >= 10

    offenders = {
        p.name: sorted(n for n in _imports(p) if n.split(".")[0] in ("telegram", "handlers"))
        for p in domain
    }

    assert {name: found for name, found in offenders.items() if found} == {}
