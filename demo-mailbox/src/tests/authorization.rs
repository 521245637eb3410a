//! The authorisation matrix: every route that works in a mailbox, with every kind of object
//! id of the mailbox under test (letters, folders, attachments, grants), against every kind
//! of person, in three mailboxes: Anna's own, the association Grundejerforeningen
//! Solsikken's, and the business Simulatorfirmaet ApS's.
//!
//! | column | person's mailbox | association's | business's |
//! |---|---|---|---|
//! | owner (may administer) | Anna, her own | Anna, an admin | Jens, a representative |
//! | organisation member | – | Dorthe, a member | Ida, an employee |
//! | read helper | Bo, through a read grant of some folders | the same | the same |
//! | read-and-write helper | Carl, the same through a read-and-write grant | the same | the same |
//! | revoked helper | Lis, whose grant was revoked while she was in the mailbox (her front page is her own mailbox again) | the same | the same |
//! | removed member | – | Kim, whose membership ended while he was in the mailbox | – |
//! | another citizen | Gitte, in her own mailbox | the same | the same |
//! | anonymous | no session | the same | the same |
//!
//! The expected outcome of each cell is written out below from the permission table (not
//! from the code under test). Each cell runs in a fresh world, so an allowed cell cannot
//! disturb the next. Only the allowed cells succeed; every refusal changes nothing, shows a
//! page that names no object, and where the object is hidden from the column ("not yours")
//! it is the same answer, byte for byte, as for an id that exists nowhere.

use axum::body::Body;
use axum::http::{Response, StatusCode};

use super::{body_bytes, body_text, fake_broker::form_encode, location, Citizen, TestMailbox};
use crate::access::{
    AccessPassword, Cpr, FolderScope, Grant, GrantId, Membership, Permission, Role,
};
use crate::paths::{
    ACCESS, ACTIVITY, FOLDER, FOLDERS, FOLDER_DELETE, FOLDER_RENAME, GRANT_EDIT, GRANT_PASSWORD,
    GRANT_REVOKE, HOME, LETTER, LETTER_ATTACHMENT, LETTER_DELETE, LETTER_DELETE_PERMANENTLY,
    LETTER_EDIT_DRAFT, LETTER_FORWARD, LETTER_MOVE, LETTER_REPLY, LETTER_RESTORE,
    LETTER_SEND_DRAFT, LETTER_UNREAD, MAILBOXES, MAILBOXES_SWITCH, WRITE,
};
use crate::post::delivery::file_own_letter;
use crate::post::{
    unix_time, Attachment, Authority, Folder, FolderName, Letter, LetterContent, LetterId,
    StandardFolder,
};
use crate::session::{BusinessLogin, Current, Via};

const ANNA: &str = "7204901236";
const BO: &str = "9011752131";
const CARL: &str = "6302014157";
const DORTHE: &str = "8107680342";
const GITTE: &str = "6503792846";
const HUGO: &str = "7008115013";
const IDA: &str = "6210883124";
const JENS: &str = "7905621195";
const KIM: &str = "8412951239";
const LIS: &str = "6806500288";
const SOLSIKKEN: &str = "31415926";
const FIRMAET: &str = "12345674";
const PASSWORD: &str = "matrix-kodeord";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Owner,
    OrgMember,
    ReadHelper,
    ReadWriteHelper,
    RevokedHelper,
    RemovedMember,
    OtherCitizen,
    Anonymous,
}

/// The mailbox under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Anna's own.
    Person,
    /// Grundejerforeningen Solsikken's: Anna administers it, Dorthe is a member.
    Association,
    /// Simulatorfirmaet ApS's: Jens represents it, Ida is an employee.
    Business,
}

impl Target {
    /// The columns that exist for this mailbox.
    fn columns(self) -> Vec<Column> {
        use Column::*;
        let mut columns = vec![Owner];
        if self != Target::Person {
            columns.push(OrgMember);
        }
        columns.extend([ReadHelper, ReadWriteHelper, RevokedHelper]);
        if self == Target::Association {
            columns.push(RemovedMember);
        }
        columns.extend([OtherCitizen, Anonymous]);
        columns
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 200, or 303 to anywhere but the login.
    Allowed,
    /// 404: not in this mailbox, or not in a folder the column sees.
    NotFound,
    /// 403: the column's access does not allow it.
    NotPermitted,
    /// 409: allowed, but not for this object (e.g. only a draft can be sent as one).
    Conflict,
    /// 303 to `/login`.
    Login,
    /// 403: the way into the mailbox was revoked.
    AccessEnded,
    /// Any other status: always a failure.
    Unexpected(u16),
}

/// What a case is about in the mailbox under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    /// In Indbakke; accepts replies; one attachment or more.
    InboxLetter,
    /// In Slettet; accepts replies; attachments.
    BinnedLetter,
    /// In Kladder; no replies, no attachment.
    Draft,
    /// In the own folder "Hemmeligt", which the helpers were not given; accepts replies, an
    /// attachment.
    HiddenLetter,
    /// The own folder "Privat", empty, given to the helpers.
    OwnFolder,
    /// Indbakke.
    Inbox,
    /// "Hemmeligt", holding the hidden letter.
    HiddenFolder,
    /// Bo's read grant.
    Grant,
    /// No object id.
    Nothing,
}

const LETTERS: [Object; 4] = [
    Object::InboxLetter,
    Object::BinnedLetter,
    Object::Draft,
    Object::HiddenLetter,
];
const FOLDER_OBJECTS: [Object; 3] = [Object::OwnFolder, Object::Inbox, Object::HiddenFolder];

/// A route, with the form a case sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    ReadLetter,
    MarkUnread,
    MoveToOwnFolder,
    MoveToSlettet,
    Delete,
    Restore,
    ConfirmPermanentDelete,
    DeletePermanently,
    Attachment,
    ReplyForm,
    Reply,
    ForwardForm,
    ForwardToCitizen,
    ForwardToEmail,
    SendDraft,
    EditDraftForm,
    EditDraft,
    ShowFolder,
    RenameFolder,
    DeleteFolder,
    ConfirmRevokeGrant,
    RevokeGrant,
    NewGrantPassword,
    EditGrant,
    Home,
    Search,
    ManageFolders,
    CreateFolder,
    WriteForm,
    Write,
    ActivityLog,
    AccessPage,
    GrantAccess,
    MailboxList,
    OpenBosGrant,
}

const LETTER_ROUTES: [Route; 17] = [
    Route::ReadLetter,
    Route::MarkUnread,
    Route::MoveToOwnFolder,
    Route::MoveToSlettet,
    Route::Delete,
    Route::Restore,
    Route::ConfirmPermanentDelete,
    Route::DeletePermanently,
    Route::Attachment,
    Route::ReplyForm,
    Route::Reply,
    Route::ForwardForm,
    Route::ForwardToCitizen,
    Route::ForwardToEmail,
    Route::SendDraft,
    Route::EditDraftForm,
    Route::EditDraft,
];
const FOLDER_ROUTES: [Route; 3] = [Route::ShowFolder, Route::RenameFolder, Route::DeleteFolder];
const GRANT_ROUTES: [Route; 4] = [
    Route::ConfirmRevokeGrant,
    Route::RevokeGrant,
    Route::NewGrantPassword,
    Route::EditGrant,
];
const PAGE_ROUTES: [Route; 11] = [
    Route::Home,
    Route::Search,
    Route::ManageFolders,
    Route::CreateFolder,
    Route::WriteForm,
    Route::Write,
    Route::ActivityLog,
    Route::AccessPage,
    Route::GrantAccess,
    Route::MailboxList,
    Route::OpenBosGrant,
];

impl Route {
    /// (path pattern, POST form or `None` for GET). Form values in capitals are filled in
    /// from the world.
    fn request(
        self,
    ) -> (
        &'static str,
        Option<&'static [(&'static str, &'static str)]>,
    ) {
        use Route::*;
        match self {
            ReadLetter => (LETTER, None),
            MarkUnread => (LETTER_UNREAD, Some(&[])),
            MoveToOwnFolder => (LETTER_MOVE, Some(&[("folder_id", "PRIVAT")])),
            MoveToSlettet => (LETTER_MOVE, Some(&[("folder_id", "SLETTET")])),
            Delete => (LETTER_DELETE, Some(&[])),
            Restore => (LETTER_RESTORE, Some(&[])),
            ConfirmPermanentDelete => (LETTER_DELETE_PERMANENTLY, None),
            DeletePermanently => (LETTER_DELETE_PERMANENTLY, Some(&[])),
            Attachment => (LETTER_ATTACHMENT, None),
            ReplyForm => (LETTER_REPLY, None),
            Reply => (LETTER_REPLY, Some(&[("subject", "Sv"), ("body", "Svar")])),
            ForwardForm => (LETTER_FORWARD, None),
            ForwardToCitizen => (LETTER_FORWARD, Some(&[("to", "GITTE")])),
            ForwardToEmail => (LETTER_FORWARD, Some(&[("to", "x@example.test")])),
            SendDraft => (LETTER_SEND_DRAFT, Some(&[])),
            EditDraftForm => (LETTER_EDIT_DRAFT, None),
            EditDraft => (
                LETTER_EDIT_DRAFT,
                Some(&[
                    ("authority", "su"),
                    ("subject", "Rettet"),
                    ("body", ""),
                    ("intent", "draft"),
                ]),
            ),
            ShowFolder => (FOLDER, None),
            RenameFolder => (FOLDER_RENAME, Some(&[("name", "Omdøbt")])),
            DeleteFolder => (FOLDER_DELETE, Some(&[])),
            ConfirmRevokeGrant => (GRANT_REVOKE, None),
            RevokeGrant => (GRANT_REVOKE, Some(&[])),
            NewGrantPassword => (GRANT_PASSWORD, Some(&[("password", "nyt-kodeord")])),
            EditGrant => (
                GRANT_EDIT,
                Some(&[("permission", "read_write"), ("folder", "PRIVAT")]),
            ),
            Home => (HOME, None),
            // Every letter of the world has "brev" in its text.
            Search => ("/search?q=brev&deleted=on", None),
            ManageFolders => (FOLDERS, None),
            CreateFolder => (FOLDERS, Some(&[("name", "Ny mappe")])),
            WriteForm => (WRITE, None),
            Write => (
                WRITE,
                Some(&[("authority", "su"), ("subject", "Nyt"), ("body", "Tekst")]),
            ),
            ActivityLog => (ACTIVITY, None),
            AccessPage => (ACCESS, None),
            GrantAccess => (
                ACCESS,
                Some(&[
                    ("name", "Hugo"),
                    ("cpr", HUGO),
                    ("permission", "read"),
                    ("all_folders", "on"),
                    ("password", PASSWORD),
                ]),
            ),
            MailboxList => (MAILBOXES, None),
            OpenBosGrant => (
                MAILBOXES_SWITCH,
                Some(&[("to", "BOS_GRANT"), ("password", PASSWORD)]),
            ),
        }
    }

    /// Routes about the person, not the mailbox: they work whatever the session's mailbox.
    fn about_the_person(self) -> bool {
        matches!(self, Route::MailboxList | Route::OpenBosGrant)
    }
}

/// The permission table, written out for this test: the owner (or whoever administers an
/// organisation's mailbox) may do everything; an organisation's plain member or employee
/// everything but managing access and seeing the activity log; read and read-and-write
/// helpers as Digital Post's *adgange* say.
fn may(column: Column, route: Route) -> bool {
    use Route::*;
    let read_write = column == Column::ReadWriteHelper;
    match column {
        Column::Owner => true,
        Column::OrgMember => !matches!(
            route,
            ActivityLog
                | AccessPage
                | GrantAccess
                | ConfirmRevokeGrant
                | RevokeGrant
                | NewGrantPassword
                | EditGrant
        ),
        Column::ReadHelper | Column::ReadWriteHelper => match route {
            // Restoring moves a letter out of Slettet, as any move.
            ReadLetter | MarkUnread | MoveToOwnFolder | Restore | Attachment | ForwardForm
            | ForwardToCitizen | ShowFolder | Home | Search | ManageFolders | CreateFolder
            | ActivityLog | MailboxList | OpenBosGrant => true,
            // Out of Digital Post is sending: read access forwards only inside it.
            ForwardToEmail | MoveToSlettet | Delete | ReplyForm | Reply | SendDraft
            | EditDraftForm | EditDraft | WriteForm | Write | RenameFolder | DeleteFolder => {
                read_write
            }
            ConfirmPermanentDelete
            | DeletePermanently
            | ConfirmRevokeGrant
            | RevokeGrant
            | NewGrantPassword
            | EditGrant
            | AccessPage
            | GrantAccess => false,
        },
        _ => false,
    }
}

/// Whether the column is a helper (who sees only the folders given).
fn is_helper(column: Column) -> bool {
    matches!(column, Column::ReadHelper | Column::ReadWriteHelper)
}

/// The expected outcome of one cell.
fn expected(route: Route, object: Object, column: Column) -> Outcome {
    use Outcome::*;
    use Route::*;
    if column == Column::Anonymous {
        return Login;
    }
    if route == OpenBosGrant {
        // Only Bo, the grantee, opens Bo's grant; to anyone else it does not exist.
        return if column == Column::ReadHelper {
            Allowed
        } else {
            NotFound
        };
    }
    if route.about_the_person() {
        return Allowed;
    }
    match column {
        // The front page takes them back to their own mailbox, with a notice.
        Column::RevokedHelper | Column::RemovedMember if route == Home => return Allowed,
        Column::RevokedHelper | Column::RemovedMember => return AccessEnded,
        // Gitte works in her own mailbox: everything of the other one is not found there.
        Column::OtherCitizen => {
            return if object == Object::Nothing {
                Allowed
            } else {
                NotFound
            }
        }
        _ => {}
    }
    let sees = !is_helper(column) || !matches!(object, Object::HiddenLetter | Object::HiddenFolder);
    // What the access does not allow is refused before the object is looked up: for a
    // capability route the answer does not depend on the object. Moving into Slettet is
    // the exception: only the target folder makes it a deletion.
    if route != MoveToSlettet && !may(column, route) {
        return NotPermitted;
    }
    if !sees {
        return NotFound;
    }
    match (route, object) {
        (MoveToSlettet, _) if !may(column, route) => NotPermitted,
        // Deleting a letter already in Slettet asks to delete it for good.
        (Delete, Object::BinnedLetter) if !may(column, DeletePermanently) => NotPermitted,
        (ConfirmPermanentDelete | DeletePermanently, letter) if letter != Object::BinnedLetter => {
            Conflict
        }
        // Only a letter in Slettet is restored (the binned letter goes back to Indbakke, which
        // the helpers were given).
        (Restore, letter) if letter != Object::BinnedLetter => Conflict,
        (Attachment, Object::Draft) => NotFound,
        (Reply, Object::Draft) => Conflict,
        (SendDraft | EditDraftForm | EditDraft, letter) if letter != Object::Draft => Conflict,
        (RenameFolder | DeleteFolder, Object::Inbox) => Conflict,
        (DeleteFolder, Object::HiddenFolder) => Conflict,
        _ => Allowed,
    }
}

/// Everything one cell works on, made afresh.
struct World {
    mailbox: TestMailbox,
    /// Whoever may administer it, working in it (its `mailbox` is the one under test).
    owner: Citizen,
    /// An organisation's plain member or employee, working in it.
    member: Option<Citizen>,
    bo: Citizen,
    carl: Citizen,
    lis: Citizen,
    /// A member whose membership ended while working in the association's mailbox.
    kim: Option<Citizen>,
    gitte: Citizen,
    inbox_letter: Letter,
    binned_letter: Letter,
    draft: Letter,
    hidden_letter: Letter,
    own_folder: Folder,
    inbox: Folder,
    bin: Folder,
    hidden_folder: Folder,
    bos_grant: GrantId,
}

/// A letter from `sender` that accepts replies and carries one attachment.
fn letter_in(
    folder: &Folder,
    sender: Authority,
    subject: &str,
    now: crate::post::UnixTime,
) -> Letter {
    Letter {
        id: LetterId::random(),
        mailbox: folder.mailbox.clone(),
        folder: folder.id.clone(),
        received_at: now,
        read: false,
        content: LetterContent {
            sender,
            subject: subject.to_owned(),
            body: format!("{subject}: brødtekst"),
            accepts_replies: true,
            attachments: vec![Attachment::pdf(
                format!("{subject}.pdf"),
                b"%PDF-1.4".to_vec(),
            )],
            sent_to: None,
            forwarded_by: None,
            helped_by: None,
        },
    }
}

impl World {
    async fn new(password: &AccessPassword, target: Target) -> Self {
        let mailbox = TestMailbox::without_broker().await;
        let store = mailbox.app.store().clone();
        let now = unix_time(mailbox.app.now());
        let business = |may_represent| BusinessLogin {
            cvr: FIRMAET.to_owned(),
            name: "Simulatorfirmaet ApS".to_owned(),
            may_represent,
        };
        let (owner, member, kim) = match target {
            Target::Person => (mailbox.citizen_with_cpr(ANNA, "Anna Testesen"), None, None),
            Target::Association => {
                // Seeded: Anna administers Solsikken, Dorthe is a member. Kim joins and works
                // in the mailbox; his membership ends below.
                let kim = Membership {
                    cpr: Cpr::parse(KIM).unwrap(),
                    cvr: SOLSIKKEN.to_owned(),
                    name: "Grundejerforeningen Solsikken".to_owned(),
                    role: Role::Member,
                };
                assert!(store.memberships.add(&kim).unwrap());
                let into = |cpr, name| {
                    mailbox.switch_to_association(mailbox.citizen_with_cpr(cpr, name), SOLSIKKEN)
                };
                (
                    into(ANNA, "Anna Testesen"),
                    Some(into(DORTHE, "Dorthe Kodeviser")),
                    Some(into(KIM, "Kim Spærret")),
                )
            }
            Target::Business => (
                mailbox.business_citizen(JENS, "Jens Direktør", business(true)),
                Some(mailbox.business_citizen(IDA, "Ida Ansat", business(false))),
                None,
            ),
        };
        let bo = mailbox.citizen_with_cpr(BO, "Bo Prøvegaard");
        let carl = mailbox.citizen_with_cpr(CARL, "Carl Kodeordsen");
        let lis = mailbox.citizen_with_cpr(LIS, "Lis Nøglekort");
        let gitte = mailbox.citizen_with_cpr(GITTE, "Gitte Hemmelig");

        let own = |name: &str| {
            let folder = Folder::own(&owner.mailbox, FolderName::parse(name).unwrap());
            store.folders.create(&folder).unwrap();
            folder
        };
        let own_folder = own("Privat");
        let hidden_folder = own("Hemmeligt");
        let inbox = mailbox.standard_folder(&owner, StandardFolder::Inbox);
        let bin = mailbox.standard_folder(&owner, StandardFolder::Deleted);
        let drafts = mailbox.standard_folder(&owner, StandardFolder::Drafts);

        let inbox_letter = letter_in(&inbox, Authority::Skattestyrelsen, "Indbakkebrev", now);
        let binned_letter = letter_in(&bin, Authority::Kommune, "Slettet brev", now);
        let hidden_letter = letter_in(&hidden_folder, Authority::Domstolene, "Hemmeligt brev", now);
        for letter in [&inbox_letter, &binned_letter, &hidden_letter] {
            store.letters.put(letter).unwrap();
        }
        let draft = file_own_letter(
            &store,
            &owner.mailbox,
            StandardFolder::Drafts,
            LetterContent {
                sender: Authority::Su,
                subject: "Kladde".to_owned(),
                body: "Udkast".to_owned(),
                accepts_replies: false,
                attachments: Vec::new(),
                sent_to: Some("SU".to_owned()),
                forwarded_by: None,
                helped_by: None,
            },
            now,
        )
        .unwrap();

        // The helpers were given every folder but Sendt and Hemmeligt.
        let given = FolderScope::Only(vec![
            inbox.id.clone(),
            drafts.id.clone(),
            bin.id.clone(),
            own_folder.id.clone(),
        ]);
        let grant_to = |helper: &Citizen, cpr: &str, permission| {
            let grant = Grant::new(
                owner.mailbox.clone(),
                Cpr::parse(cpr).unwrap(),
                "Hjælper".to_owned(),
                "Postkassen".to_owned(),
                permission,
                given.clone(),
                password.clone(),
                now,
            );
            store.grants.create(&grant).unwrap();
            // As a right password at the mailbox list would.
            assert!(mailbox.app.sessions().switch(
                &helper.session,
                Current {
                    mailbox: owner.mailbox.clone(),
                    via: Via::Grant {
                        id: grant.id.clone(),
                        version: grant.version,
                    },
                },
            ));
            grant.id
        };
        let bos_grant = grant_to(&bo, BO, Permission::Read);
        grant_to(&carl, CARL, Permission::ReadWrite);
        let lis_grant = grant_to(&lis, LIS, Permission::ReadWrite);
        assert!(store
            .grants
            .revoke(&owner.mailbox, &lis_grant, now)
            .unwrap());
        if kim.is_some() {
            assert!(store
                .memberships
                .remove(&Cpr::parse(KIM).unwrap(), SOLSIKKEN)
                .unwrap());
        }

        Self {
            mailbox,
            owner,
            member,
            bo,
            carl,
            lis,
            kim,
            gitte,
            inbox_letter,
            binned_letter,
            draft,
            hidden_letter,
            own_folder,
            inbox,
            bin,
            hidden_folder,
            bos_grant,
        }
    }

    fn citizen(&self, column: Column) -> Option<&Citizen> {
        match column {
            Column::Owner => Some(&self.owner),
            Column::OrgMember => self.member.as_ref(),
            Column::ReadHelper => Some(&self.bo),
            Column::ReadWriteHelper => Some(&self.carl),
            Column::RevokedHelper => Some(&self.lis),
            Column::RemovedMember => self.kim.as_ref(),
            Column::OtherCitizen => Some(&self.gitte),
            Column::Anonymous => None,
        }
    }

    fn id(&self, object: Object) -> String {
        match object {
            Object::InboxLetter => self.inbox_letter.id.as_str().to_owned(),
            Object::BinnedLetter => self.binned_letter.id.as_str().to_owned(),
            Object::Draft => self.draft.id.as_str().to_owned(),
            Object::HiddenLetter => self.hidden_letter.id.as_str().to_owned(),
            Object::OwnFolder => self.own_folder.id.as_str().to_owned(),
            Object::Inbox => self.inbox.id.as_str().to_owned(),
            Object::HiddenFolder => self.hidden_folder.id.as_str().to_owned(),
            Object::Grant => self.bos_grant.as_str().to_owned(),
            Object::Nothing => String::new(),
        }
    }

    /// Everything a refused request must leave alone.
    fn snapshot(&self) -> String {
        let store = self.mailbox.app.store();
        let folders = self.mailbox.folders(&self.owner);
        let letters: Vec<Letter> = folders
            .iter()
            .flat_map(|folder| self.mailbox.letters_in(&self.owner, folder))
            .collect();
        let gittes: Vec<Letter> = self
            .mailbox
            .folders(&self.gitte)
            .iter()
            .flat_map(|folder| self.mailbox.letters_in(&self.gitte, folder))
            .collect();
        format!(
            "{folders:?}\n{letters:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{gittes:?}",
            store.grants.list(&self.owner.mailbox).unwrap(),
            store.grants.list(&self.gitte.mailbox).unwrap(),
            store
                .activity
                .for_mailbox(&self.owner.mailbox, 1000)
                .unwrap(),
            store.outbox.latest(1000).unwrap(),
            store.memberships.list().unwrap(),
        )
    }

    /// Sends `route` about the object `id` as `column`.
    async fn send(&self, route: Route, id: &str, column: Column) -> Response<Body> {
        let (pattern, form) = route.request();
        let path = pattern
            .replace("{letter_id}", id)
            .replace("{folder_id}", id)
            .replace("{grant_id}", id)
            .replace("{n}", "1");
        let bos_grant = format!("grant:{}", self.bos_grant.as_str());
        let citizen = self.citizen(column);
        match form {
            None => match citizen {
                Some(citizen) => self.mailbox.get_as(citizen, &path).await,
                None => self.mailbox.get(&path, &[]).await,
            },
            Some(fields) => {
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(name, value)| {
                        let value = match *value {
                            "PRIVAT" => self.own_folder.id.as_str(),
                            "SLETTET" => self.bin.id.as_str(),
                            "GITTE" => GITTE,
                            "BOS_GRANT" => bos_grant.as_str(),
                            other => other,
                        };
                        (*name, value)
                    })
                    .collect();
                match citizen {
                    Some(citizen) => self.mailbox.post_as(citizen, &path, &fields).await,
                    None => {
                        self.mailbox
                            .post_form(&path, &[], &form_encode(&fields))
                            .await
                    }
                }
            }
        }
    }
}

/// The outcome a response shows.
fn outcome_of(response: &Response<Body>) -> Outcome {
    match response.status() {
        StatusCode::OK => Outcome::Allowed,
        StatusCode::SEE_OTHER if location(response).starts_with("/login") => Outcome::Login,
        StatusCode::SEE_OTHER => Outcome::Allowed,
        StatusCode::NOT_FOUND => Outcome::NotFound,
        StatusCode::CONFLICT => Outcome::Conflict,
        // Told apart by the page (below).
        StatusCode::FORBIDDEN => Outcome::NotPermitted,
        other => Outcome::Unexpected(other.as_u16()),
    }
}

/// The page of each refusal, as rendered for nobody in particular.
async fn refusal_pages() -> Vec<(Outcome, String)> {
    use crate::access::desk::Refusal;
    use crate::language::Lang;
    use crate::problem::Problem;
    vec![
        (
            Outcome::NotFound,
            body_text(Problem::Refused(Refusal::NotFound).page(Lang::Da)).await,
        ),
        (
            Outcome::NotPermitted,
            body_text(Problem::Refused(Refusal::NotPermitted).page(Lang::Da)).await,
        ),
        (
            Outcome::AccessEnded,
            body_text(Problem::AccessEnded.page(Lang::Da)).await,
        ),
    ]
}

/// Runs every cell of `routes` × `objects` × the columns of `target`.
async fn run_matrix(target: Target, routes: &[Route], objects: &[Object]) {
    let password = AccessPassword::hash(PASSWORD).unwrap();
    let pages = refusal_pages().await;
    let page_of = |outcome: Outcome| {
        pages
            .iter()
            .find(|(kind, _)| *kind == outcome)
            .map(|(_, page)| page.clone())
    };
    let mut failures = Vec::new();
    let mut allowed = 0;
    for &route in routes {
        for &object in objects {
            for column in target.columns() {
                let want = expected(route, object, column);
                let world = World::new(&password, target).await;
                let before = world.snapshot();
                let response = world.send(route, &world.id(object), column).await;
                let mut got = outcome_of(&response);
                let cell = format!("{target:?}: {route:?} × {object:?} × {column:?}");
                // Attachments are PDFs: compare bytes as (lossy) text.
                let body = String::from_utf8_lossy(&body_bytes(response).await).into_owned();
                if got == Outcome::NotPermitted
                    && Some(&body) == page_of(Outcome::AccessEnded).as_ref()
                {
                    got = Outcome::AccessEnded;
                }
                if got != want {
                    failures.push(format!("{cell}: expected {want:?}, got {got:?}"));
                    continue;
                }
                if want == Outcome::Allowed {
                    allowed += 1;
                    continue;
                }
                // A refusal changes nothing...
                if world.snapshot() != before {
                    failures.push(format!("{cell}: a refusal changed something"));
                }
                // ...shows a page naming no object...
                if let Some(page) = page_of(want) {
                    if body != page {
                        failures.push(format!("{cell}: the refusal page is not the plain one"));
                    }
                }
                // ...and "not yours" is exactly "does not exist".
                if want == Outcome::NotFound && object != Object::Nothing {
                    let nowhere = world.send(route, "0000", column).await;
                    let status = nowhere.status();
                    let nowhere = body_text(nowhere).await;
                    if status != StatusCode::NOT_FOUND || nowhere != body {
                        failures.push(format!(
                            "{cell}: differs from an id that exists nowhere ({status})"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(allowed > 0, "some cells are allowed");
}

#[tokio::test]
async fn matrix_of_letter_and_attachment_routes_in_a_persons_mailbox() {
    run_matrix(Target::Person, &LETTER_ROUTES, &LETTERS).await;
}

#[tokio::test]
async fn matrix_of_letter_and_attachment_routes_in_an_associations_mailbox() {
    run_matrix(Target::Association, &LETTER_ROUTES, &LETTERS).await;
}

#[tokio::test]
async fn matrix_of_letter_and_attachment_routes_in_a_business_mailbox() {
    run_matrix(Target::Business, &LETTER_ROUTES, &LETTERS).await;
}

#[tokio::test]
async fn matrix_of_folder_and_grant_routes_in_a_persons_mailbox() {
    run_matrix(Target::Person, &FOLDER_ROUTES, &FOLDER_OBJECTS).await;
    run_matrix(Target::Person, &GRANT_ROUTES, &[Object::Grant]).await;
}

#[tokio::test]
async fn matrix_of_folder_and_grant_routes_in_an_associations_mailbox() {
    run_matrix(Target::Association, &FOLDER_ROUTES, &FOLDER_OBJECTS).await;
    run_matrix(Target::Association, &GRANT_ROUTES, &[Object::Grant]).await;
}

#[tokio::test]
async fn matrix_of_folder_and_grant_routes_in_a_business_mailbox() {
    run_matrix(Target::Business, &FOLDER_ROUTES, &FOLDER_OBJECTS).await;
    run_matrix(Target::Business, &GRANT_ROUTES, &[Object::Grant]).await;
}

#[tokio::test]
async fn matrix_of_routes_without_an_object_id() {
    for target in [Target::Person, Target::Association, Target::Business] {
        run_matrix(target, &PAGE_ROUTES, &[Object::Nothing]).await;
    }
}

/// The table itself, spot-checked against the domain facts (digital-post.md): read access
/// reads, moves, marks and forwards inside Digital Post (never to e-mail), but never deletes,
/// replies or writes; read and write also replies, forwards to e-mail and deletes to Slettet,
/// but never for good; only the owner grants access.
#[test]
fn the_expected_table_follows_the_domain() {
    use Column::*;
    use Outcome::*;
    let cell = |route, object, column| expected(route, object, column);
    assert_eq!(
        cell(Route::ForwardToEmail, Object::InboxLetter, ReadHelper),
        NotPermitted
    );
    assert_eq!(
        cell(Route::ForwardToCitizen, Object::InboxLetter, ReadHelper),
        Allowed
    );
    assert_eq!(
        cell(Route::ForwardToEmail, Object::InboxLetter, ReadWriteHelper),
        Allowed
    );
    assert_eq!(
        cell(Route::MoveToSlettet, Object::InboxLetter, ReadHelper),
        NotPermitted
    );
    assert_eq!(
        cell(Route::Reply, Object::InboxLetter, ReadHelper),
        NotPermitted
    );
    assert_eq!(
        cell(Route::Reply, Object::InboxLetter, ReadWriteHelper),
        Allowed
    );
    assert_eq!(
        cell(Route::Delete, Object::InboxLetter, ReadWriteHelper),
        Allowed
    );
    assert_eq!(
        cell(
            Route::DeletePermanently,
            Object::BinnedLetter,
            ReadWriteHelper
        ),
        NotPermitted
    );
    assert_eq!(
        cell(Route::DeletePermanently, Object::BinnedLetter, Owner),
        Allowed
    );
    assert_eq!(
        cell(Route::GrantAccess, Object::Nothing, ReadWriteHelper),
        NotPermitted
    );
    assert_eq!(
        cell(Route::ReadLetter, Object::HiddenLetter, ReadWriteHelper),
        NotFound
    );
    assert_eq!(
        cell(Route::ReadLetter, Object::InboxLetter, RevokedHelper),
        AccessEnded
    );
    assert_eq!(
        cell(Route::ReadLetter, Object::InboxLetter, OtherCitizen),
        NotFound
    );
    assert_eq!(
        cell(Route::RevokeGrant, Object::Grant, OtherCitizen),
        NotFound
    );
    assert_eq!(
        cell(Route::MailboxList, Object::Nothing, RevokedHelper),
        Allowed
    );
    assert_eq!(cell(Route::EditGrant, Object::Grant, Owner), Allowed);
    for helper in [ReadHelper, ReadWriteHelper] {
        assert_eq!(cell(Route::EditGrant, Object::Grant, helper), NotPermitted);
    }
    assert_eq!(
        cell(Route::EditGrant, Object::Grant, OtherCitizen),
        NotFound
    );
    // In an organisation's mailbox, a plain member or employee does everything with the
    // post, deleting for good too, but gives no access and sees no activity log.
    for route in [Route::GrantAccess, Route::AccessPage, Route::ActivityLog] {
        assert_eq!(cell(route, Object::Nothing, OrgMember), NotPermitted);
    }
    for route in GRANT_ROUTES {
        assert_eq!(cell(route, Object::Grant, OrgMember), NotPermitted);
    }
    assert_eq!(
        cell(Route::DeletePermanently, Object::BinnedLetter, OrgMember),
        Allowed
    );
    assert_eq!(
        cell(Route::ReadLetter, Object::HiddenLetter, OrgMember),
        Allowed
    );
    assert_eq!(cell(Route::Write, Object::Nothing, OrgMember), Allowed);
    assert_eq!(
        cell(Route::ReadLetter, Object::InboxLetter, RemovedMember),
        AccessEnded
    );
    assert_eq!(
        cell(Route::MailboxList, Object::Nothing, RemovedMember),
        Allowed
    );
    assert_eq!(
        Target::Person.columns(),
        [
            Owner,
            ReadHelper,
            ReadWriteHelper,
            RevokedHelper,
            OtherCitizen,
            Anonymous
        ]
    );
    assert_eq!(Target::Association.columns().len(), 8);
    assert!(!Target::Business.columns().contains(&RemovedMember));
}

/// A letter of Gitte's own cannot be moved into a folder of Anna's, and a helper's session
/// cannot reach Gitte's post either: object ids never cross mailboxes.
#[tokio::test]
async fn ids_never_cross_mailboxes() {
    let password = AccessPassword::hash(PASSWORD).unwrap();
    let world = World::new(&password, Target::Person).await;
    let gittes_inbox = world
        .mailbox
        .standard_folder(&world.gitte, StandardFolder::Inbox);
    let gittes_letter = world
        .mailbox
        .letters_in(&world.gitte, &gittes_inbox)
        .remove(0);
    let before = world.snapshot();
    let moved = world
        .mailbox
        .post_as(
            &world.gitte,
            &LETTER_MOVE.replace("{letter_id}", gittes_letter.id.as_str()),
            &[("folder_id", world.own_folder.id.as_str())],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::NOT_FOUND);
    for helper in [&world.bo, &world.carl] {
        let read = world
            .mailbox
            .get_as(
                helper,
                &LETTER.replace("{letter_id}", gittes_letter.id.as_str()),
            )
            .await;
        assert_eq!(read.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(world.snapshot(), before);
    // The owner herself reaches everything, the hidden folder too.
    for path in [
        LETTER.replace("{letter_id}", world.hidden_letter.id.as_str()),
        FOLDER.replace("{folder_id}", world.hidden_folder.id.as_str()),
    ] {
        assert_eq!(
            world.mailbox.get_as(&world.owner, &path).await.status(),
            StatusCode::OK
        );
    }
}
