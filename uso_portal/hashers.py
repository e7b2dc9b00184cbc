"""Password hashing: Argon2id with the parameters of the OWASP Password Storage Cheat Sheet.

Django's own Argon2 defaults (100 MiB, 8 lanes, 2 passes) and its PBKDF2 (1.5 million
iterations) cost 0.3–0.9 s of CPU per login here; a morning when the 150 contact persons log in
would spend minutes of both cores on hashing alone. OWASP's first recommended Argon2id setting
(46 MiB memory, 1 pass, 1 lane) is memory-hard (what makes GPU guessing expensive) at a few tens
of milliseconds. The parameters are part of each stored hash: a change here re-hashes a
password at its owner's next login, and PBKDF2 hashes made before remain valid (and are upgraded
the same way).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47104  # KiB = 46 MiB
    parallelism = 1
