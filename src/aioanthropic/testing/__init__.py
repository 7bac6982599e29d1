"""Tools for testing code that uses aioanthropic, offline: a fake Messages server."""
