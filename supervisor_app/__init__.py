"""督导纪实 — the domain, storage and services of the supervision-group record keeper (no Qt)."""

__version__ = "0.1.0"
