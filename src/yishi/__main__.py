"""The ``yishi`` console command: Django's management commands, with hyphenated names allowed.

``yishi verify-audit`` runs the ``verify_audit`` command; ``yishi migrate`` is ``manage.py migrate``.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "yishi"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
