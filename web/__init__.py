"""The dashboard face: a Telegram Mini App served by Starlette. It parses requests, checks who is looking with
the Mini App's init data, calls the domain and renders; it decides nothing about scopes itself."""
