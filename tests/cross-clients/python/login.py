"""An independent relying party: Authlib with explicit checks, against the broker.

Discovery, code flow with PKCE S256 + state + nonce, the ID token verified against the JWKS with
explicit `iss` and `aud`, `state` and the RFC 9207 `iss` checked on the callback, userinfo,
refresh, RP-initiated logout.

Usage: python login.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_URI
"""

import sys
import traceback
import warnings
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
# authlib.jose announces its successor (joserfc) on import; the API used here is stable in 1.x.
warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

issuer, client_id, client_secret, redirect_uri, post_logout_uri = sys.argv[1:6]
results = []


def step(name, fn):
    try:
        value = fn()
        results.append((name, True, ""))
        return value
    except Exception:  # noqa: BLE001 - every failure is reported, then the run fails
        results.append((name, False, traceback.format_exc()))
        raise


def verify_id_token(id_token, jwks, nonce, access_token=None):
    claims = JsonWebToken(["RS256"]).decode(
        id_token,
        jwks,
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": client_id},
        },
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    claims.validate()
    return claims


def main():
    meta = step("discovery", lambda: requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json())
    assert meta["issuer"] == issuer, meta["issuer"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())

    session = OAuth2Session(
        client_id,
        client_secret,
        scope="openid profile offline_access",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], nonce=nonce, code_verifier=verifier)

    def authorize():
        r = requests.get(url, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.status_code
        location = r.headers["Location"]
        query = parse_qs(urlparse(location).query)
        assert location.startswith(redirect_uri), location
        assert query["state"] == [state], "state differs"
        assert query["iss"] == [issuer], "RFC 9207 iss differs"
        return location

    location = step("authorize (302; state and RFC 9207 iss checked)", authorize)
    token = step(
        "code exchange",
        lambda: session.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier),
    )
    claims = step(
        "ID token verified (signature via JWKS, iss, aud, exp, nonce, at_hash)",
        lambda: verify_id_token(token["id_token"], jwks, nonce, token["access_token"]),
    )

    def userinfo():
        info = session.get(meta["userinfo_endpoint"], timeout=10).json()
        assert info["sub"] == claims["sub"], info
        assert info.get("name"), info

    step("userinfo", userinfo)

    def refresh():
        renewed = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
        assert renewed["refresh_token"] != token["refresh_token"], "refresh token not rotated"
        again = JsonWebToken(["RS256"]).decode(renewed["id_token"], jwks)
        assert again["sub"] == claims["sub"] and again["auth_time"] == claims["auth_time"]

    step("refresh (rotated, same sub and auth_time)", refresh)

    def tampered_signature_refused():
        head, body, sig = token["id_token"].split(".")
        forged = ".".join([head, body, sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")])
        try:
            verify_id_token(forged, jwks, nonce)
        except Exception:  # noqa: BLE001 - any refusal is the expected outcome
            return
        raise AssertionError("a forged signature verified")

    step("a forged ID token signature is refused", tampered_signature_refused)

    def logout():
        query = urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": post_logout_uri, "state": "bye"})
        r = requests.get(meta["end_session_endpoint"] + "?" + query, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.status_code
        back = r.headers["Location"]
        assert back.startswith(post_logout_uri) and parse_qs(urlparse(back).query)["state"] == ["bye"], back

    step("RP-initiated logout", logout)


try:
    main()
except Exception:  # noqa: BLE001
    pass
for name, ok, error in results:
    print(f"python authlib: {'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else "\n" + error))
sys.exit(0 if results and all(ok for _, ok, _ in results) and len(results) == 8 else 1)
