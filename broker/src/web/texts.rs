//! The login screens' words in Danish (the default) and English. One struct, two instances:
//! a missing translation is a compile error, not a blank on a page.

use crate::model::{Device, Failure, Method, Notice};

pub struct Texts {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub user_id: &'static str,
    pub user_id_help: &'static str,
    pub user_id_help_nemid: &'static str,
    pub continue_: &'static str,
    pub cancel: &'static str,
    pub switch: &'static str,
    pub choose: &'static str,
    pub open_app: &'static str,
    pub app_code_help: &'static str,
    pub app_qr_help: &'static str,
    pub app_expires: &'static str,
    pub open_sim_app: &'static str,
    pub code_viewer_help: &'static str,
    pub code_reader_help: &'static str,
    pub open_sim_device: &'static str,
    pub code: &'static str,
    pub password: &'static str,
    pub password_help: &'static str,
    pub chip_help: &'static str,
    pub open_sim_chip: &'static str,
    pub key_card_help: &'static str,
    pub key_number: &'static str,
    pub key_card_low: &'static str,
    pub open_sim_card: &'static str,
    pub cpr_help: &'static str,
    pub cpr: &'static str,
    pub business_help: &'static str,
    pub continue_private: &'static str,
    pub back_to_service: &'static str,
    pub try_again: &'static str,
    pub waiting: &'static str,
    pub shortcuts: &'static str,
    pub shortcuts_help: &'static str,
    pub approve_as: &'static str,
    pub employee: &'static str,
    pub signatory: &'static str,
}

pub static DA: Texts = Texts {
    lang: "da",
    other_lang: "en",
    other_lang_name: "English",
    user_id: "Bruger-ID",
    user_id_help: "Skriv dit bruger-ID for at logge på med dit simulerede MitID.",
    user_id_help_nemid: "Skriv dit bruger-ID for at logge på med dit simulerede NemID (adgangskode og nøglekort).",
    continue_: "Fortsæt",
    cancel: "Afbryd",
    switch: "Skift identifikationsmiddel",
    choose: "Vælg, hvordan du vil logge på",
    open_app: "Godkend i din app",
    app_code_help: "Åbn den simulerede app, og skriv denne kode, når appen beder om den:",
    app_qr_help: "Eller scan QR-koden med appen.",
    app_expires: "Anmodningen udløber om",
    open_sim_app: "Åbn den simulerede app",
    code_viewer_help: "Skriv den 6-cifrede kode, som din kodeviser viser.",
    code_reader_help: "Skriv den 6-cifrede kode, som din kodeoplæser læser op.",
    open_sim_device: "Åbn den simulerede enhed",
    code: "Kode",
    password: "Adgangskode",
    password_help: "Skriv din adgangskode.",
    chip_help: "Rør ved din MitID-chip for at fortsætte.",
    open_sim_chip: "Åbn den simulerede chip",
    key_card_help: "Skriv koden, der står ud for nøglenummeret på dit nøglekort.",
    key_number: "Nøglenummer",
    key_card_low: "Dit nøglekort er ved at være brugt op: et nyt kort er på vej (det afløser det gamle, når du har logget på).",
    open_sim_card: "Vis det simulerede nøglekort",
    cpr_help: "Tjenesten beder om dit CPR-nummer. Skriv det for at bekræfte, at det er dit.",
    cpr: "CPR-nummer",
    business_help: "Vælg den identitet, du vil logge på med.",
    continue_private: "Fortsæt som privatperson",
    back_to_service: "Tilbage til tjenesten",
    try_again: "Prøv igen",
    waiting: "Venter…",
    shortcuts: "Simulatorgenvej",
    shortcuts_help: "Godkend med det samme som en testidentitet, uden skærmbillederne.",
    approve_as: "Godkend som",
    employee: "medarbejder",
    signatory: "ledelsesrepræsentant",
};

pub static EN: Texts = Texts {
    lang: "en",
    other_lang: "da",
    other_lang_name: "Dansk",
    user_id: "User ID",
    user_id_help: "Type your user ID to log on with your simulated MitID.",
    user_id_help_nemid: "Type your user ID to log on with your simulated NemID (password and key card).",
    continue_: "Continue",
    cancel: "Cancel",
    switch: "Use another authenticator",
    choose: "Choose how to log on",
    open_app: "Approve in your app",
    app_code_help: "Open the simulated app and type this code when it asks for it:",
    app_qr_help: "Or scan the QR code with the app.",
    app_expires: "The request expires in",
    open_sim_app: "Open the simulated app",
    code_viewer_help: "Type the 6-digit code your code viewer shows.",
    code_reader_help: "Type the 6-digit code your code reader reads out.",
    open_sim_device: "Open the simulated device",
    code: "Code",
    password: "Password",
    password_help: "Type your password.",
    chip_help: "Touch your MitID chip to continue.",
    open_sim_chip: "Open the simulated chip",
    key_card_help: "Type the code printed beside the key number on your key card.",
    key_number: "Key number",
    key_card_low: "Your key card is running out of codes: a new card is on its way (it replaces this one once you have logged on).",
    open_sim_card: "Show the simulated key card",
    cpr_help: "The service asks for your CPR number. Type it to confirm it is yours.",
    cpr: "CPR number",
    business_help: "Choose the identity to log on with.",
    continue_private: "Continue as a private person",
    back_to_service: "Back to the service",
    try_again: "Try again",
    waiting: "Waiting…",
    shortcuts: "Simulator shortcut",
    shortcuts_help: "Approve at once as a test identity, without the screens.",
    approve_as: "Approve as",
    employee: "employee",
    signatory: "signatory",
};

pub fn texts(lang: &str) -> &'static Texts {
    if lang == "en" {
        &EN
    } else {
        &DA
    }
}

impl Texts {
    fn en(&self) -> bool {
        self.lang == "en"
    }

    pub fn method(&self, method: Method) -> &'static str {
        match (method, self.en()) {
            (Method::App, false) => "MitID-app",
            (Method::App, true) => "MitID app",
            (Method::CodeViewer, false) => "Kodeviser og adgangskode",
            (Method::CodeViewer, true) => "Code viewer and password",
            (Method::CodeReader, false) => "Kodeoplæser og adgangskode",
            (Method::CodeReader, true) => "Code reader and password",
            (Method::Chip, false) => "Adgangskode og MitID-chip",
            (Method::Chip, true) => "Password and MitID chip",
            (Method::Password, false) => "Kun adgangskode",
            (Method::Password, true) => "Password only",
            (Method::Nemid, false) => "NemID med nøglekort",
            (Method::Nemid, true) => "NemID with key card",
        }
    }

    pub fn device(&self, device: Device) -> &'static str {
        match (device, self.en()) {
            (Device::App, false) => "MitID-appen",
            (Device::App, true) => "the MitID app",
            (Device::CodeViewer, false) => "kodeviseren",
            (Device::CodeViewer, true) => "the code viewer",
            (Device::CodeReader, false) => "kodeoplæseren",
            (Device::CodeReader, true) => "the code reader",
            (Device::Chip, false) => "MitID-chippen",
            (Device::Chip, true) => "the MitID chip",
            (Device::Password, false) => "adgangskoden",
            (Device::Password, true) => "the password",
            (Device::KeyCard, false) => "nøglekortet",
            (Device::KeyCard, true) => "the key card",
        }
    }

    /// How long a block lasts, after its failure text.
    pub fn blocked_for(&self, minutes: i64) -> String {
        if self.en() {
            format!("It can be used again in about {minutes} minute(s). Meanwhile, log in another way if you have one, or go back to the service.")
        } else {
            format!("Den kan bruges igen om cirka {minutes} minut(ter). Log imens på en anden måde, hvis du har en, eller gå tilbage til tjenesten.")
        }
    }

    /// A block that has run out.
    pub fn block_over(&self) -> &'static str {
        if self.en() {
            "The block is over: try again."
        } else {
            "Spærringen er ophævet: prøv igen."
        }
    }

    /// A failure's title and explanation.
    pub fn failure(&self, failure: Failure) -> (&'static str, String) {
        let en = self.en();
        match failure {
            Failure::UserAborted if en => ("Cancelled", "You cancelled the login.".into()),
            Failure::UserAborted => ("Afbrudt", "Du afbrød login.".into()),
            Failure::UnknownUser if en => (
                "Unknown user ID",
                "There is no MitID with this user ID. Check it and try again.".into(),
            ),
            Failure::UnknownUser => (
                "Ukendt bruger-ID",
                "Der findes ingen MitID med dette bruger-ID. Tjek det, og prøv igen.".into(),
            ),
            Failure::IdentityLocked if en => (
                "Your MitID is locked",
                "Your MitID is temporarily locked. In real life it is reactivated at Citizen Service (Borgerservice).".into(),
            ),
            Failure::IdentityLocked => (
                "Dit MitID er spærret",
                "Dit MitID er midlertidigt spærret. I virkeligheden genåbnes det hos Borgerservice.".into(),
            ),
            Failure::IdentityRevoked if en => (
                "Your MitID is revoked",
                "This MitID has been revoked and can no longer be used.".into(),
            ),
            Failure::IdentityRevoked => (
                "Dit MitID er tilbagekaldt",
                "Dette MitID er tilbagekaldt og kan ikke længere bruges.".into(),
            ),
            Failure::ApprovalExpired if en => (
                "The request expired",
                "The app did not approve in time.".into(),
            ),
            Failure::ApprovalExpired => (
                "Anmodningen er udløbet",
                "Appen godkendte ikke i tide.".into(),
            ),
            Failure::AuthenticatorBlocked { device, .. } if en => (
                "Temporarily blocked",
                format!("Too many wrong attempts: {} is temporarily blocked.", self.device(device)),
            ),
            Failure::AuthenticatorBlocked { device, .. } => (
                "Midlertidigt spærret",
                format!("For mange forkerte forsøg: {} er midlertidigt spærret.", self.device(device)),
            ),
            Failure::LevelNotReachable if en => (
                "Not enough for this service",
                "This service requires a higher level of assurance than your authenticators can give.".into(),
            ),
            Failure::LevelNotReachable => (
                "Ikke nok til denne tjeneste",
                "Tjenesten kræver et højere sikringsniveau, end dine identifikationsmidler kan give.".into(),
            ),
            Failure::CprMatchFailed if en => (
                "The CPR number did not match",
                "The CPR number was wrong three times.".into(),
            ),
            Failure::CprMatchFailed => (
                "CPR-nummeret passede ikke",
                "CPR-nummeret var forkert tre gange.".into(),
            ),
            Failure::NoBusinessIdentity if en => (
                "No business identity",
                "This service requires MitID Erhverv, and you have no business identity.".into(),
            ),
            Failure::NoBusinessIdentity => (
                "Ingen erhvervsidentitet",
                "Tjenesten kræver MitID Erhverv, og du har ingen erhvervsidentitet.".into(),
            ),
            Failure::KeyCardUsedUp if en => (
                "Key card used up",
                "Your key card has no unused codes left.".into(),
            ),
            Failure::KeyCardUsedUp => (
                "Nøglekortet er brugt op",
                "Dit nøglekort har ingen ubrugte koder tilbage.".into(),
            ),
            Failure::AppCodeRefused if en => (
                "The app refused the request",
                "A wrong code was typed in the app too many times. Try again: a new request goes to the app.".into(),
            ),
            Failure::AppCodeRefused => (
                "Appen afviste anmodningen",
                "Der blev tastet en forkert kode i appen for mange gange. Prøv igen: en ny anmodning sendes til appen.".into(),
            ),
            Failure::AppRequestReplaced if en => (
                "A newer request went to your app",
                "Your MitID app shows one request at a time, and a newer login sent it one, so this login's request was withdrawn. Try again to send it a new one.".into(),
            ),
            Failure::AppRequestReplaced => (
                "En nyere anmodning blev sendt til din app",
                "Din MitID-app viser én anmodning ad gangen, og et nyere login sendte den en, så dette logins anmodning blev trukket tilbage. Prøv igen for at sende en ny.".into(),
            ),
            Failure::NemidUnknownUser if en => (
                "No NemID",
                "There is no NemID for this user ID. NemID closed in 2023: log in with MitID instead, if the service allows it.".into(),
            ),
            Failure::NemidUnknownUser => (
                "Intet NemID",
                "Der findes intet NemID til dette bruger-ID. NemID lukkede i 2023: log på med MitID i stedet, hvis tjenesten tillader det.".into(),
            ),
        }
    }

    pub fn notice(&self, notice: &Notice) -> String {
        let en = self.en();
        match notice {
            Notice::WrongCode { attempts_left } if en => {
                format!("Wrong code. {attempts_left} attempt(s) left before the device is blocked.")
            }
            Notice::WrongCode { attempts_left } => {
                format!("Forkert kode. {attempts_left} forsøg tilbage, før enheden spærres.")
            }
            Notice::WrongPassword { attempts_left } if en => {
                format!("Wrong password. {attempts_left} attempt(s) left before it is blocked.")
            }
            Notice::WrongPassword { attempts_left } => {
                format!("Forkert adgangskode. {attempts_left} forsøg tilbage, før den spærres.")
            }
            Notice::WrongCpr { attempts_left } if en => {
                format!("The CPR number does not match. {attempts_left} attempt(s) left.")
            }
            Notice::WrongCpr { attempts_left } => {
                format!("CPR-nummeret passer ikke. {attempts_left} forsøg tilbage.")
            }
            Notice::WrongKeyCardCode { attempts_left } if en => format!(
                "Wrong code; that key is now used. Type the code for the new key number. \
                 {attempts_left} attempt(s) left before the key card is blocked."
            ),
            Notice::WrongKeyCardCode { attempts_left } => format!(
                "Forkert kode; nøglen er nu brugt. Skriv koden til det nye nøglenummer. \
                 {attempts_left} forsøg tilbage, før nøglekortet spærres."
            ),
            Notice::InvalidUserId if en => "Type your user ID.".into(),
            Notice::InvalidUserId => "Skriv dit bruger-ID.".into(),
            Notice::CodeAlreadyUsed if en => {
                "This code was already used. Wait for the next one on the device.".into()
            }
            Notice::CodeAlreadyUsed => {
                "Denne kode er allerede brugt. Vent på den næste kode på enheden.".into()
            }
            Notice::CprFormat if en => {
                "That is not a CPR number: type the 10 digits (DDMMYY-XXXX). Nothing was counted."
                    .into()
            }
            Notice::CprFormat => {
                "Det er ikke et CPR-nummer: skriv de 10 cifre (DDMMÅÅ-XXXX). Intet blev talt med."
                    .into()
            }
            Notice::AppWrongCode { attempts_left } if en => format!(
                "A wrong code was typed in the app. {attempts_left} attempt(s) left before the \
                 app refuses the request."
            ),
            Notice::AppWrongCode { attempts_left } => format!(
                "Der blev tastet en forkert kode i appen. {attempts_left} forsøg tilbage, før \
                 appen afviser anmodningen."
            ),
        }
    }
}
