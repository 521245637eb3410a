"""A login hook for rp-check: one login as an Authlib relying party, written as its
documentation shows (the ID token decoded against the JWKS with RS256 only, `iss`, `aud` and
`nonce` checked by CodeIDToken, `state` and the RFC 9207 `iss` on the callback), then userinfo
(its `sub` must be the ID token's) and a refresh (its ID token checked the same way). Exits 0
when every step was accepted, 1 when something was refused.

With DISCOVERY_URL (the RP test kit's documents of the client), the metadata is read there,
and its issuer must still be ISSUER. Every request times out after 10 s.

Usage: python rp_hook.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI [DISCOVERY_URL]
"""

import sys
import warnings
from urllib.parse import parse_qs, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

issuer, client_id, client_secret, redirect_uri = sys.argv[1:5]
discovery_url = sys.argv[5] if len(sys.argv) > 5 else issuer + "/.well-known/openid-configuration"


def verify(id_token, jwks_uri, nonce, access_token=None):
    def decode(keys):
        return JsonWebToken(["RS256"]).decode(
            id_token,
            JsonWebKey.import_key_set(keys),
            claims_cls=CodeIDToken,
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": client_id},
                "sub": {"essential": True},
                "iat": {"essential": True},
            },
            claims_params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )

    # A kid the JWKS does not have: fetch it again once (key rotation), then give up.
    try:
        claims = decode(requests.get(jwks_uri, timeout=10).json())
    except ValueError:
        claims = decode(requests.get(jwks_uri, timeout=10).json())
    claims.validate()
    return claims


def main():
    meta = requests.get(discovery_url, timeout=10).json()
    if meta["issuer"] != issuer:
        raise ValueError("discovery names another issuer")
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
    response = requests.get(url, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise ValueError(f"authorize answered {response.status_code}")
    location = response.headers["location"]
    query = parse_qs(urlparse(location).query)
    if query.get("state") != [state]:
        raise ValueError("state does not match")
    if meta.get("authorization_response_iss_parameter_supported") and query.get("iss") != [issuer]:
        raise ValueError("the RFC 9207 iss does not match")
    tokens = session.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=verifier, timeout=10
    )
    claims = verify(tokens["id_token"], meta["jwks_uri"], nonce, tokens["access_token"])
    info = session.get(meta["userinfo_endpoint"], timeout=10)
    info.raise_for_status()
    if info.json().get("sub") != claims["sub"]:
        raise ValueError("userinfo names another sub")
    renewed = session.refresh_token(meta["token_endpoint"], refresh_token=tokens["refresh_token"], timeout=10)
    again = verify(renewed["id_token"], meta["jwks_uri"], None, renewed["access_token"])
    if again["sub"] != claims["sub"]:
        raise ValueError("the refreshed ID token names another sub")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any refusal ends the login
        print(f"rp_hook (Authlib): refused: {e}", file=sys.stderr)
        sys.exit(1)
