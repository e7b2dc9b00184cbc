from . import batch_admin  # noqa: F401  (report batches and reports)
