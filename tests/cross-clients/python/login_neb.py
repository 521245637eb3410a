"""A relying party written from NEB's documentation, with Authlib, against the `neb` issuer.

NEB's scopes, idp_values and idp_params; the ID token verified against the JWKS with explicit
`iss` and `aud`; NEB's claims and their JSON types (issued-claims-tokens.md); userinfo where every
value is a string; the bare token error envelope; logout with id_token_hint.

Usage: python login_neb.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_URI
"""

import base64
import json
import re
import sys
import traceback
import warnings
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

issuer, client_id, client_secret, redirect_uri, post_logout_uri = sys.argv[1:6]
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
results = []


def step(name, fn):
    try:
        value = fn()
        results.append((name, True, ""))
        return value
    except Exception:  # noqa: BLE001 - every failure is reported, then the run fails
        results.append((name, False, traceback.format_exc()))
        raise


def main():
    meta = step("neb discovery", lambda: requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json())
    assert meta["issuer"] == issuer and "scopes_supported" not in meta, meta
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())

    session = OAuth2Session(
        client_id,
        client_secret,
        scope="openid mitid ssn",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    nonce = generate_token(20)
    idp_params = {"mitid": {"loa_value": "substantial", "reference_text": base64.b64encode("Log på".encode()).decode()}}
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"],
        nonce=nonce,
        code_verifier=verifier,
        idp_values="mitid",
        idp_params=json.dumps(idp_params),
    )

    def authorize():
        r = requests.get(url, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.status_code
        location = r.headers["Location"]
        assert location.startswith(redirect_uri), location
        assert parse_qs(urlparse(location).query)["state"] == [state], "state differs"
        return location

    location = step("authorize with idp_values and idp_params", authorize)
    token = step(
        "code exchange",
        lambda: session.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier),
    )

    def id_token():
        claims = JsonWebToken(["RS256"]).decode(
            token["id_token"],
            jwks,
            claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}},
            claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
        )
        claims.validate()
        assert GUID.match(claims["sub"]) and claims["sid"] == claims["neb_sid"], claims
        assert isinstance(claims["session_expiry"], str) and claims["idtoken_type"] == "strict", claims
        assert claims["subject_type"] == "org_mapped" and claims["exp"] - claims["iat"] == 300, claims
        return claims

    claims = step("ID token verified (signature, iss, aud, exp, nonce, at_hash) with NEB's claims", id_token)

    def userinfo():
        info = session.get(meta["userinfo_endpoint"], timeout=10).json()
        assert info["sub"] == claims["sub"], info
        assert all(isinstance(v, str) for v in info.values()), info
        assert info["mitid.has_cpr"] == "true" and info["session_is_active"] == "true", info

    step("userinfo: every value a string", userinfo)

    def bare_token_error():
        r = requests.post(
            meta["token_endpoint"],
            data={"grant_type": "authorization_code", "code": "nope", "redirect_uri": redirect_uri},
            auth=(client_id, client_secret),
            timeout=10,
        )
        assert r.status_code == 400 and r.json() == {"error": "invalid_grant"}, (r.status_code, r.text)

    step("a bad code gets NEB's bare error", bare_token_error)

    def logout():
        query = urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": post_logout_uri, "state": "bye"})
        r = requests.get(meta["end_session_endpoint"] + "?" + query, allow_redirects=False, timeout=10)
        assert r.status_code == 302 and r.headers["Location"].startswith(post_logout_uri), (r.status_code, r.headers)

    step("RP-initiated logout with id_token_hint", logout)


try:
    main()
except Exception:  # noqa: BLE001
    pass
for name, ok, error in results:
    print(f"python authlib (neb): {'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else "\n" + error))
sys.exit(0 if results and all(ok for _, ok, _ in results) and len(results) == 7 else 1)
