"""Tools from typed functions (``@tool``) and the concurrent tool runner."""

from ._function import FunctionTool, ToolInputError, ToolResultContent, tool
from ._runner import ToolRunner

__all__ = ["FunctionTool", "ToolInputError", "ToolResultContent", "ToolRunner", "tool"]
