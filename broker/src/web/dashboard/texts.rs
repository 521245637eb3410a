//! The dashboard's words in English and Danish, side by side: one struct, two instances, so a
//! missing translation is a compile error, not a blank on a page.

macro_rules! texts {
    ($($name:ident: $en:expr, $da:expr;)*) => {
        pub struct DashTexts {
            pub lang: &'static str,
            pub other_lang: &'static str,
            pub other_lang_name: &'static str,
            $(pub $name: &'static str,)*
        }
        pub static EN: DashTexts = DashTexts {
            lang: "en",
            other_lang: "da",
            other_lang_name: "Dansk",
            $($name: $en,)*
        };
        pub static DA: DashTexts = DashTexts {
            lang: "da",
            other_lang: "en",
            other_lang_name: "English",
            $($name: $da,)*
        };
    };
}

texts! {
    dashboard: "Simulator dashboard", "Simulatorens kontrolpanel";
    nav_logins: "Logins", "Logins";
    nav_requests: "Requests", "Forespørgsler";
    nav_identities: "Identities", "Identiteter";
    nav_clients: "Clients", "Klienter";
    nav_keys: "Keys", "Nøgler";
    nav_queue: "Decisions and faults", "Afgørelser og fejl";
    nav_outbox: "Outbox", "Udbakke";
    nav_instance: "Clock and reset", "Ur og nulstilling";
    done: "Done", "Udført";
    back: "Back", "Tilbage";
    none: "none", "ingen";
    yes: "yes", "ja";
    no: "no", "nej";
    save: "Save", "Gem";
    create: "Create", "Opret";
    delete: "Delete", "Slet";
    remove: "Remove", "Fjern";
    clear: "Clear", "Ryd";
    error_title: "That did not work", "Det lykkedes ikke";
    stale_form: "The form is stale or was not sent from the dashboard; reload the page and try again.", "Formularen er forældet eller blev ikke sendt fra kontrolpanelet. Genindlæs siden, og prøv igen.";
    // Logins
    latest_logins: "Latest logins", "Seneste logins";
    live_help: "The list follows the logins as they happen (server-sent events).", "Listen følger med, mens der logges på (server-sent events).";
    live_on: "live", "live";
    live_off: "not live: reload the page", "ikke live: genindlæs siden";
    no_logins: "No logins yet. Start one from a client: it shows here at once.", "Ingen logins endnu. Start et fra en klient: det vises her med det samme.";
    col_login: "Login", "Login";
    col_client: "Client", "Klient";
    col_profile: "Profile", "Profil";
    col_person: "Person", "Person";
    col_level: "Level", "Niveau";
    col_status: "Status", "Status";
    col_decided_by: "Decided by", "Afgjort af";
    col_age: "Age", "Alder";
    col_actions: "Decide", "Afgør";
    approve_as: "Approve as", "Godkend som";
    approve: "Approve", "Godkend";
    reject: "Reject", "Afvis";
    status_pending: "pending", "venter";
    status_approved: "approved", "godkendt";
    status_rejected: "rejected", "afvist";
    status_expired: "expired", "udløbet";
    // One login
    login_title: "Login", "Login";
    timeline: "Timeline", "Forløb";
    request: "The authorization request", "Autorisationsanmodningen";
    request_help: "As the broker understood it after its checks; secrets are not shown.", "Som brokeren forstod den efter sine kontroller; hemmeligheder vises ikke.";
    screens: "The screens", "Skærmbillederne";
    screens_help: "Each screen the person moved to, in order, on the broker's clock; then where the login stands: the way of logging in and the authenticators proved.", "Hvert skærmbillede, personen kom til, i rækkefølge, efter brokerens ur; derefter hvor loginnet står: måden at logge på og de beviste identifikationsmidler.";
    screens_none: "No person went through the screens: a source on the ladder decided without them.", "Ingen person gik gennem skærmbillederne: en kilde på stigen afgjorde uden dem.";
    last_screen: "Last screen", "Sidste skærmbillede";
    method: "Way of logging in", "Måde at logge på";
    used: "Authenticators proved", "Beviste identifikationsmidler";
    decision: "The decision", "Afgørelsen";
    ladder: "The decision ladder", "Afgørelsesstigen";
    ladder_help: "The first source with an opinion decides; the one that did is marked.", "Den første kilde med en mening afgør; den, der gjorde, er markeret.";
    decided_here: "decided", "afgjorde";
    required_level: "Required level", "Krævet niveau";
    authenticated: "How the person logged in", "Hvordan personen loggede på";
    simulated: "simulated (no person went through the screens)", "simuleret (ingen person gik gennem skærmbillederne)";
    refused: "Refused with", "Afvist med";
    faults_carried: "RP test kit faults its responses carried", "Fejl fra RP-testsættet i svarene";
    answer: "The answer to the client", "Svaret til klienten";
    answer_none: "Nothing has gone back to the client yet.", "Intet er sendt tilbage til klienten endnu.";
    answered_at_once: "Decided as the request came in: the broker answered it at once (that answer is not kept). An approval sends a code; a refusal, an error.", "Afgjort, da anmodningen kom: brokeren svarede med det samme (svaret gemmes ikke). En godkendelse sender en kode, en afvisning en fejl.";
    code_issued: "An authorization code was issued (shown only as redacted).", "Der blev udstedt en autorisationskode (vises kun skjult).";
    calls: "The client's calls after the login", "Klientens kald efter loginnet";
    calls_help: "What the broker saw the client do with this login's code and tokens.", "Hvad brokeren så klienten gøre med loginnets kode og tokens.";
    calls_none: "The client has not called the broker about this login yet.", "Klienten har ikke kaldt brokeren om dette login endnu.";
    latest_requests: "The latest requests to the OpenID endpoints", "De seneste forespørgsler til OpenID-endpointene";
    latest_requests_help: "The request log, newest first: parameters with secrets redacted, the answer, the login each belongs to, decoded tokens.", "Forespørgselsloggen, nyeste først: parametre med hemmeligheder skjult, svaret, det login, hver hører til, afkodede tokens.";
    filter: "Filter", "Filtrér";
    no_requests: "No request matches.", "Ingen forespørgsel passer.";
    authorization_scheme: "Authorization", "Authorization";
    redirect: "Redirect", "Omdirigering";
    requests: "The requests of this login", "Loginnets forespørgsler";
    requests_help: "From the request log: every call to the OpenID endpoints that belongs to this login, oldest first; secrets redacted.", "Fra forespørgselsloggen: hvert kald til OpenID-endpointene, der hører til loginnet, ældste først; hemmeligheder skjult.";
    requests_none: "The request log has nothing for this login (it may have been reset, or logging is off).", "Forespørgselsloggen har intet om dette login (den kan være nulstillet, eller logningen er slået fra).";
    id_token: "ID token (decoded, signature not shown)", "ID-token (afkodet, signaturen vises ikke)";
    access_token: "Access token (a JWT, decoded)", "Adgangstoken (en JWT, afkodet)";
    header: "Header", "Header";
    claims: "Claims", "Claims";
    client_checks: "What the client must check", "Hvad klienten skal kontrollere";
    answer_body: "Answer", "Svar";
    duration: "Time", "Tid";
    check_alg: "The algorithm the client expects (registered id_token_signed_response_alg, RS256 by default); never none.", "Den algoritme, klienten forventer (registreret id_token_signed_response_alg, som standard RS256); aldrig none.";
    check_kid: "Selects the key in the issuer's JWKS; an unknown kid means fetching the JWKS again (a rotation), not trusting the token.", "Vælger nøglen i udstederens JWKS; et ukendt kid betyder, at JWKS hentes igen (en rotation), ikke at tokenet stoles på.";
    check_typ: "An access token as a JWT says at+jwt (RFC 9068); it must not be taken for an ID token.", "Et adgangstoken som JWT siger at+jwt (RFC 9068); det må ikke forveksles med et ID-token.";
    check_typ_id: "An ID token's type, when present, is JWT; a token typed at+jwt is an access token and is no ID token.", "Et ID-tokens type er, når den er med, JWT; et token af typen at+jwt er et adgangstoken og intet ID-token.";
    check_iss: "Must equal the issuer from discovery exactly (OIDC Core 3.1.3.7).", "Skal være præcis udstederen fra discovery (OIDC Core 3.1.3.7).";
    check_aud: "Must contain the client's own client_id; with more than one audience, azp must be present.", "Skal indeholde klientens eget client_id; med flere modtagere skal azp være med.";
    check_azp: "When present, must be the client's own client_id.", "Skal, når det er med, være klientens eget client_id.";
    check_exp: "The token is refused after this time (allow a little clock skew).", "Tokenet afvises efter dette tidspunkt (tillad en smule urforskel).";
    check_iat: "When it was issued: a token from far in the past or the future is refused.", "Hvornår det blev udstedt: et token fra langt tilbage eller ude i fremtiden afvises.";
    check_nbf: "Not to be accepted before this time.", "Må ikke godtages før dette tidspunkt.";
    check_nonce: "Must equal the nonce the client sent in this login's authorization request (replay protection).", "Skal være den nonce, klienten sendte i dette logins autorisationsanmodning (beskyttelse mod genafspilning).";
    check_acr: "The level reached: the client checks it is at least the level it needs (acr_values asks, it does not guarantee).", "Det opnåede niveau: klienten kontrollerer, at det mindst er det niveau, den har brug for (acr_values beder om det, men garanterer det ikke).";
    check_amr: "How the person logged in; a client may require a particular authenticator.", "Hvordan personen loggede på; en klient kan kræve et bestemt identifikationsmiddel.";
    check_auth_time: "When the person logged in: check it against max_age when the client sent one.", "Hvornår personen loggede på: kontrollér det mod max_age, når klienten sendte en.";
    check_at_hash: "Half the SHA-256 of the access token, base64url: must match the access token received with it.", "Halvdelen af SHA-256 af adgangstokenet, base64url: skal passe til det adgangstoken, der fulgte med.";
    check_c_hash: "Half the SHA-256 of the code, base64url: must match the code (hybrid flow).", "Halvdelen af SHA-256 af koden, base64url: skal passe til koden (hybrid flow).";
    check_sub: "The person at this broker for this client; the same person keeps it. Key your users by iss + sub, never by name or e-mail.", "Personen hos denne broker for denne klient; samme person beholder det. Nøgl brugere på iss + sub, aldrig på navn eller e-mail.";
    check_sid: "The broker session: keep it to match a logout (front- or back-channel) to this login.", "Brokerens session: gem den for at kunne knytte et logout (front- eller back-channel) til dette login.";
    check_scope: "The scopes granted: may be fewer than asked for.", "De tildelte scopes: kan være færre end dem, der blev bedt om.";
    check_client_id: "The client the token was issued to: a resource server checks it is one it serves.", "Den klient, tokenet blev udstedt til: en ressourceserver kontrollerer, at det er en, den betjener.";
    // Identities
    search: "Search", "Søg";
    search_help: "user ID, name, CPR number or UUID", "bruger-ID, navn, CPR-nummer eller UUID";
    new_identity: "New identity", "Ny identitet";
    edit_identity: "Edit identity", "Rediger identitet";
    user_id: "User ID", "Bruger-ID";
    name: "Name", "Navn";
    given_name: "Given name", "Fornavn";
    family_name: "Family name", "Efternavn";
    cpr: "CPR number", "CPR-nummer";
    birthdate: "Date of birth (YYYY-MM-DD)", "Fødselsdato (ÅÅÅÅ-MM-DD)";
    ial: "Identity assurance (ial)", "Identitetssikring (ial)";
    identity_status: "MitID status", "MitID-status";
    reaches: "Reaches", "Når";
    email: "E-mail", "E-mail";
    phone: "Phone", "Telefon";
    protected: "Name and address protection", "Navne- og adressebeskyttelse";
    password: "Password", "Adgangskode";
    password_help: "Leave empty to keep the password as it is; it is stored only as a hash.", "Lad feltet stå tomt for at beholde adgangskoden; den gemmes kun som hash.";
    authenticators: "Authenticators", "Identifikationsmidler";
    auth_app: "MitID app", "MitID-app";
    auth_app_high: "MitID app enrolled at high", "MitID-app registreret på høj";
    auth_code_viewer: "Code viewer", "Kodeviser";
    auth_code_reader: "Code reader", "Kodeoplæser";
    auth_chip: "Chip", "Chip";
    auth_password: "Password", "Adgangskode";
    pending_activation: "waiting for activation", "venter på aktivering";
    in_use: "in use", "i brug";
    rule: "Rule", "Regel";
    rule_help: "A rule settles every login of this person (ladder step 4).", "En regel afgør hvert login for personen (stigens trin 4).";
    no_rule: "no rule", "ingen regel";
    set_rule: "Set rule", "Sæt regel";
    devices: "Devices", "Enheder";
    device: "Device", "Enhed";
    failures: "Wrong attempts", "Forkerte forsøg";
    blocked_until: "Blocked until", "Spærret til";
    block: "Block", "Spær";
    unblock: "Unblock", "Ophæv spærring";
    seconds: "seconds", "sekunder";
    device_pages: "Device pages", "Enhedssider";
    business: "MitID Erhverv identities", "MitID Erhverv-identiteter";
    nemid: "NemID", "NemID";
    claims_per_profile: "Claims per profile", "Claims pr. profil";
    claims_help: "What userinfo answers a client of each profile that asks for every scope, for a login at the level this person reaches.", "Hvad userinfo svarer en klient af hver profil, der beder om alle scopes, for et login på det niveau, personen når.";
    cannot_log_in: "cannot log in with MitID", "kan ikke logge på med MitID";
    edit: "Edit", "Rediger";
    no_identities: "No identity matches.", "Ingen identitet passer.";
    // Clients
    new_client: "New client", "Ny klient";
    client_id: "Client ID", "Klient-ID";
    client_name: "Name", "Navn";
    redirect_uris: "Redirect URIs (one per line)", "Redirect-URI'er (én pr. linje)";
    post_logout_uris: "Post-logout redirect URIs (one per line)", "Redirect-URI'er efter logout (én pr. linje)";
    auth_method: "Token endpoint authentication", "Autentifikation ved token-endpointet";
    require_pkce: "Require PKCE", "Kræv PKCE";
    private_service: "Private service (CPR match)", "Privat tjeneste (CPR-match)";
    secret_once: "The client secret, shown this once (it is stored only as a hash):", "Klienthemmeligheden, vist denne ene gang (den gemmes kun som hash):";
    secret_given: "leave empty to have one generated", "lad feltet stå tomt for at få en genereret";
    client_secret: "Client secret", "Klienthemmelighed";
    report: "The RP test kit's report", "RP-testsættets rapport";
    report_help: "What the broker saw this client do after responses with a fault (docs/rp-test-kit.md).", "Hvad brokeren så klienten gøre efter svar med en fejl (docs/rp-test-kit.md).";
    report_none: "No fault has been queued for this client yet, so there is nothing to judge.", "Der er endnu ikke sat nogen fejl i kø for klienten, så der er intet at vurdere.";
    verdict: "Verdict", "Vurdering";
    no_clients: "No clients.", "Ingen klienter.";
    // Keys
    kid: "Key ID (kid)", "Nøgle-ID (kid)";
    kind: "Kind", "Type";
    state: "State", "Tilstand";
    created: "Created", "Oprettet";
    expires: "Expires", "Udløber";
    rotate: "Rotate", "Rotér";
    keys_help: "The JWKS lists active and retired keys, newest first. Rotating makes a new key sign at once; the old one stays published, retired, until removed.", "JWKS viser aktive og udfasede nøgler, nyeste først. En rotation lader en ny nøgle signere med det samme; den gamle forbliver offentliggjort som udfaset, indtil den fjernes.";
    // Decisions and faults
    queued_decisions: "Queued decisions", "Afgørelser i kø";
    queued_decisions_help: "Each is consumed by the next login it matches (ladder step 2).", "Hver bruges af det næste login, den passer til (stigens trin 2).";
    outcome: "Outcome", "Udfald";
    for_client: "Only for client", "Kun for klient";
    for_user: "Only for login_hint", "Kun for login_hint";
    approve_user: "Approve as user ID", "Godkend som bruger-ID";
    description: "error_description (reject)", "error_description (afvis)";
    queue: "Queue", "Sæt i kø";
    queued_faults: "Queued faults", "Fejl i kø";
    queued_faults_help: "A fault changes exactly one thing in a client's next responses (docs/rp-test-kit.md).", "En fejl ændrer præcis én ting i en klients næste svar (docs/rp-test-kit.md).";
    fault: "Fault", "Fejl";
    count: "Responses", "Svar";
    remaining: "Left", "Tilbage";
    delay: "Delay in seconds (token-endpoint-slow)", "Forsinkelse i sekunder (token-endpoint-slow)";
    nothing_queued: "Nothing queued.", "Intet i kø.";
    // Clock and reset
    clock: "The clock", "Uret";
    now: "Now", "Nu";
    controllable: "This broker runs on a controllable clock: move it to expire codes, tokens and blocks without waiting.", "Brokeren kører på et styrbart ur: flyt det for at lade koder, tokens og spærringer udløbe uden at vente.";
    not_controllable: "This broker runs on the real clock; start it with --manual-clock to move time.", "Brokeren kører på det rigtige ur; start den med --manual-clock for at flytte tiden.";
    advance: "Advance", "Flyt frem";
    reset: "Reset", "Nulstil";
    reset_help: "Clears logins, codes, tokens, sessions, queued decisions and device state; keeps identities, clients and keys.", "Rydder logins, koder, tokens, sessioner, afgørelser i kø og enhedernes tilstand; beholder identiteter, klienter og nøgler.";
}

pub fn texts(lang: &str) -> &'static DashTexts {
    if lang == "da" {
        &DA
    } else {
        &EN
    }
}
