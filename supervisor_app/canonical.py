"""Canonical JSON: the one text form of everything that is hashed, signed or stored as JSON.

Keys sorted, no spaces (``","`` and ``":"``), characters outside ASCII kept as they are (UTF-8),
no NaN or Infinity (they are not JSON, and a signature over them would mean nothing).
Change-log hashes, evaluation content hashes, card and manifest signatures and the JSON
columns all use it, so one value always has one text.
"""

from __future__ import annotations

import json

_plain = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def _fast_encoder():
    """The same text from the C encoder made once (``JSONEncoder.encode`` makes one per call),
    if this Python has it and gives the same text; values read from JSON cannot be circular."""
    try:
        from json import encoder

        def default(value):
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

        make = encoder.c_make_encoder(None, default, encoder.encode_basestring, None, ":", ",", True, False, False)

        def encode(value) -> str:
            return "".join(make(value, 0))

        probe = {"b": [1, 2.5, None, True, {"é": "督\"\\"}], "a": "x", "c": {}, "d": [], "e": -3}
        if all(encode(v) == _plain(v) for v in (probe, "x", 1, None, [], 2.5)):
            return encode
    except Exception:  # noqa: BLE001 - any difference: keep the plain encoder
        pass
    return _plain


canonical_text = _fast_encoder()
canonical_text.__doc__ = "The canonical JSON text of ``value`` (raises ValueError on NaN/Infinity)."


def canonical_bytes(value) -> bytes:
    """The canonical JSON of ``value`` as UTF-8 bytes: what hashes and signatures cover."""
    return canonical_text(value).encode("utf-8")
