"""Argon2id tuned for the app servers: one hash in about 100 ms on one core.

Django's defaults (100 MiB, 8 lanes) cost 0.7 s of CPU per login on our 2-core machine, which
a morning of fifty people logging in turns into minutes of queueing. These are OWASP's
recommended minimum for Argon2id (19 MiB, 2 passes, 1 lane), measured at ~90 ms here
(benchmarks/load.py prints the login time). Hashes made with other parameters, and the older
PBKDF2 ones, are rehashed with these on the member's next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
