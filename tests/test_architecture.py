"""Each folder keeps its rule: the domain (`bot/` outside `bot/runtime/` and `bot/sandbox/`) knows nothing of
Telegram, the handlers or the web; only the runtime wires them together."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
WIRING = {"runtime", "sandbox"}
"""The folders of `bot/` that may import Telegram and the faces: the runtime wires them, the sandbox fakes Telegram."""
FACES = ("telegram", "handlers", "web", "starlette", "uvicorn")
"""Top-level packages the domain must not import: Telegram, its handlers and the web dashboard."""


def _imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _domain_modules() -> list[Path]:
    return [path for path in BOT.rglob("*.py") if path.relative_to(BOT).parts[0] not in WIRING]


def test_the_domain_imports_neither_telegram_nor_the_faces() -> None:
    domain = _domain_modules()
    assert len(domain) >= 20

    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path) if name.split(".")[0] in FACES)
        for path in domain
    }

    assert {name: found for name, found in offenders.items() if found} == {}


def test_nothing_outside_the_runtime_imports_the_runtime() -> None:
    outside = [*_domain_modules(), *(ROOT / "handlers").rglob("*.py")]

    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path) if name.startswith("bot.runtime"))
        for path in outside
    }

    assert {name: found for name, found in offenders.items() if found} == {}


def test_handlers_do_not_import_the_runtime_or_the_sandbox() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path)
                                            if name.startswith(("bot.runtime", "bot.sandbox")))
        for path in (ROOT / "handlers").rglob("*.py")
    }

    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_channel_classifies_telegram_errors() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path) if name == "telegram.error")
        for path in (ROOT / "handlers").rglob("*.py") if path.name != "channel.py"
    }

    assert {name: found for name, found in offenders.items() if found} == {}
