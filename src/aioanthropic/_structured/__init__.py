"""Structured output: replies validated into Python types, whole (``messages.parse``) and
streamed (``messages.stream(output_format=...)``).

``_schema`` (output schemas, pure), ``_partial`` (incremental partial JSON, sans-IO), ``_parse``
and ``_stream`` (the calls). Nothing is imported here: a package that imports its own modules
is a circle (tests/test_architecture.py); the public names come from ``aioanthropic``.
"""
