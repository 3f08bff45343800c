"""The token program: a stored snapshot of the tenant's tokens and their holders, what needs an
administrator (the needs-attention queue) and the reports drawn from it.

Below the feature apps (the admin area renders it), above portal.web and portal.core. Pages answer
from the snapshot, never from Graph; only the background refresh calls Graph.
"""
