"""Static tokens: minted once, stored as hashes, verified to a principal, revocable while serving."""

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shopmcp.auth.static_tokens import StaticTokenVerifier, create_token, read_token_file, revoke_token
from shopmcp.cli import main

AUDIENCE = "http://127.0.0.1:8000/mcp"


async def test_a_created_token_verifies_to_its_principal_and_audience(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    issued = create_token(path, principal="alice", audience=AUDIENCE, scopes=["shop"])

    verified = await StaticTokenVerifier(path).verify_token(issued.token)

    assert verified is not None
    assert (verified.subject, verified.client_id, verified.resource) == ("alice", "alice", AUDIENCE)
    assert verified.scopes == ["shop"]


async def test_the_file_keeps_only_a_hash_and_only_its_owner_can_read_it(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    issued = create_token(path, principal="alice", audience=AUDIENCE)

    assert issued.token not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token_file(path).tokens[0].sha256 == json.loads(path.read_text())["tokens"][0]["sha256"]


async def test_the_verified_token_object_does_not_carry_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    issued = create_token(path, principal="alice", audience=AUDIENCE)

    verified = await StaticTokenVerifier(path).verify_token(issued.token)

    assert verified is not None
    assert issued.token not in verified.model_dump_json()


@pytest.mark.parametrize("wrong", ["smcp_unknown", "not-even-ours", ""])
async def test_an_unknown_token_is_refused(tmp_path: Path, wrong: str) -> None:
    path = tmp_path / "tokens.json"
    create_token(path, principal="alice", audience=AUDIENCE)

    assert await StaticTokenVerifier(path).verify_token(wrong) is None


async def test_an_expired_token_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    issued = create_token(
        path, principal="alice", audience=AUDIENCE, expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )

    assert await StaticTokenVerifier(path).verify_token(issued.token) is None


async def test_a_running_verifier_sees_tokens_created_and_revoked_after_it_started(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    first = create_token(path, principal="alice", audience=AUDIENCE)
    verifier = StaticTokenVerifier(path, reload_interval=0)

    second = create_token(path, principal="bob", audience=AUDIENCE)
    assert await verifier.verify_token(second.token) is not None

    assert revoke_token(path, first.entry.id)
    assert await verifier.verify_token(first.token) is None
    assert await verifier.verify_token(second.token) is not None


async def test_a_broken_file_keeps_the_tokens_in_force(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    issued = create_token(path, principal="alice", audience=AUDIENCE)
    verifier = StaticTokenVerifier(path, reload_interval=0)

    path.write_text("{ half-edited")

    assert await verifier.verify_token(issued.token) is not None


def test_token_create_prints_the_token_once_and_stores_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tokens.json"

    with pytest.raises(SystemExit) as exited:
        main(["token", "create", "--principal", "carol", "--file", str(path), "--audience", AUDIENCE])

    out, err = capsys.readouterr()
    token = out.strip()
    assert exited.value.code == 0
    assert token.startswith("smcp_")
    assert token not in err
    assert token not in path.read_text()
    entry = read_token_file(path).tokens[0]
    assert (entry.principal, entry.audience) == ("carol", AUDIENCE)


def test_token_list_and_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tokens.json"
    issued = create_token(path, principal="dave", audience=AUDIENCE)

    with pytest.raises(SystemExit):
        main(["token", "list", "--file", str(path)])
    listed = capsys.readouterr().out
    with pytest.raises(SystemExit) as revoked:
        main(["token", "revoke", issued.entry.id, "--file", str(path)])

    assert issued.entry.id in listed
    assert "dave" in listed
    assert issued.token not in listed
    assert revoked.value.code == 0
    assert read_token_file(path).tokens == []
