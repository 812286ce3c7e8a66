"""Widgets of the app: the ranked table, the strips around it, the chat pane."""
