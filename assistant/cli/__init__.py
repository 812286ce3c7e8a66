"""The command line: a thin face over `assistant.services`."""
