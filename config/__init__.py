"""Typed settings for Statement QA (the only place configuration is read)."""
from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
