"""The dashboard face: a Telegram Mini App served by `samvad run`."""
