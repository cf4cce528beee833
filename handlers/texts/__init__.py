"""Every Telegram message text: the domain's plain data (views, messages, trails) put into words from the
catalog, as Telegram HTML fitting one message; one module per feature, the fitting itself in `fit`."""
