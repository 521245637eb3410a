//! The control API's OpenAPI 3.1 document, built from one route table that a test checks
//! against the router.

use serde_json::{json, Map, Value};

use crate::paths;

/// (method, path under /_sim/v1, summary, request body schema name or "").
pub const ROUTES: &[(&str, &str, &str, &str)] = &[
    ("get", "/openapi.json", "This document", ""),
    ("get", "/identities", "List test identities", ""),
    (
        "post",
        "/identities",
        "Create a test identity (user_id and a name at least)",
        "Identity",
    ),
    (
        "get",
        "/identities/{id}",
        "Get an identity by UUID or user ID",
        "",
    ),
    (
        "patch",
        "/identities/{id}",
        "Update an identity (JSON merge patch)",
        "Identity",
    ),
    ("delete", "/identities/{id}", "Delete an identity", ""),
    (
        "get",
        "/fidelity",
        "The fidelity ledger: every known difference of each profile from its real broker (?profile=neb|idura|signicat)",
        "",
    ),
    ("get", "/fidelity/{id}", "One ledger entry", ""),
    ("get", "/clients", "List registered clients", ""),
    (
        "post",
        "/clients",
        "Register a client; a generated secret is returned once",
        "Client",
    ),
    ("get", "/clients/{id}", "Get a client", ""),
    ("delete", "/clients/{id}", "Delete a client", ""),
    ("get", "/logins", "List pending logins", ""),
    ("get", "/logins/{id}", "Get a login", ""),
    (
        "post",
        "/logins/{id}/approve",
        "Approve a pending login as an identity (409 if already settled)",
        "Approve",
    ),
    (
        "post",
        "/logins/{id}/reject",
        "Reject (cancel) a pending login (409 if already settled)",
        "Reject",
    ),
    (
        "get",
        "/logins/{id}/explain",
        "Which source on the decision ladder settled the login",
        "",
    ),
    ("get", "/decisions", "List queued decisions", ""),
    (
        "post",
        "/decisions",
        "Queue a decision for the next matching login",
        "Decision",
    ),
    ("delete", "/decisions", "Clear queued decisions", ""),
    (
        "delete",
        "/decisions/{id}",
        "Remove a queued decision no login has taken (404 once taken)",
        "",
    ),
    (
        "get",
        "/faults",
        "The RP test kit's faults: name, OIDF module, stage, what it changes, what a correct RP does",
        "",
    ),
    (
        "post",
        "/faults",
        "Queue a fault for a client's next responses at its stage",
        "FaultRequest",
    ),
    ("get", "/faults/queued", "List queued faults", ""),
    (
        "delete",
        "/faults/queued",
        "Clear queued faults (all, or ?client_id= one client's)",
        "",
    ),
    ("delete", "/faults/queued/{id}", "Remove one queued fault", ""),
    (
        "get",
        "/clients/{id}/report",
        "What the broker saw the client do per recent login (PKCE, state, nonce, calls after a fault) and a verdict per fault",
        "",
    ),
    (
        "get",
        "/requests",
        "The request log: the latest requests to the OpenID Provider endpoints, newest first, secrets redacted, ID tokens decoded (?client_id=, ?login= a login id, ?limit= 1-1000, default 100)",
        "",
    ),
    ("get", "/clock", "Read the broker's clock", ""),
    (
        "post",
        "/clock/advance",
        "Move a controllable clock forward",
        "Advance",
    ),
    ("get", "/keys", "List signing keys, newest first", ""),
    (
        "post",
        "/keys/rotate",
        "Rotate the signing key (rsa by default); the old key stays published",
        "Rotate",
    ),
    ("delete", "/keys/{kid}", "Stop publishing a retired key", ""),
    (
        "post",
        "/reset",
        "Clear logins, codes, tokens, sessions, queued decisions, device state and the request log",
        "",
    ),
    (
        "get",
        "/identities/{id}/app/requests",
        "Act as the identity's MitID app: the logins waiting for it",
        "",
    ),
    (
        "post",
        "/identities/{id}/app/requests/{login}/approve",
        "Approve in the app, with the 4-digit code the login page shows (checked) or without",
        "AppApprove",
    ),
    (
        "post",
        "/identities/{id}/app/requests/{login}/reject",
        "Reject in the app: the client gets mitid_user_aborted",
        "",
    ),
    (
        "get",
        "/identities/{id}/chip/requests",
        "Logins waiting for the identity's MitID chip",
        "",
    ),
    (
        "post",
        "/identities/{id}/chip/requests/{login}/touch",
        "Touch the chip for a login waiting for it",
        "",
    ),
    (
        "get",
        "/identities/{id}/devices",
        "Wrong attempts and blocks per device, key-card codes left",
        "",
    ),
    (
        "post",
        "/identities/{id}/devices/{device}/block",
        "Block a device (app, code_viewer, code_reader, chip, password, key_card)",
        "Block",
    ),
    (
        "post",
        "/identities/{id}/devices/{device}/unblock",
        "Lift a device's block and forget its wrong attempts",
        "",
    ),
    (
        "get",
        "/identities/{id}/key-card",
        "The identity's NemID key card: every key number, its code, and whether it is spent",
        "",
    ),
    (
        "get",
        "/onboardings/documents",
        "The specimen documents an onboarding can start with (some faulty on purpose)",
        "",
    ),
    (
        "post",
        "/onboardings",
        "Start getting MitID in the app with a document: {\"document\": key} or {seed, format, fault}",
        "OnboardingStart",
    ),
    ("get", "/onboardings/{id}", "An onboarding's step and data", ""),
    (
        "delete",
        "/onboardings/{id}",
        "Give up: the onboarding ends and nothing is created",
        "",
    ),
    (
        "post",
        "/onboardings/{id}/mrz",
        "Step 1: the MRZ as scanned (422 names the wrong field)",
        "OnboardingMrz",
    ),
    (
        "post",
        "/onboardings/{id}/chip",
        "Step 2: read the chip (BAC from the scanned MRZ, passive authentication)",
        "",
    ),
    (
        "post",
        "/onboardings/{id}/face",
        "Step 3: the selfie, compared with the chip's photo",
        "OnboardingFace",
    ),
    (
        "post",
        "/onboardings/{id}/liveness",
        "Step 3: the liveness check",
        "OnboardingLiveness",
    ),
    (
        "post",
        "/onboardings/{id}/personal",
        "Step 4: the CPR number (a replacement number agreeing with the document), or null",
        "OnboardingPersonal",
    ),
    (
        "post",
        "/onboardings/{id}/user-id",
        "Step 5: the user ID and the phone number the temporary PIN is sent to",
        "OnboardingUserId",
    ),
    (
        "post",
        "/onboardings/{id}/temporary-pin",
        "Step 5: the temporary PIN from the SMS (see /outbox)",
        "OnboardingPin",
    ),
    (
        "post",
        "/onboardings/{id}/pin",
        "Step 5: the personal PIN; creates the identity (IAL high, app enrolled at high)",
        "OnboardingPin",
    ),
    (
        "get",
        "/outbox",
        "The simulated SMS and letters, newest first (?channel=sms|letter&to=...)",
        "",
    ),
    (
        "get",
        "/code-devices/{serial}",
        "A code viewer's or code reader's current code and seconds left",
        "",
    ),
    (
        "post",
        "/identities/{id}/code-viewers",
        "Order a code viewer (or code reader): it waits for activation; the letter with the activation code goes to the outbox",
        "OrderCodeDevice",
    ),
    (
        "post",
        "/code-devices/{serial}/activate",
        "Activate a code viewer or code reader with the code from the letter (422 wrong, 423 blocked after three)",
        "Activate",
    ),
    (
        "post",
        "/identities/{id}/app/order",
        "A new app for the identity: it waits for activation; the letter with the activation code goes to the outbox",
        "",
    ),
    (
        "post",
        "/identities/{id}/app/activate",
        "Activate the identity's app with the code from the letter (422 wrong, 423 blocked after three)",
        "Activate",
    ),
    (
        "get",
        "/citizen-service/register/{cpr}",
        "A fictitious person in the simulated CPR register (replacement numbers only)",
        "",
    ),
    (
        "post",
        "/citizen-service/cases",
        "Citizen Service: look a person up by CPR and open a case",
        "OpenCase",
    ),
    (
        "get",
        "/citizen-service/cases/{case}",
        "A Citizen Service case: its step and control questions",
        "",
    ),
    (
        "post",
        "/citizen-service/cases/{case}/document",
        "Record the identity document shown (expired: 422) or a witness",
        "CaseEvidence",
    ),
    (
        "post",
        "/citizen-service/cases/{case}/answers",
        "Record the answers to the control questions (two wrong end the case: 422 case_failed)",
        "CaseAnswers",
    ),
    (
        "post",
        "/citizen-service/cases/{case}/complete",
        "Create the identity with the chosen user ID, authenticator (waiting for activation) and password; sends the activation letter",
        "CaseComplete",
    ),
];

fn schemas() -> Value {
    json!({
        "Identity": {
            "type": "object",
            "required": ["user_id"],
            "properties": {
                "id": {"type": "string", "description": "UUID; generated when omitted"},
                "user_id": {"type": "string"},
                "given_name": {"type": "string"},
                "family_name": {"type": "string"},
                "birthdate": {"type": "string", "format": "date"},
                "email": {"type": "string"},
                "email_verified": {"type": "boolean"},
                "phone_number": {"type": "string"},
                "phone_number_verified": {"type": "boolean"},
                "address": {"type": "object"},
                "reaches": {"enum": ["low", "substantial", "high", null], "readOnly": true, "description": "the highest level a login reaches: min(ial, the best aal of the authenticators)"},
                "cpr": {"type": "string", "description": "DDMMYY-SSSS (hyphen optional); must match birthdate"},
                "ial": {"enum": ["low", "substantial", "high"], "description": "default substantial"},
                "status": {"enum": ["active", "suspended", "revoked"]},
                "name_address_protected": {"type": "boolean"},
                "cpr_status": {"enum": ["active", "emigrated", "deceased", "missing", "cancelled"]},
                "authenticators": {
                    "type": "array",
                    "description": "default [{\"kind\": \"app\"}]; the level reached is min(ial, the best aal of these)",
                    "items": {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {
                            "kind": {"enum": ["app", "code_viewer", "code_reader", "chip", "password"]},
                            "enrolled_at_high": {"type": "boolean", "description": "app only"},
                            "serial": {"type": "string", "description": "code_viewer, code_reader, chip"},
                            "pending_activation": {"type": "object", "description": "app, code_viewer, code_reader: waiting for the activation code from the letter (code_hash, failures, blocked, issued_at); absent once activated"},
                            "hash": {"type": "string", "description": "password only: an Argon2 PHC string"}
                        }
                    }
                },
                "business": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["cvr", "organisation_name", "role", "professional_uuid"],
                        "properties": {
                            "cvr": {"type": "string"},
                            "organisation_name": {"type": "string"},
                            "role": {"enum": ["employee", "signatory"]},
                            "rid": {"type": "string"},
                            "professional_uuid": {"type": "string"}
                        }
                    }
                },
                "nemid": {
                    "type": "object",
                    "required": ["pid"],
                    "properties": {"pid": {"type": "string"}, "key_card_seed": {"type": "integer"}}
                },
                "rule": {"enum": ["always_cancels", "always_approves", "locked", "app_times_out", "wrong_code", null]}
            }
        },
        "Client": {
            "type": "object",
            "required": ["client_id", "redirect_uris"],
            "properties": {
                "client_id": {"type": "string"},
                "name": {"type": "string"},
                "client_secret": {"type": "string"},
                "redirect_uris": {"type": "array", "items": {"type": "string"}},
                "post_logout_redirect_uris": {"type": "array", "items": {"type": "string"}},
                "token_endpoint_auth_method": {"enum": ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]},
                "require_pkce": {"type": "boolean"},
                "private_service": {"type": "boolean", "description": "a private service: dk.cpr only after the person's CPR match"},
                "id_token_signed_response_alg": {"enum": ["RS256", "PS256", "ES256"]},
                "subject_type": {"enum": ["public", "pairwise"]},
                "sector_identifier": {"type": "string"},
                "jwks": {"type": "object", "description": "public keys (JWK Set) for private_key_jwt and signed request objects"},
                "jwks_uri": {"type": "string"},
                "token_endpoint_auth_signing_alg": {"enum": ["HS256", "RS256", "PS256", "ES256"]},
                "request_object_signing_alg": {"enum": ["none", "RS256", "PS256", "ES256"]},
                "userinfo_signed_response_alg": {"enum": ["RS256", "PS256", "ES256"], "description": "sign userinfo responses (application/jwt with iss and aud)"},
                "default_max_age": {"type": "integer", "minimum": 0, "description": "max_age for requests without one"},
                "default_acr_values": {"type": "array", "items": {"type": "string"}, "description": "level URIs for requests without acr_values"}
            }
        },
        "Approve": {"type": "object", "properties": {"user_id": {"type": "string"}, "business": {"type": "string", "description": "a login that asks for MitID Erhverv: the business identity chosen (professional UUID or CVR number) or private; default the person's first"}}},
        "Reject": {"type": "object", "properties": {"description": {"type": "string"}}},
        "AppApprove": {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[0-9]{4}$", "description": "the code the login page shows; omit to approve without the check"}}},
        "OnboardingStart": {"type": "object", "properties": {"document": {"type": "string"}, "seed": {"type": "integer"}, "format": {"enum": ["Td1", "Td3"]}, "fault": {}}},
        "OnboardingMrz": {"type": "object", "required": ["mrz"], "properties": {"mrz": {"type": "string"}}},
        "OnboardingFace": {"type": "object", "properties": {"selfie": {"type": "string"}, "image_base64": {"type": "string"}}},
        "OnboardingLiveness": {"type": "object", "required": ["behaviour"], "properties": {"behaviour": {"enum": ["follows", "still_photo", "wrong_direction", "swaps_face"]}}},
        "OnboardingPersonal": {"type": "object", "properties": {"cpr": {"type": ["string", "null"]}}},
        "OnboardingUserId": {"type": "object", "required": ["user_id", "phone"], "properties": {"user_id": {"type": "string"}, "phone": {"type": "string"}}},
        "OnboardingPin": {"type": "object", "required": ["pin"], "properties": {"pin": {"type": "string"}, "confirm": {"type": "string"}}},
        "Block": {"type": "object", "properties": {"seconds": {"type": "integer", "minimum": 1, "description": "default: the configured lockout length"}}},
        "Decision": {
            "type": "object",
            "required": ["outcome"],
            "properties": {
                "outcome": {"enum": ["approve", "reject"]},
                "user_id": {"type": "string", "description": "approve: log in as this identity"},
                "business": {"type": "string", "description": "approve, for a login that asks for MitID Erhverv: the business identity chosen (professional UUID or CVR number) or private; default the person's first"},
                "description": {"type": "string", "description": "reject: error_description"},
                "client_id": {"type": "string", "description": "only for logins of this client"},
                "for_user_id": {"type": "string", "description": "only for logins whose login_hint names this user ID"}
            }
        },
        "FaultRequest": {
            "type": "object",
            "required": ["fault", "client_id"],
            "properties": {
                "fault": {"type": "string", "description": "a name from GET /faults, e.g. invalid-iss"},
                "client_id": {"type": "string"},
                "count": {"type": "integer", "minimum": 1, "maximum": 100, "description": "responses to carry it; default 1"}
            }
        },
        "Advance": {"type": "object", "required": ["seconds"], "properties": {"seconds": {"type": "integer", "minimum": 1}}},
        "Rotate": {"type": "object", "properties": {"kind": {"enum": ["rsa", "ec"]}}},
        "OrderCodeDevice": {"type": "object", "properties": {"kind": {"enum": ["code_viewer", "code_reader"], "description": "default code_viewer"}}},
        "Activate": {"type": "object", "required": ["activation_code"], "properties": {"activation_code": {"type": "string", "description": "from the letter, e.g. ABCD-EFGH (case, spaces and hyphens ignored)"}}},
        "OpenCase": {"type": "object", "required": ["cpr"], "properties": {"cpr": {"type": "string", "description": "a replacement number (day of month + 60) without a MitID"}}},
        "CaseEvidence": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"enum": ["passport", "driving_licence", "national_id", "witness"]},
                "number": {"type": "string", "description": "document: 5-20 letters or digits"},
                "expiry": {"type": "string", "format": "date", "description": "document: not before today"},
                "user_id": {"type": "string", "description": "witness: the user ID of a person with an active MitID"}
            }
        },
        "CaseAnswers": {"type": "object", "required": ["answers"], "properties": {"answers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "question id (mother_given_name, father_given_name, postal_code, birth_date, place_of_birth) -> answer"}}},
        "CaseComplete": {
            "type": "object",
            "required": ["user_id", "authenticator", "password"],
            "properties": {
                "user_id": {"type": "string", "description": "6-64 letters or digits, unique"},
                "authenticator": {"enum": ["app", "code_viewer", "code_reader"]},
                "password": {"type": "string", "description": "at least 8 characters; stored as an Argon2 hash"}
            }
        },
        "Error": {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
    })
}

pub fn document() -> Value {
    let mut path_items = Map::new();
    for (method, path, summary, body) in ROUTES {
        let mut op = json!({
            "summary": summary,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "4XX": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if let Value::Object(op) = &mut op {
            let params: Vec<Value> = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
                .collect();
            if !params.is_empty() {
                op.insert("parameters".into(), Value::Array(params));
            }
            if !body.is_empty() {
                op.insert(
                    "requestBody".into(),
                    json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}}),
                );
            }
        }
        let item = path_items
            .entry(format!("{}{}", paths::CONTROL, path))
            .or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            item.insert(method.to_string(), op);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Simulated identity broker: control API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "For tests and tools. No authentication: never expose it to a network."
        },
        "paths": path_items,
        "components": {"schemas": schemas()}
    })
}
