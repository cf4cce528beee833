"""The bot's own settings: its commands per scope and language, its descriptions and name, and ``getMe``."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.params import ApiRequest, as_json
from bot.sandbox.state import SandboxState

__all__ = ["BotSettings"]


class BotSettings(SandboxState):
    """Stores what the bot sets about itself and answers what it asks about itself."""

    def commands_for(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """The commands set with setMyCommands for this scope and language."""
        return self.my_commands.get(self._commands_key(scope, language_code), [])

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = as_json(scope) or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    async def _set_my_commands(self, req: ApiRequest) -> bool:
        key = self._commands_key(req.params.get("scope"), req.params.get("language_code"))
        self.my_commands[key] = list(as_json(req.params.get("commands")) or [])
        return True

    async def _get_my_commands(self, req: ApiRequest) -> list[dict[str, Any]]:
        return self.my_commands.get(self._commands_key(req.params.get("scope"), req.params.get("language_code")), [])

    async def _delete_my_commands(self, req: ApiRequest) -> bool:
        self.my_commands.pop(self._commands_key(req.params.get("scope"), req.params.get("language_code")), None)
        return True

    async def _store_setting(self, req: ApiRequest) -> bool:
        self.bot_settings[req.method] = dict(req.params)
        return True

    async def _get_me(self, req: ApiRequest) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
