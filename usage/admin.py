"""The usage app's admin: the season reports and their batches (`usage/reports/admin.py`)."""

from .reports import admin  # noqa: F401 - registers the models
