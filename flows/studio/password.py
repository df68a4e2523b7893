"""`python -m flows.studio.password`: the Argon2id hash of the studio's team password, for
VEERKRACHT_STUDIO_PASSWORD. Asks for the password twice (nothing is shown while typing); from
a pipe it reads one line instead, for scripts.
"""

from __future__ import annotations

import getpass
import sys

from flows.studio.security import hash_password


def main() -> int:
    """Print the hash; exit 2 when the password is empty or the two differ."""
    if sys.stdin.isatty():
        password = getpass.getpass("Teamwachtwoord voor de studio: ")
        again = getpass.getpass("Nog een keer: ")
        if password != again:
            print("De twee wachtwoorden zijn niet gelijk; er is niets gemaakt.", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("Een leeg wachtwoord kan niet; er is niets gemaakt.", file=sys.stderr)
        return 2
    hashed = hash_password(password)
    print(hashed)
    if sys.stdout.isatty():
        print(
            "Zet dit in de omgeving van de studio, tussen enkele aanhalingstekens:\n"
            f"  VEERKRACHT_STUDIO_PASSWORD='{hashed}'",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
