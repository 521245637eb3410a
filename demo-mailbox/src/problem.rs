//! Every way a request can fail that a person may see, mapped to a status and a readable page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::access::desk::Refusal;
use crate::access::{CprError, PasswordError};
use crate::language::Lang;
use crate::oidc::{BrokerFailure, DiscoveryError, LoginError};
use crate::pages::{render, FieldError, ProblemPage};
use crate::post::{ComposeError, FolderNameError};
use crate::store::StoreError;

/// A failure shown to the person as a page (never a panic, never a stack of details).
#[derive(Debug)]
pub enum Problem {
    /// The login ended at the broker without a code (an authorization error response): the
    /// person cancelled, their MitID is locked, ... (see [`BrokerFailure`]).
    LoginEnded(BrokerFailure),
    /// The callback's query string is malformed (e.g. a parameter given twice).
    BadCallbackQuery,
    /// No login was started in this browser, or it took too long.
    NoLoginInProgress,
    /// `state` is missing or does not match this browser's login.
    StateMismatch,
    /// `iss` is missing or not the broker's issuer (RFC 9207).
    IssuerMismatch,
    /// The callback has no `code`.
    CodeMissing,
    /// The broker could not be discovered.
    BrokerUnavailable(DiscoveryError),
    /// The code could not be turned into a verified login.
    LoginFailed(LoginError),
    /// A form came without the session's CSRF token, or with the wrong one.
    CsrfRejected,
    /// An operation in the mailbox did not happen: not found (said the same way whether it
    /// does not exist or belongs to someone else, so a refusal reveals nothing), not allowed,
    /// or refused for what it asked.
    Refused(Refusal),
    /// A form's fields are missing or malformed.
    BadForm,
    /// A form with files was larger than any allowed one (more or larger files than the
    /// limits), so it was not read.
    FormTooLarge,
    /// The session's way into its current mailbox is gone (the grant was revoked or given a
    /// new password, the membership ended). Said before anything about the request is looked
    /// at, so it reveals nothing about any object.
    AccessEnded,
    /// The access password was wrong; `attempts_left` more before the grant locks.
    WrongPassword {
        /// Wrong passwords left before the grant locks.
        attempts_left: u32,
    },
    /// Too many wrong passwords: the grant stays locked until the owner sets a new password.
    GrantLocked,
    /// The helper's CPR number was refused.
    BadCpr(CprError),
    /// The owner tried to grant access to themselves.
    GrantToSelf,
    /// A new access password was refused.
    BadPassword(PasswordError),
    /// The helper's name (as the owner calls them) is empty, too long or not one line.
    BadGrantName,
}

impl From<Refusal> for Problem {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<ComposeError> for Problem {
    fn from(error: ComposeError) -> Self {
        Self::Refused(Refusal::BadLetter(error))
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        Self::Refused(Refusal::Storage(error))
    }
}

impl Problem {
    fn status(&self) -> StatusCode {
        match self {
            // An ordinary end of a login, explained; logging in again is the way on.
            Self::LoginEnded(_) => StatusCode::OK,
            Self::BadCallbackQuery
            | Self::NoLoginInProgress
            | Self::StateMismatch
            | Self::IssuerMismatch
            | Self::CodeMissing => StatusCode::BAD_REQUEST,
            Self::BrokerUnavailable(_) => StatusCode::BAD_GATEWAY,
            Self::LoginFailed(LoginError::AssuranceTooLow { .. }) | Self::CsrfRejected => {
                StatusCode::FORBIDDEN
            }
            Self::LoginFailed(_) => StatusCode::BAD_GATEWAY,
            Self::Refused(refusal) => refusal_status(refusal),
            Self::BadForm => StatusCode::BAD_REQUEST,
            Self::FormTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::AccessEnded | Self::WrongPassword { .. } => StatusCode::FORBIDDEN,
            Self::GrantLocked => StatusCode::LOCKED,
            Self::BadCpr(_) | Self::GrantToSelf | Self::BadGrantName => StatusCode::BAD_REQUEST,
            Self::BadPassword(PasswordError::Hashing(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadPassword(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// Heading and message in `lang`.
    fn text(&self, lang: Lang) -> (String, String) {
        if let Self::LoginEnded(BrokerFailure::Other(code)) = self {
            return match lang {
                Lang::Da => (
                    "Login mislykkedes".to_owned(),
                    format!("Login-tjenesten afbrød login med fejlkoden \u{201c}{code}\u{201d}. Prøv igen, eller kontakt tjenestens support, hvis det sker igen."),
                ),
                Lang::En => (
                    "Login failed".to_owned(),
                    format!("The login service ended the login with the error code \u{201c}{code}\u{201d}. Please try again, or contact the service's support if it happens again."),
                ),
            };
        }
        if let Self::WrongPassword { attempts_left } = self {
            return match lang {
                Lang::Da => (
                    "Forkert adgangskode".to_owned(),
                    format!("Adgangskoden passer ikke. Du har {attempts_left} forsøg tilbage, før adgangen låses."),
                ),
                Lang::En => (
                    "Wrong password".to_owned(),
                    format!(
                        "The password does not match. You have {attempts_left} {} left before the access is locked.",
                        if *attempts_left == 1 { "attempt" } else { "attempts" }
                    ),
                ),
            };
        }
        let (danish, english) = self.static_text();
        let (heading, message) = match lang {
            Lang::Da => danish,
            Lang::En => english,
        };
        (heading.to_owned(), message.to_owned())
    }

    /// Heading and message, Danish then English.
    fn static_text(&self) -> StaticText {
        match self {
            Self::LoginEnded(failure) => broker_failure_text(failure),
            Self::BadCallbackQuery | Self::CodeMissing => (
                ("Ugyldigt svar", "Svaret fra login-tjenesten var ufuldstændigt. Start login forfra."),
                ("Invalid response", "The response from the login service was incomplete. Please start the login again."),
            ),
            Self::NoLoginInProgress => (
                ("Intet login i gang", "Dette login blev ikke startet i denne browser, eller det tog for lang tid. Start login forfra."),
                ("No login in progress", "This login was not started in this browser, or it took too long. Please start the login again."),
            ),
            Self::StateMismatch => (
                ("Login afvist", "Svaret hører ikke til det login, der blev startet i denne browser. Start login forfra."),
                ("Login refused", "The response does not belong to the login started in this browser. Please start the login again."),
            ),
            Self::IssuerMismatch => (
                ("Login afvist", "Svaret kom ikke fra den forventede login-tjeneste. Start login forfra."),
                ("Login refused", "The response did not come from the expected login service. Please start the login again."),
            ),
            Self::BrokerUnavailable(_) => (
                ("Login-tjenesten svarer ikke", "Login-tjenesten kan ikke nås lige nu. Prøv igen om lidt."),
                ("Login service unavailable", "The login service cannot be reached right now. Please try again shortly."),
            ),
            Self::LoginFailed(LoginError::AssuranceTooLow { .. }) => (
                ("For lavt sikringsniveau", "Digital Post kræver login på betydeligt (Substantial) eller højt niveau. Log ind igen med MitID."),
                ("Level of assurance too low", "Digital Post needs a login at level Substantial or High. Please log in again with MitID."),
            ),
            Self::LoginFailed(_) => (
                ("Login mislykkedes", "Svaret fra login-tjenesten kunne ikke godkendes. Start login forfra."),
                ("Login failed", "The response from the login service could not be accepted. Please start the login again."),
            ),
            Self::CsrfRejected => (
                ("Handling afvist", "Formularen var udløbet eller ugyldig. Gå tilbage til forsiden og prøv igen."),
                ("Action refused", "The form was stale or invalid. Go back to the front page and try again."),
            ),
            Self::Refused(refusal) => refusal_text(refusal),
            Self::BadForm => (
                ("Ugyldig formular", "Formularen manglede noget. Gå tilbage og prøv igen."),
                ("Invalid form", "The form was missing something. Go back and try again."),
            ),
            Self::FormTooLarge => (
                ("Filerne er for store", "Brevet blev ikke sendt: et brev kan have højst 3 filer på højst 5 MB hver. Gå tilbage, vælg mindre filer, og prøv igen."),
                ("The files are too large", "The letter was not sent: a letter may carry at most 3 files of at most 5 MB each. Go back, choose smaller files and try again."),
            ),
            Self::AccessEnded => (
                ("Adgangen er ophørt", "Du har ikke længere adgang til denne postkasse. Vælg en anden postkasse."),
                ("Access ended", "You no longer have access to this mailbox. Choose another mailbox."),
            ),
            // Answered by `text` itself (it holds a number).
            Self::WrongPassword { .. } => (
                ("Forkert adgangskode", ""),
                ("Wrong password", ""),
            ),
            Self::GrantLocked => (
                ("Adgangen er låst", "Der er tastet forkert adgangskode for mange gange. Bed postkassens ejer om at sætte en ny adgangskode."),
                ("Access locked", "The wrong password was typed too many times. Ask the mailbox's owner to set a new password."),
            ),
            Self::BadCpr(CprError::Malformed) => (
                ("Ugyldigt CPR-nummer", "Skriv personens CPR-nummer med 10 cifre, fx 010190-1234."),
                ("Invalid CPR number", "Type the person's CPR number with 10 digits, e.g. 010190-1234."),
            ),
            Self::BadCpr(CprError::ImpossibleDate) => (
                ("Ugyldigt CPR-nummer", "De første 6 cifre i et CPR-nummer er fødselsdatoen (DDMMÅÅ), og de er ikke en dato. Tjek dag og måned, fx 010190-1234."),
                ("Invalid CPR number", "The first 6 digits of a CPR number are the date of birth (DDMMYY), and these are no date. Check the day and month, e.g. 010190-1234."),
            ),
            Self::BadGrantName => (
                ("Navnet mangler", "Skriv personens navn på én linje, højst 100 tegn."),
                ("Name missing", "Type the person's name on one line, at most 100 characters."),
            ),
            Self::GrantToSelf => (
                ("Det er dit eget CPR-nummer", "Du har allerede adgang til din egen postkasse. Skriv CPR-nummeret på den, der skal hjælpe dig."),
                ("That is your own CPR number", "You already have access to your own mailbox. Type the CPR number of the person who will help you."),
            ),
            Self::BadPassword(PasswordError::TooShort) => (
                ("Adgangskoden er for kort", "Brug mindst 8 tegn."),
                ("The password is too short", "Use at least 8 characters."),
            ),
            Self::BadPassword(PasswordError::TooLong) => (
                ("Adgangskoden er for lang", "Brug højst 128 tegn."),
                ("The password is too long", "Use at most 128 characters."),
            ),
            Self::BadPassword(PasswordError::Hashing(_)) => STORE_FAILED,
        }
    }
}

/// (heading, message) in Danish, then in English.
type StaticText = ((&'static str, &'static str), (&'static str, &'static str));

/// What a failure of the store (or of hashing a password) says.
const STORE_FAILED: StaticText = (
    (
        "Der opstod en fejl",
        "Postkassen kunne ikke gemme eller hente data. Prøv igen om lidt.",
    ),
    (
        "Something went wrong",
        "The mailbox could not save or fetch data. Please try again shortly.",
    ),
);

/// Heading and message for a login that ended at the broker, Danish then English; the
/// meanings are the broker's (its README, "Failures and their error codes").
fn broker_failure_text(failure: &BrokerFailure) -> StaticText {
    match failure {
        BrokerFailure::UserAborted => (
            ("Login afbrudt", "Du afbrød login."),
            ("Login cancelled", "You cancelled the login."),
        ),
        BrokerFailure::UnknownUser => (
            ("Ukendt bruger-id", "Der findes intet MitID med det bruger-id, du tastede. Tjek bruger-id'et, og prøv igen."),
            ("Unknown user ID", "There is no MitID with the user ID you typed. Check the user ID and try again."),
        ),
        BrokerFailure::NemidUnknownUser => (
            ("Ukendt NemID-bruger", "Der findes intet NemID med det bruger-id, du tastede. Tjek det, og prøv igen, eller log ind med MitID."),
            ("Unknown NemID user", "There is no NemID with the user ID you typed. Check it and try again, or log in with MitID."),
        ),
        BrokerFailure::IdentityLocked => (
            ("Dit MitID er spærret", "Dit MitID er spærret (suspenderet), så du kan ikke logge ind med det. Kontakt MitID-support for at få det åbnet igen."),
            ("Your MitID is locked", "Your MitID is locked (suspended), so you cannot log in with it. Contact MitID support to have it opened again."),
        ),
        BrokerFailure::IdentityRevoked => (
            ("Dit MitID er tilbagekaldt", "Dit MitID er tilbagekaldt og kan ikke længere bruges. Du skal have et nyt MitID for at logge ind."),
            ("Your MitID is revoked", "Your MitID has been revoked and can no longer be used. You need a new MitID to log in."),
        ),
        BrokerFailure::ApprovalExpired => (
            ("Tiden løb ud", "Login blev ikke godkendt i tide i MitID-appen. Log ind igen, og godkend inden for 3 minutter."),
            ("Time ran out", "The login was not approved in time in the MitID app. Log in again and approve within 3 minutes."),
        ),
        BrokerFailure::AuthenticatorBlocked => (
            ("Dit MitID-middel er spærret", "Der blev tastet forkert kode eller adgangskode for mange gange, så dit MitID-middel er spærret i 15 minutter. Prøv igen senere, eller brug et andet middel."),
            ("Your MitID authenticator is blocked", "A wrong code or password was typed too many times, so your MitID authenticator is blocked for 15 minutes. Try again later, or use another authenticator."),
        ),
        BrokerFailure::LevelNotReachable => (
            ("Sikringsniveauet kan ikke nås", "Ingen af dine måder at logge ind med MitID giver det sikringsniveau, Digital Post kræver (betydeligt). Tilføj fx MitID-appen, og prøv igen."),
            ("Level of assurance not reachable", "None of your ways of logging in with MitID gives the level of assurance Digital Post needs (Substantial). Add e.g. the MitID app and try again."),
        ),
        BrokerFailure::CprMatchFailed => (
            ("CPR-nummeret passede ikke", "Der blev tastet et forkert CPR-nummer tre gange. Log ind igen, og tast dit eget CPR-nummer."),
            ("The CPR number did not match", "A wrong CPR number was typed three times. Log in again and type your own CPR number."),
        ),
        BrokerFailure::ErhvervNoIdentity => (
            ("Ingen erhvervsidentitet", "Du har ingen MitID Erhverv-identitet. Log ind som privatperson, eller bed din virksomhed om at oprette dig i MitID Erhverv."),
            ("No business identity", "You have no MitID Erhverv identity. Log in as a private person, or ask your business to create you in MitID Erhverv."),
        ),
        BrokerFailure::KeyCardUsedUp => (
            ("Nøglekortet er brugt op", "Dit NemID-nøglekort har ikke flere ubrugte koder. Brug dit nye nøglekort, når det kommer, eller log ind med MitID."),
            ("The key card is used up", "Your NemID key card has no unused codes left. Use your new key card when it arrives, or log in with MitID."),
        ),
        // Answered by `Problem::text` itself (it names the code).
        BrokerFailure::Other(_) => (
            ("Login mislykkedes", ""),
            ("Login failed", ""),
        ),
    }
}

/// Heading and message for what an operation in the mailbox refused, Danish then English.
fn refusal_text(refusal: &Refusal) -> StaticText {
    match refusal {
        Refusal::NotFound => (
            ("Ikke fundet", "Det findes ikke i denne postkasse."),
            ("Not found", "It is not in this mailbox."),
        ),
        Refusal::BadFolderName(FolderNameError::Empty) => (
            ("Mappen skal have et navn", "Skriv et navn på mappen."),
            ("The folder needs a name", "Type a name for the folder."),
        ),
        Refusal::BadFolderName(FolderNameError::TooLong) => (
            ("Navnet er for langt", "Brug højst 60 tegn."),
            ("The name is too long", "Use at most 60 characters."),
        ),
        Refusal::BadFolderName(FolderNameError::ControlCharacter) => (
            ("Ugyldigt navn", "Navnet må ikke indeholde linjeskift eller andre kontroltegn."),
            ("Invalid name", "The name may not hold line breaks or other control characters."),
        ),
        Refusal::BadFolderName(FolderNameError::Reserved) | Refusal::FolderNameTaken => (
            ("Navnet er optaget", "Der findes allerede en mappe med det navn. Vælg et andet."),
            ("The name is taken", "A folder with that name exists. Choose another."),
        ),
        Refusal::FolderNotEmpty => (
            ("Mappen er ikke tom", "Flyt eller slet brevene i mappen først."),
            ("The folder is not empty", "Move or delete the letters in the folder first."),
        ),
        Refusal::StandardFolder => (
            ("Standardmappe", "Indbakke, Sendt, Kladder og Slettet kan ikke omdøbes eller slettes."),
            ("Standard folder", "Inbox, Sent, Drafts and Deleted cannot be renamed or deleted."),
        ),
        Refusal::NotInDeleted => (
            ("Brevet er ikke slettet", "Kun breve i Slettet kan slettes permanent. Slet brevet først."),
            ("The letter is not deleted", "Only letters in Deleted can be deleted for good. Delete the letter first."),
        ),
        Refusal::BadLetter(error) => compose_text(*error),
        Refusal::RepliesNotAccepted => (
            ("Svar ikke muligt", "Afsenderen modtager ikke svar på dette brev. Skriv et nyt brev i stedet."),
            ("Replies not accepted", "The sender does not accept replies to this letter. Write a new letter instead."),
        ),
        Refusal::NotADraft => (
            ("Ikke en kladde", "Kun breve, du selv har skrevet, og som ligger i Kladder, kan sendes herfra."),
            ("Not a draft", "Only letters you wrote yourself that lie in Drafts can be sent from here."),
        ),
        Refusal::AlreadySubmitted => (
            ("Allerede sendt", "Denne formular er allerede sendt én gang, så brevet blev ikke sendt igen. Se efter det i Sendt eller Kladder."),
            ("Already sent", "This form was sent once already, so the letter was not sent again. Look for it in Sent or Drafts."),
        ),
        Refusal::ReceivedPostNotMovable => (
            ("Kan ikke flyttes dertil", "Modtaget post kan ikke flyttes til Sendt eller Kladder. Vælg Indbakke eller en af dine egne mapper."),
            ("Cannot be moved there", "Received post cannot be moved to Sent or Drafts. Choose the Inbox or one of your own folders."),
        ),
        Refusal::NotPermitted => (
            ("Ikke tilladt", "Din adgang til denne postkasse tillader ikke det."),
            ("Not allowed", "Your access to this mailbox does not allow that."),
        ),
        Refusal::GrantExists => (
            ("Personen har allerede adgang", "Personen har allerede adgang til din postkasse. Tilbagekald den først, hvis den skal ændres."),
            ("The person already has access", "The person already has access to your mailbox. Revoke it first to change it."),
        ),
        Refusal::NoFoldersChosen => (
            ("Ingen mapper valgt", "Vælg mindst én mappe, eller giv adgang til alle mapper."),
            ("No folders chosen", "Choose at least one folder, or give access to all folders."),
        ),
        Refusal::Storage(_) => STORE_FAILED,
    }
}

/// The status of a refusal.
fn refusal_status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::NotPermitted => StatusCode::FORBIDDEN,
        Refusal::BadFolderName(_) | Refusal::BadLetter(_) | Refusal::NoFoldersChosen => {
            StatusCode::BAD_REQUEST
        }
        Refusal::RepliesNotAccepted
        | Refusal::NotADraft
        | Refusal::ReceivedPostNotMovable
        | Refusal::AlreadySubmitted
        | Refusal::FolderNameTaken
        | Refusal::FolderNotEmpty
        | Refusal::StandardFolder
        | Refusal::NotInDeleted
        | Refusal::GrantExists => StatusCode::CONFLICT,
        Refusal::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Heading and message for a refused letter field, Danish then English.
fn compose_text(error: ComposeError) -> StaticText {
    match error {
        ComposeError::SubjectEmpty => (
                ("Emne mangler", "Skriv et emne."),
                ("Subject missing", "Type a subject."),
            ),
        ComposeError::SubjectTooLong => (
                ("Emnet er for langt", "Brug højst 200 tegn i emnet."),
                ("The subject is too long", "Use at most 200 characters in the subject."),
            ),
        ComposeError::SubjectControl => (
                ("Ugyldigt emne", "Emnet skal stå på én linje."),
                ("Invalid subject", "The subject must be on one line."),
            ),
        ComposeError::BodyEmpty => (
                ("Teksten mangler", "Skriv en tekst til brevet."),
                ("Text missing", "Type the text of the letter."),
            ),
        ComposeError::BodyTooLong => (
                ("Teksten er for lang", "Brug højst 20.000 tegn."),
                ("The text is too long", "Use at most 20,000 characters."),
            ),
        ComposeError::NoteTooLong => (
                ("Beskeden er for lang", "Brug højst 2.000 tegn i beskeden."),
                ("The note is too long", "Use at most 2,000 characters in the note."),
            ),
        ComposeError::UnknownAuthority => (
                ("Ukendt myndighed", "Vælg en myndighed fra listen."),
                ("Unknown authority", "Choose an authority from the list."),
            ),
        ComposeError::BadRecipient => (
                ("Ugyldig modtager", "Skriv et CPR-nummer (10 cifre), en postkasseadresse som cpr:6101701234, eller en e-mailadresse."),
                ("Invalid recipient", "Type a CPR number (10 digits), a mailbox address such as cpr:6101701234, or an e-mail address."),
            ),
        ComposeError::RecipientCprNotADate => (
                ("Ugyldigt CPR-nummer", "De første 6 cifre i modtagerens CPR-nummer er fødselsdatoen (DDMMÅÅ), og de er ikke en dato. Tjek dag og måned."),
                ("Invalid CPR number", "The first 6 digits of the recipient's CPR number are the date of birth (DDMMYY), and these are no date. Check the day and month."),
            ),
        ComposeError::TooManyFiles => (
                ("For mange filer", "Vedhæft højst 3 filer til ét brev. Vælg filerne igen."),
                ("Too many files", "Attach at most 3 files to one letter. Choose the files again."),
            ),
        ComposeError::FileTooLarge => (
                ("Filen er for stor", "Hver fil må højst fylde 5 MB. Vælg filerne igen."),
                ("The file is too large", "Each file may be at most 5 MB. Choose the files again."),
            ),
        ComposeError::FileEmpty => (
                ("Filen er tom", "En af filerne er tom. Vælg filerne igen."),
                ("The file is empty", "One of the files is empty. Choose the files again."),
            ),
        ComposeError::FileTypeNotAllowed => (
                ("Filtypen er ikke tilladt", "Vedhæft kun PDF, PNG, JPEG eller ren tekst (.pdf, .png, .jpg, .txt), og lad filnavnet passe til indholdet. Vælg filerne igen."),
                ("File type not allowed", "Attach only PDF, PNG, JPEG or plain text (.pdf, .png, .jpg, .txt), with a file name that fits the content. Choose the files again."),
            ),
        ComposeError::BadAttachment => (
                ("Ugyldigt bilag", "Bilaget skal være en PDF på højst 512 kB."),
                ("Invalid attachment", "The attachment must be a PDF of at most 512 kB."),
            ),
    }
}

impl Problem {
    /// This problem shown next to the form field `field`, in `lang`: for a form refused for
    /// what was typed, shown again refilled rather than as a page of its own.
    pub fn field_error(&self, field: &'static str, lang: Lang) -> FieldError {
        let (heading, message) = self.text(lang);
        FieldError {
            field,
            heading,
            message,
        }
    }

    /// The status of a form shown again for this problem: 400 for what was typed wrong, 422
    /// for what clashes with what exists (a name taken, access given already).
    pub fn form_status(&self) -> StatusCode {
        match self.status() {
            StatusCode::BAD_REQUEST => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// Whether logging in again is the way out (login and callback failures).
    fn is_about_login(&self) -> bool {
        matches!(
            self,
            Self::LoginEnded(_)
                | Self::BadCallbackQuery
                | Self::NoLoginInProgress
                | Self::StateMismatch
                | Self::IssuerMismatch
                | Self::CodeMissing
                | Self::BrokerUnavailable(_)
                | Self::LoginFailed(_)
        )
    }
}

impl Problem {
    /// The page saying what went wrong, in `lang`.
    pub fn page(self, lang: Lang) -> Response {
        match &self {
            Self::BrokerUnavailable(error) => tracing::warn!(%error, "broker discovery failed"),
            Self::LoginFailed(error) => tracing::warn!(%error, "login failed"),
            Self::Refused(Refusal::Storage(error)) => {
                tracing::error!(%error, "the mailbox store failed");
            }
            Self::BadPassword(error) => tracing::error!(%error, "an access password failed"),
            // Logged as the refusal itself (`NotFound`, not `Refused(NotFound)`).
            Self::Refused(refusal) => tracing::info!(problem = ?refusal, "request refused"),
            other => tracing::info!(problem = ?other, "request refused"),
        }
        let (heading, message) = self.text(lang);
        render(
            self.status(),
            &ProblemPage {
                lang,
                heading: &heading,
                message: &message,
                offer_login: self.is_about_login(),
                offer_mailboxes: matches!(
                    self,
                    Self::AccessEnded | Self::GrantLocked | Self::WrongPassword { .. }
                ),
            },
        )
    }
}

/// The handler's page, or the page of the problem it ran into (a [`Problem`], or what a
/// domain operation refused), in `lang`.
pub fn respond(result: Result<Response, impl Into<Problem>>, lang: Lang) -> Response {
    result.unwrap_or_else(|problem| problem.into().page(lang))
}

/// The page in Danish, where the request's language is not at hand.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.page(Lang::Da)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_speaks_both_languages() {
        let problems = [
            Problem::Refused(Refusal::NotFound),
            Problem::AccessEnded,
            Problem::Refused(Refusal::NotPermitted),
            Problem::WrongPassword { attempts_left: 3 },
            Problem::GrantLocked,
            Problem::BadCpr(CprError::Malformed),
            Problem::BadCpr(CprError::ImpossibleDate),
            Problem::Refused(Refusal::BadLetter(ComposeError::RecipientCprNotADate)),
            Problem::BadPassword(PasswordError::TooShort),
            Problem::Refused(Refusal::BadLetter(ComposeError::BadRecipient)),
            Problem::Refused(Refusal::BadLetter(ComposeError::NoteTooLong)),
            Problem::Refused(Refusal::ReceivedPostNotMovable),
            Problem::Refused(Refusal::AlreadySubmitted),
            Problem::FormTooLarge,
            Problem::Refused(Refusal::BadLetter(ComposeError::FileTypeNotAllowed)),
            Problem::LoginEnded(BrokerFailure::IdentityLocked),
            Problem::LoginEnded(BrokerFailure::Other("mitid_new".to_owned())),
        ];
        for problem in problems {
            let (da_heading, da_message) = problem.text(Lang::Da);
            let (en_heading, en_message) = problem.text(Lang::En);
            assert!(
                !da_message.is_empty() && !en_message.is_empty(),
                "{problem:?}"
            );
            assert_ne!(da_heading, en_heading, "{problem:?}");
            assert_ne!(da_message, en_message, "{problem:?}");
        }
        let (_, message) = Problem::WrongPassword { attempts_left: 3 }.text(Lang::En);
        assert!(message.contains("3 attempts left"), "{message}");
        let (_, message) = Problem::WrongPassword { attempts_left: 1 }.text(Lang::En);
        assert!(message.contains("1 attempt left"), "{message}");
    }

    #[test]
    fn cancelled_login_is_a_plain_page_with_a_way_back() {
        let response = Problem::LoginEnded(BrokerFailure::UserAborted).into_response();
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[test]
    fn low_assurance_is_forbidden_and_bad_state_is_bad_request() {
        let low = Problem::LoginFailed(LoginError::AssuranceTooLow { found: None });
        assert_eq!(low.into_response().status(), StatusCode::FORBIDDEN);
        assert_eq!(
            Problem::StateMismatch.into_response().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            Problem::IssuerMismatch.into_response().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            Problem::LoginFailed(LoginError::NoIdToken)
                .into_response()
                .status(),
            StatusCode::BAD_GATEWAY
        );
    }
}
