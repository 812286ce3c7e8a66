"""The Textual face of ar-assistant: screens over the `Services` facade, nothing else.

Only this package imports Textual; the CLI reaches it lazily through `make_app`.
"""
