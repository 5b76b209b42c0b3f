"""CLI subcommands for the register: init, demo, import, list, search, show, check, export."""


def register_cli(sub) -> None:
    """Placeholder replaced in the next commit by the real register commands."""
