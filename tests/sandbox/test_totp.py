"""TOTP maths against RFC 6238 Appendix B, plus 60-second steps, the ±window and Base32 rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

import pytest

from portal.sandbox import totp

# RFC 6238 Appendix B seeds: the ASCII string "1234567890" repeated to the hash's key length.
SHA1_SECRET = base64.b32encode(b"12345678901234567890").decode()
SHA256_SECRET = base64.b32encode(b"12345678901234567890123456789012").decode()

# (time, SHA-1 code, SHA-256 code) from RFC 6238 Appendix B, which lists 8-digit codes.
# Entra's tokens show 6 digits. A 6-digit HOTP value is the truncated 31-bit number mod 10^6 and
# the 8-digit one is the same number mod 10^8, so the 6-digit code is exactly the last six digits
# of the RFC's value ((x mod 10^8) mod 10^6 = x mod 10^6). "07081804" → "081804" also checks that
# a leading zero survives.
RFC_VECTORS = [
    (59, "94287082", "46119246"),
    (1111111109, "07081804", "68084774"),
    (1111111111, "14050471", "67062674"),
    (1234567890, "89005924", "91819424"),
    (2000000000, "69279037", "90698825"),
    (20000000000, "65353130", "77737706"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256"), RFC_VECTORS)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str) -> None:
    assert totp.code_at(SHA1_SECRET, interval=30, hash_function="hmacsha1", at=at) == sha1[-6:]
    assert totp.code_at(SHA256_SECRET, interval=30, hash_function="hmacsha256", at=at) == sha256[-6:]


def test_leading_zero_is_kept() -> None:
    code = totp.code_at(SHA1_SECRET, interval=30, hash_function="hmacsha1", at=1111111109)
    assert code == "081804"
    assert isinstance(code, str)


def _reference_code(secret: str, counter: int, digest: str) -> str:
    """An independent HOTP (RFC 4226) to check the 60-second step against."""
    key = base64.b32decode(secret)
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.mark.parametrize(("hash_function", "digest"), [("hmacsha1", "sha1"), ("hmacsha256", "sha256")])
@pytest.mark.parametrize("at", [0, 59, 60, 119, 1_700_000_000, 1_700_000_059])
def test_sixty_second_interval(hash_function: str, digest: str, at: int) -> None:
    secret = SHA1_SECRET if digest == "sha1" else SHA256_SECRET
    assert totp.code_at(secret, interval=60, hash_function=hash_function, at=at) == _reference_code(
        secret, at // 60, digest
    )


def test_sixty_second_code_differs_from_thirty_second_code() -> None:
    at = 1_700_000_040  # different counters (56666668 vs 28333334) give different codes here
    assert totp.code_at(SHA1_SECRET, interval=60, hash_function="hmacsha1", at=at) != totp.code_at(
        SHA1_SECRET, interval=30, hash_function="hmacsha1", at=at
    )


def test_current_code_and_seconds_left() -> None:
    assert totp.current_code(SHA1_SECRET, 30, "hmacsha1", at=59) == "287082"
    assert totp.seconds_left(30, at=59) == 1
    assert totp.seconds_left(30, at=60) == 30
    assert totp.seconds_left(60, at=61.9) == 59


@pytest.mark.parametrize("interval", [30, 60])
def test_verify_accepts_the_window_and_nothing_beyond(interval: int) -> None:
    now = 1_700_000_000.0

    def code(steps: int) -> str:
        return totp.code_at(SHA1_SECRET, interval=interval, hash_function="hmacsha1", at=now + steps * interval)

    def check(candidate: str, window: int) -> bool:
        return totp.verify(
            SHA1_SECRET, candidate, interval=interval, hash_function="hmacsha1", window_steps=window, at=now
        )

    assert check(code(0), 0)
    assert check(code(-1), 1)
    assert check(code(1), 1)
    assert not check(code(-1), 0)
    # Two steps away is outside a ±1 window (unless the codes collide, which these do not).
    assert code(2) not in {code(-1), code(0), code(1)}
    assert not check(code(2), 1)
    assert not check(code(-2), 1)


@pytest.mark.parametrize("bad", ["28708", "2870820", "28708a", "", " 287082", "\uff12\uff18\uff17\uff10\uff18\uff12"])
def test_verify_rejects_malformed_codes(bad: str) -> None:
    assert not totp.verify(SHA1_SECRET, bad, interval=30, hash_function="hmacsha1", window_steps=1, at=59)


def test_verify_rejects_an_int_code() -> None:
    assert not totp.verify(SHA1_SECRET, 287082, interval=30, hash_function="hmacsha1", window_steps=1, at=59)  # type: ignore[arg-type]


def test_sha256_code_is_not_accepted_as_sha1() -> None:
    sha256_code = totp.code_at(SHA1_SECRET, interval=30, hash_function="hmacsha256", at=59)
    assert not totp.verify(SHA1_SECRET, sha256_code, interval=30, hash_function="hmacsha1", window_steps=1, at=59)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXP"),
        ("jbswy3dpehpk3pxp", "JBSWY3DPEHPK3PXP"),
        ("JBSW Y3DP EHPK 3PXP", "JBSWY3DPEHPK3PXP"),
        ("JBSWY3DPEHPK3PXP\n", "JBSWY3DPEHPK3PXP"),
        ("MFRGG===", "MFRGG"),
        ("MFRGG", "MFRGG"),
    ],
)
def test_normalise_base32(text: str, expected: str) -> None:
    assert totp.normalise_base32(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "JBSWY3DPEHPK3PX1",  # 1 is not Base32 (Microsoft's own example secret has one)
        "JBSWY3DPEHPK3PX8",
        "0ABCDEFG",
        "MF=RGG==",  # padding in the middle
        "MFRGG=",  # padding that does not complete a block
        "A",  # a length no encoding produces
        "A" * 136,  # longer than 128
        "ABCDEFGH\u00c4",  # a non-ASCII letter
    ],
)
def test_normalise_base32_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        totp.normalise_base32(text)


def test_normalise_base32_error_never_contains_the_secret() -> None:
    secret = "JBSWY3DPEHPK3PX1"
    with pytest.raises(ValueError) as caught:
        totp.normalise_base32(secret)
    assert secret not in str(caught.value)
    assert "1" not in str(caught.value)


def test_128_characters_is_the_limit() -> None:
    assert len(totp.normalise_base32("A" * 128)) == 128


@pytest.mark.parametrize(("interval", "hash_function"), [(30, "hmacsha1"), (60, "hmacsha256")])
def test_activation_window_reaches_a_day_of_drift_per_30_seconds_and_no_further(
    interval: int, hash_function: str
) -> None:
    """Entra documents ±1 day of drift at activation for 30-second tokens and ±2 days for 60-second
    ones: 2,880 steps either side. The fast path of verify() must agree with pyotp's codes at the edges."""
    secret = SHA1_SECRET if hash_function == "hmacsha1" else SHA256_SECRET
    now = 1_700_000_000.0
    steps = 2880
    edge_past = totp.code_at(secret, interval=interval, hash_function=hash_function, at=now - steps * interval)
    edge_future = totp.code_at(secret, interval=interval, hash_function=hash_function, at=now + steps * interval)
    beyond = totp.code_at(secret, interval=interval, hash_function=hash_function, at=now + (steps + 1) * interval)
    within = {
        totp.code_at(secret, interval=interval, hash_function=hash_function, at=now + k * interval)
        for k in range(-steps, steps + 1)
    }

    def check(candidate: str) -> bool:
        return totp.verify(
            secret, candidate, interval=interval, hash_function=hash_function, window_steps=steps, at=now
        )

    assert check(edge_past)
    assert check(edge_future)
    assert check(beyond) is (beyond in within)  # a collision inside the window is a match, as at Entra
    # The one-minute sign-in window refuses a code from an hour ago.
    an_hour_ago = totp.code_at(secret, interval=interval, hash_function=hash_function, at=now - 3600)
    assert not totp.verify(
        secret, an_hour_ago, interval=interval, hash_function=hash_function, window_steps=1, at=now
    ) or an_hour_ago in {
        totp.code_at(secret, interval=interval, hash_function=hash_function, at=now + k * interval) for k in (-1, 0, 1)
    }


@pytest.mark.parametrize(("at", "sha1", "sha256"), RFC_VECTORS[1:])  # t=59 has no three steps before it
def test_codes_in_window_agree_with_the_rfc_and_pyotp(at: int, sha1: str, sha256: str) -> None:
    for secret, hash_function, expected in ((SHA1_SECRET, "hmacsha1", sha1), (SHA256_SECRET, "hmacsha256", sha256)):
        window = list(totp.codes_in_window(secret, interval=30, hash_function=hash_function, window_steps=3, at=at))
        assert window[3] == expected[-6:]
        assert window == [
            totp.code_at(secret, interval=30, hash_function=hash_function, at=at + k * 30) for k in range(-3, 4)
        ]
