"""Headless commands. Each module has `run(args) -> exit code`."""
