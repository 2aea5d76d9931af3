"""The one canonical JSON: the exact bytes that hashes and signatures cover."""

from __future__ import annotations

import math

import pytest

from supervisor_app import changelog
from supervisor_app.canonical import canonical_bytes, canonical_text
from supervisor_app.models import JSONField
from supervisor_app.sync import container, identity


def test_the_bytes_are_exactly_these():
    value = {"b": [1, 2.5, None, True, {"é": "督\"\\\n"}], "a": "x", "c": {}, "d": [], "e": -3}
    expected = '{"a":"x","b":[1,2.5,null,true,{"é":"督\\"\\\\\\n"}],"c":{},"d":[],"e":-3}'
    assert canonical_text(value) == expected
    assert canonical_bytes(value) == expected.encode("utf-8")


def test_every_signed_or_hashed_thing_uses_it():
    value = {"z": "纪实", "a": [1, {"y": None}]}
    assert container.canonical_json(value) == canonical_bytes(value)
    assert changelog._canonical(value) == canonical_bytes(value)
    assert identity._card_message(value) == identity.CARD_CONTEXT + canonical_bytes(value)
    assert JSONField().db_value(value) == canonical_text(value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"x": [math.nan]}])
def test_nan_and_infinity_have_no_canonical_form(bad):
    with pytest.raises(ValueError):
        canonical_bytes(bad)
