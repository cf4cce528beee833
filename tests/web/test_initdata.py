"""Mini App init data: genuine data names its user; anything tampered, incomplete, stale or from the future is
refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from web.initdata import InitDataExpired, InitDataInvalid, sign_init_data, validate_init_data

TOKEN = "123456:ABC-test-token"
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _fields(*, user_id: int = 42, at: datetime = NOW, language: str = "hi") -> dict[str, str]:
    user = {"id": user_id, "first_name": "रमेश", "language_code": language}
    return {"query_id": "AAH", "user": json.dumps(user, ensure_ascii=False), "auth_date": str(int(at.timestamp()))}


def _validate(raw: str) -> object:
    return validate_init_data(raw, TOKEN, now=NOW, max_age=HOUR)


def test_genuine_init_data_names_the_user_their_language_and_when() -> None:
    data = validate_init_data(sign_init_data(_fields(at=NOW - timedelta(minutes=59)), TOKEN), TOKEN, now=NOW,
                              max_age=HOUR)

    assert (data.user_id, data.language_code, data.auth_date) == (42, "hi", NOW - timedelta(minutes=59))


def test_it_matches_telegrams_documented_algorithm_computed_independently() -> None:
    import hashlib
    import hmac

    fields = _fields()
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    raw = urlencode({**fields, "hash": hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()})

    assert raw == sign_init_data(fields, TOKEN)
    assert _validate(raw)


def test_a_tampered_value_is_refused() -> None:
    fields = dict(parse_qsl(sign_init_data(_fields(), TOKEN)))
    fields["user"] = fields["user"].replace("42", "43")

    with pytest.raises(InitDataInvalid):
        _validate(urlencode(fields))


def test_a_tampered_hash_is_refused() -> None:
    fields = dict(parse_qsl(sign_init_data(_fields(), TOKEN)))
    fields["hash"] = ("0" if fields["hash"][0] != "0" else "1") + fields["hash"][1:]

    with pytest.raises(InitDataInvalid):
        _validate(urlencode(fields))


def test_data_signed_with_another_bots_token_is_refused() -> None:
    with pytest.raises(InitDataInvalid):
        _validate(sign_init_data(_fields(), "999:other"))


@pytest.mark.parametrize("raw", ["", "user=%7B%7D&auth_date=1", "not a query string", "hash=&auth_date=1"])
def test_missing_or_malformed_data_is_refused(raw: str) -> None:
    with pytest.raises(InitDataInvalid):
        _validate(raw)


def test_data_without_a_user_is_refused_even_when_signed() -> None:
    fields = _fields()
    del fields["user"]

    with pytest.raises(InitDataInvalid):
        _validate(sign_init_data(fields, TOKEN))


def test_a_user_without_an_id_is_refused() -> None:
    with pytest.raises(InitDataInvalid):
        _validate(sign_init_data({**_fields(), "user": json.dumps({"first_name": "x"})}, TOKEN))


def test_data_older_than_the_allowed_age_has_expired() -> None:
    with pytest.raises(InitDataExpired):
        _validate(sign_init_data(_fields(at=NOW - HOUR - timedelta(seconds=1)), TOKEN))


def test_data_dated_in_the_future_beyond_a_small_skew_is_refused() -> None:
    assert _validate(sign_init_data(_fields(at=NOW + timedelta(minutes=1)), TOKEN))
    with pytest.raises(InitDataExpired):
        _validate(sign_init_data(_fields(at=NOW + timedelta(minutes=10)), TOKEN))
