"""Screens of the app: worklist, claim, letter, dashboard, help, and the small dialogs."""
