"""Prints an OpenAPI description of the broker's OpenID endpoints, for schemathesis to fuzz:
every profile's endpoints as its discovery document names them, with the parameters each takes
(all optional strings, so good and bad requests alike are generated). A fuzz target, not a
reference. Usage: oidc_openapi.py ISSUER"""
import json
import sys
import urllib.request
from urllib.parse import urlparse

issuer = sys.argv[1].rstrip("/")
PROFILES = ["", "/op", "/idura", "/auth/open"]
AUTHORIZE = ["client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
             "code_challenge", "code_challenge_method", "prompt", "max_age", "acr_values",
             "login_hint", "claims", "request", "request_uri", "response_mode", "ui_locales",
             "id_token_hint", "display", "idp_values", "idp_params", "claims_locales"]
CLIENT_AUTH = ["client_id", "client_secret", "client_assertion_type", "client_assertion"]
STRING = {"type": "string"}
AUTH_HEADER = {"name": "Authorization", "in": "header", "required": False, "schema": STRING}


def query(names):
    return [{"name": n, "in": "query", "required": False, "schema": STRING} for n in names]


def form(names):
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": {n: STRING for n in names}}}}}


def answers(*codes):
    return {str(c): {"description": "an answer"} for c in codes}


def path_of(url):
    return urlparse(url).path


paths = {}
for prefix in PROFILES:
    with urllib.request.urlopen(f"{issuer}{prefix}/.well-known/openid-configuration") as r:
        doc = json.load(r)
    paths[path_of(doc["authorization_endpoint"])] = {
        "get": {"parameters": query(AUTHORIZE), "responses": answers(200, 302, 303, 400)},
        "post": {"requestBody": form(AUTHORIZE), "responses": answers(200, 302, 303, 400)},
    }
    paths[path_of(doc["token_endpoint"])] = {"post": {
        "parameters": [AUTH_HEADER],
        "requestBody": form(["grant_type", "code", "redirect_uri", "code_verifier",
                             "refresh_token", "scope"] + CLIENT_AUTH),
        "responses": answers(200, 400, 401)}}
    paths[path_of(doc["userinfo_endpoint"])] = {
        "get": {"parameters": [AUTH_HEADER], "responses": answers(200, 400, 401)},
        "post": {"parameters": [AUTH_HEADER], "requestBody": form(["access_token"]),
                 "responses": answers(200, 400, 401)},
    }
    if "end_session_endpoint" in doc:
        paths[path_of(doc["end_session_endpoint"])] = {"get": {
            "parameters": query(["id_token_hint", "post_logout_redirect_uri", "state",
                                 "client_id", "ui_locales", "logout_hint"]),
            "responses": answers(200, 302, 303, 400)}}
    for key in ["revocation_endpoint", "introspection_endpoint"]:
        if key in doc:
            paths[path_of(doc[key])] = {"post": {
                "parameters": [AUTH_HEADER],
                "requestBody": form(["token", "token_type_hint"] + CLIENT_AUTH),
                "responses": answers(200, 400, 401)}}
    if "pushed_authorization_request_endpoint" in doc:
        paths[path_of(doc["pushed_authorization_request_endpoint"])] = {"post": {
            "parameters": [AUTH_HEADER], "requestBody": form(AUTHORIZE + CLIENT_AUTH),
            "responses": answers(201, 400, 401)}}
    if "registration_endpoint" in doc:
        strings = {"type": "array", "items": STRING}
        paths[path_of(doc["registration_endpoint"])] = {"post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "redirect_uris": strings, "response_types": strings, "grant_types": strings,
                    "post_logout_redirect_uris": strings, "token_endpoint_auth_method": STRING,
                    "jwks_uri": STRING, "jwks": {"type": "object"},
                    "sector_identifier_uri": STRING, "subject_type": STRING,
                    "application_type": STRING, "backchannel_logout_uri": STRING,
                    "frontchannel_logout_uri": STRING, "client_name": STRING,
                    "default_max_age": {"type": "integer"},
                    "id_token_signed_response_alg": STRING,
                    "request_object_signing_alg": STRING}}}}},
            "responses": answers(201, 400)}}

json.dump({"openapi": "3.0.3",
           "info": {"title": "The broker's OpenID endpoints (a fuzz target)", "version": "1"},
           "paths": paths}, sys.stdout, indent=1)
