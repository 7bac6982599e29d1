"""aioanthropic: an async-first client for the Anthropic Messages API."""

from ._version import __version__

__all__ = ["__version__"]
