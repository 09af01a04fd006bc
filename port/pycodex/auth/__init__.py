"""Logins: ``auth.json`` (API key or ChatGPT tokens), token refresh, ``login``/``logout``."""
