"""The synthetic sample practice: a seeded generator of an OT clinic's year (837P batches,
notes, settings, authorizations, 835 remittances) imported through the real importers.

`sample_db/README.md` says what is random, which errors are planted and how payers answer.
"""

from assistant.sample.build import DEFAULT_CLAIMS, DEFAULT_SEED, build_sample, is_sample_database

__all__ = ["DEFAULT_CLAIMS", "DEFAULT_SEED", "build_sample", "is_sample_database"]
