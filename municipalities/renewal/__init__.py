"""Renewal and joining: the next season, personal offers, the answers, invoicing details.

Models in `models.py` (imported by `municipalities.models`), writes in `services.py`, reads in
`selectors.py`, the offer letter in `pdf.py`. The fee on an offer is computed by billing's own
fee functions, which the billing app hands over in its `ready()` (`hooks.py`): `municipalities`
imports no other app of the project.
"""
