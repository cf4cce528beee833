"""Webhooks: ``setWebhook`` and friends, and the posting of pending updates to the bot's URL, in order."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from bot.sandbox.params import ApiRequest, as_bool, as_int
from bot.sandbox.state import SandboxState, WebhookConfig

__all__ = ["WebhookDelivery"]

logger = logging.getLogger(__name__)


class WebhookDelivery(SandboxState):
    """Keeps the webhook the bot set and delivers updates to it, retrying a failed delivery until it succeeds."""

    async def _set_webhook(self, req: ApiRequest) -> bool:
        url = str(req.params.get("url", ""))
        if not url:
            return await self._delete_webhook(req)
        secret = req.params.get("secret_token")
        async with self._updates_changed:
            self.webhook = WebhookConfig(
                url=url,
                secret_token=str(secret) if secret is not None else None,
                max_connections=as_int(req.params.get("max_connections", 40), "max_connections"),
            )
            if as_bool(req.params.get("drop_pending_updates")):
                self._updates.clear()
            self._updates_changed.notify_all()
        if self._webhook_client is None:
            self._webhook_client = httpx.AsyncClient(transport=self._webhook_transport, timeout=10.0)
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_webhook_updates(), name="sandbox-webhook")
        return True

    async def _delete_webhook(self, req: ApiRequest) -> bool:
        async with self._updates_changed:
            self.webhook = None
            if as_bool(req.params.get("drop_pending_updates")):
                self._updates.clear()
            self._updates_changed.notify_all()
        return True

    async def _get_webhook_info(self, req: ApiRequest) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    async def _deliver_webhook_updates(self) -> None:
        """Post pending updates to the webhook one by one, in order, retrying failed deliveries."""
        while True:
            async with self._updates_changed:
                await self._updates_changed.wait_for(
                    lambda: self._closed or self.webhook is None or bool(self._updates)
                )
                if self._closed or self.webhook is None:
                    return
                hook, update = self.webhook, self._updates[0]
            if await self._post_update(hook, update):
                async with self._updates_changed:
                    self._updates = [pending for pending in self._updates if pending is not update]
            else:
                await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(self, hook: WebhookConfig, update: dict[str, Any]) -> bool:
        assert self._webhook_client is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        try:
            response = await self._webhook_client.post(hook.url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            error = f"Connection failed: {exc!r}"
        else:
            if response.is_success:
                return True
            error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
        hook.last_error_date, hook.last_error_message = int(time.time()), error
        logger.warning("sandbox webhook delivery to %s failed: %s", hook.url, error)
        return False
