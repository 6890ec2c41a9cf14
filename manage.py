#!/usr/bin/env python
import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    finally:
        # The interpreter's last garbage collection walks every object the command left
        # (Django's models, polars, numpy: some 0.1-0.2 s on every command). Nothing left needs
        # it: files and database connections are closed as their modules are cleared.
        gc.freeze()


if __name__ == "__main__":
    main()
