"""JWTs: signature, audience, issuer, expiry and subject, with each kind of key."""

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shopmcp.auth.jwt_tokens import JWTVerifier

AUDIENCE = "https://shop.test/mcp"
ISSUER = "https://issuer.test"
SECRET = "s" * 40


def _claims(**overrides: Any) -> dict[str, Any]:
    claims = {"sub": "alice", "aud": AUDIENCE, "iss": ISSUER, "exp": int(time.time()) + 300, "scope": "shop read"}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _hs_verifier(**options: Any) -> JWTVerifier:
    return JWTVerifier(audience=AUDIENCE, algorithms=[], secret=SECRET, issuer=ISSUER, **options)


async def test_a_valid_token_gives_its_subject_as_principal() -> None:
    token = jwt.encode(_claims(azp="harness"), SECRET, algorithm="HS256")

    verified = await _hs_verifier().verify_token(token)

    assert verified is not None
    assert (verified.subject, verified.client_id, verified.resource) == ("alice", "harness", AUDIENCE)
    assert verified.scopes == ["shop", "read"]
    assert verified.claims == {"iss": ISSUER}
    assert token not in verified.model_dump_json()


async def test_an_audience_list_naming_this_server_is_accepted() -> None:
    token = jwt.encode(_claims(aud=["https://other.test", AUDIENCE + "/"]), SECRET, algorithm="HS256")

    assert await _hs_verifier().verify_token(token) is not None


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "https://other.test/mcp"}, id="other-audience"),
        pytest.param({"aud": None}, id="no-audience"),
        pytest.param({"iss": "https://evil.test"}, id="other-issuer"),
        pytest.param({"iss": None}, id="no-issuer"),
        pytest.param({"exp": int(time.time()) - 120}, id="expired-beyond-leeway"),
        pytest.param({"exp": None}, id="no-expiry"),
        pytest.param({"sub": None}, id="no-subject"),
        pytest.param({"sub": " "}, id="blank-subject"),
        pytest.param({"nbf": int(time.time()) + 600}, id="not-yet-valid"),
    ],
)
async def test_a_token_not_meant_for_this_server_is_refused(overrides: dict[str, Any]) -> None:
    token = jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")

    assert await _hs_verifier().verify_token(token) is None


async def test_clock_skew_within_the_leeway_is_tolerated() -> None:
    token = jwt.encode(_claims(exp=int(time.time()) - 5), SECRET, algorithm="HS256")

    assert await _hs_verifier(leeway_seconds=30).verify_token(token) is not None


async def test_garbage_and_unsigned_tokens_are_refused() -> None:
    unsigned = jwt.encode(_claims(), "", algorithm="none")

    assert await _hs_verifier().verify_token("not.a.jwt") is None
    assert await _hs_verifier().verify_token(unsigned) is None


def _rsa_pem(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "public.pem"
    path.write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, path


async def test_rs256_tokens_verify_against_a_public_key_file(tmp_path: Path) -> None:
    private, path = _rsa_pem(tmp_path)
    verifier = JWTVerifier(audience=AUDIENCE, algorithms=[], public_key_file=path, issuer=ISSUER)

    assert await verifier.verify_token(jwt.encode(_claims(), private, algorithm="RS256")) is not None


async def test_the_public_key_cannot_be_used_as_an_hmac_secret(tmp_path: Path) -> None:
    _, path = _rsa_pem(tmp_path)
    verifier = JWTVerifier(audience=AUDIENCE, algorithms=[], public_key_file=path, issuer=ISSUER)
    # Algorithm confusion: sign with HS256, using the public key's bytes as the "secret".
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = jwt.utils.base64url_encode(json.dumps(_claims()).encode())
    import hashlib
    import hmac

    signature = hmac.new(path.read_bytes(), header + b"." + body, hashlib.sha256).digest()
    forged = (header + b"." + body + b"." + jwt.utils.base64url_encode(signature)).decode()

    assert await verifier.verify_token(forged) is None
    with pytest.raises(ValueError, match="HS"):
        JWTVerifier(audience=AUDIENCE, algorithms=["HS256"], public_key_file=path)


def _write_jwks(path: Path, keys: dict[str, ec.EllipticCurvePrivateKey]) -> None:
    entries = []
    for kid, private in keys.items():
        entry = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        entry.update({"kid": kid, "alg": "ES256", "use": "sig"})
        entries.append(entry)
    path.write_text(json.dumps({"keys": entries}))


async def test_es256_tokens_verify_against_the_jwks_key_their_kid_names(tmp_path: Path) -> None:
    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "jwks.json"
    _write_jwks(path, {"old": old, "new": new})
    verifier = JWTVerifier(audience=AUDIENCE, algorithms=[], jwks_file=path, issuer=ISSUER, reload_interval=0)

    by_new = jwt.encode(_claims(), new, algorithm="ES256", headers={"kid": "new"})
    mislabelled = jwt.encode(_claims(), new, algorithm="ES256", headers={"kid": "old"})
    unknown_kid = jwt.encode(_claims(), new, algorithm="ES256", headers={"kid": "gone"})

    assert await verifier.verify_token(by_new) is not None
    assert await verifier.verify_token(mislabelled) is None
    assert await verifier.verify_token(unknown_kid) is None


async def test_a_rotated_jwks_file_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    first, second = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "jwks.json"
    _write_jwks(path, {"k1": first})
    verifier = JWTVerifier(audience=AUDIENCE, algorithms=[], jwks_file=path, issuer=ISSUER, reload_interval=0)
    signed_by_second = jwt.encode(_claims(), second, algorithm="ES256", headers={"kid": "k2"})
    assert await verifier.verify_token(signed_by_second) is None

    _write_jwks(path, {"k2": second})

    assert await verifier.verify_token(signed_by_second) is not None


def test_exactly_one_key_source_is_required(tmp_path: Path) -> None:
    _, path = _rsa_pem(tmp_path)
    with pytest.raises(ValueError, match="exactly one"):
        JWTVerifier(audience=AUDIENCE, algorithms=[], secret=SECRET, public_key_file=path)
    with pytest.raises(ValueError, match="exactly one"):
        JWTVerifier(audience=AUDIENCE, algorithms=[])
    with pytest.raises(ValueError, match="secret"):
        JWTVerifier(audience=AUDIENCE, algorithms=["RS256"], secret=SECRET)
