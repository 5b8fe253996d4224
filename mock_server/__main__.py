"""``python -m sms_rent_mock.mock_server serve ...`` runs the same command line as ``sms-rent-mock``."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":  # not when a "spawn" child process imports this module
    main()
