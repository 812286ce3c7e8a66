"""ar-assistant: work the occupational-therapy claims that most need it, and say why."""

__version__ = "0.1.0"
