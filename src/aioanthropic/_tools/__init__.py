"""Tools from typed functions (``_function``: ``@tool``) and the concurrent tool runner
(``_runner``). Nothing is imported here (see ``_structured/__init__.py``)."""
