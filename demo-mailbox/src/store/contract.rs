//! The storage contract: one suite, run against every implementation.
//!
//! Each contract is a plain function taking a [`Store`]; [`contract_tests!`] turns the list
//! into one `#[test]` per contract and implementation, so a failure names both
//! (`store::contract::sqlite_file::letters_of_another_mailbox_are_not_found`).

use std::path::PathBuf;

use tempfile::TempDir;

use super::*;
use crate::access::{ActivityAction, FolderScope, Permission};
use crate::post::{Attachment, Authority, Channel, LetterContent, OutboxEntry, StandardFolder};

/// A store under test, with what it needs to stay alive and (for durable ones) to reopen.
struct Subject {
    store: Store,
    /// Opens the same data again; `None` for implementations that keep nothing.
    reopen: Option<Box<dyn Fn() -> Store>>,
    /// Dropped last, after the store has closed its file.
    _dir: Option<TempDir>,
}

fn sqlite_memory() -> Subject {
    Subject {
        store: Store::open(None).unwrap(),
        reopen: None,
        _dir: None,
    }
}

fn sqlite_file() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let data_dir: PathBuf = dir.path().join("mailbox");
    let open = move || Store::open(Some(&data_dir)).unwrap();
    Subject {
        store: open(),
        reopen: Some(Box::new(open)),
        _dir: Some(dir),
    }
}

macro_rules! contract_tests {
    ($imp:ident, $make:expr) => {
        contract_tests!(@module $imp, $make, {});
    };
    ($imp:ident, $make:expr, durable) => {
        contract_tests!(@module $imp, $make, {
            #[test]
            fn everything_survives_reopen() {
                super::everything_survives_reopen($make());
            }
        });
    };
    (@module $imp:ident, $make:expr, { $($extra:item)* }) => {
        mod $imp {
            contract_tests!(@each $make;
                mailbox_is_found_by_owner_with_its_folders_and_letters,
                second_mailbox_for_an_owner_is_conflict_and_writes_nothing,
                owners_of_different_kinds_do_not_collide,
                folders_list_standard_first_then_own_by_name,
                own_folder_names_are_unique_per_mailbox,
                rename_changes_only_own_folders_of_the_mailbox,
                delete_folder_only_when_empty_and_own,
                letters_list_newest_first_per_folder,
                letters_of_another_mailbox_are_not_found,
                set_read_changes_only_the_mailboxs_letter,
                move_needs_letter_and_folder_in_the_mailbox,
                a_letter_in_slettet_remembers_the_folder_it_left,
                delete_letter_is_true_once,
                letter_into_another_mailboxs_folder_is_refused,
                unread_counts_per_folder,
                mailbox_is_found_by_id_and_exemption_is_per_mailbox,
                a_seeding_is_first_once,
                outbox_lists_newest_first_up_to_the_limit,
                attachments_are_stored_with_their_bytes,
                grants_are_found_only_through_the_mailbox_or_the_grantee,
                a_second_open_grant_to_the_same_person_is_conflict_until_revoked,
                a_revoked_grant_stays_with_the_owner_and_leaves_the_grantee,
                failed_attempts_count_and_a_new_password_resets_them_and_bumps_the_version,
                parallel_reservations_never_pass_the_limit,
                folders_a_helper_creates_join_a_grant_of_chosen_folders,
                the_owner_changes_an_open_grant_of_her_mailbox_only,
                activity_is_per_mailbox_newest_first_up_to_the_limit,
                memberships_are_per_person_and_adding_again_renames_the_association,
                memberships_are_listed_removed_and_seeded_once,
                a_submission_is_claimed_once_per_mailbox_and_remembers_its_letter,
                parallel_claims_of_a_submission_give_one_new,
            );
            $($extra)*
        }
    };
    (@each $make:expr; $($contract:ident),* $(,)?) => {
        $(
            #[test]
            fn $contract() {
                let subject = $make();
                super::$contract(&subject.store);
            }
        )*
    };
}

contract_tests!(sqlite_memory, super::sqlite_memory);
contract_tests!(sqlite_file, super::sqlite_file, durable);

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const NOW: UnixTime = 1_700_000_000;

use crate::post::UnixTime;

/// A mailbox for `owner` with its standard folders and the first post.
fn new_mailbox(store: &Store, owner: &str) -> NewMailbox {
    let new = NewMailbox::for_owner(Owner::PersonBySubject(owner.to_owned()), NOW);
    store.mailboxes.create(&new).unwrap();
    new
}

fn folder(new: &NewMailbox, which: StandardFolder) -> FolderId {
    new.folders
        .iter()
        .find(|folder| folder.standard_kind() == Some(which))
        .unwrap()
        .id
        .clone()
}

fn letter(new: &NewMailbox, folder: &FolderId, subject: &str, received_at: UnixTime) -> Letter {
    Letter {
        id: LetterId::random(),
        mailbox: new.mailbox.id.clone(),
        folder: folder.clone(),
        received_at,
        read: false,
        content: LetterContent {
            sender: Authority::Su,
            subject: subject.to_owned(),
            body: "Tekst".to_owned(),
            accepts_replies: false,
            attachments: Vec::new(),
            sent_to: None,
            forwarded_by: None,
            helped_by: None,
        },
    }
}

fn own_folder(store: &Store, new: &NewMailbox, name: &str) -> Folder {
    let folder = Folder::own(&new.mailbox.id, FolderName::parse(name).unwrap());
    store.folders.create(&folder).unwrap();
    folder
}

fn names(folders: &[Folder]) -> Vec<&str> {
    folders.iter().map(Folder::display_name).collect()
}

// ---------------------------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------------------------

fn mailbox_is_found_by_owner_with_its_folders_and_letters(store: &Store) {
    let new = new_mailbox(store, "anna");
    let found = store
        .mailboxes
        .by_owner(&Owner::PersonBySubject("anna".to_owned()))
        .unwrap();
    assert_eq!(found, Some(new.mailbox.clone()));
    assert_eq!(store.folders.list(&new.mailbox.id).unwrap(), new.folders);
    let inbox = folder(&new, StandardFolder::Inbox);
    let mut stored = store.letters.list(&new.mailbox.id, &inbox).unwrap();
    let mut seeded = new.letters.clone();
    stored.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    seeded.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert_eq!(stored, seeded);
    assert_eq!(
        store
            .mailboxes
            .by_owner(&Owner::PersonBySubject("bo".to_owned()))
            .unwrap(),
        None
    );
}

fn second_mailbox_for_an_owner_is_conflict_and_writes_nothing(store: &Store) {
    let first = new_mailbox(store, "anna");
    let second = NewMailbox::for_owner(Owner::PersonBySubject("anna".to_owned()), NOW);
    assert!(matches!(
        store.mailboxes.create(&second),
        Err(StoreError::Conflict(_))
    ));
    assert!(store.folders.list(&second.mailbox.id).unwrap().is_empty());
    let letter = &second.letters[0];
    assert_eq!(
        store.letters.get(&second.mailbox.id, &letter.id).unwrap(),
        None
    );
    assert_eq!(
        store
            .mailboxes
            .by_owner(&first.mailbox.owner)
            .unwrap()
            .map(|mailbox| mailbox.id),
        Some(first.mailbox.id)
    );
}

fn owners_of_different_kinds_do_not_collide(store: &Store) {
    let by_sub = NewMailbox::for_owner(Owner::PersonBySubject("12345678".to_owned()), NOW);
    let by_cvr = NewMailbox::for_owner(Owner::Business("12345678".to_owned()), NOW);
    store.mailboxes.create(&by_sub).unwrap();
    store.mailboxes.create(&by_cvr).unwrap();
    let found = store
        .mailboxes
        .by_owner(&Owner::Business("12345678".to_owned()))
        .unwrap()
        .unwrap();
    assert_eq!(found.id, by_cvr.mailbox.id);
    assert_eq!(found.owner, Owner::Business("12345678".to_owned()));
}

fn folders_list_standard_first_then_own_by_name(store: &Store) {
    let new = new_mailbox(store, "anna");
    own_folder(store, &new, "skat");
    own_folder(store, &new, "Bolig");
    let folders = store.folders.list(&new.mailbox.id).unwrap();
    assert_eq!(
        names(&folders),
        ["Indbakke", "Sendt", "Kladder", "Slettet", "Bolig", "skat"]
    );
}

fn own_folder_names_are_unique_per_mailbox(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    own_folder(store, &anna, "Skat");
    let again = Folder::own(&anna.mailbox.id, FolderName::parse("Skat").unwrap());
    assert!(matches!(
        store.folders.create(&again),
        Err(StoreError::Conflict(_))
    ));
    own_folder(store, &bo, "Skat");
    assert_eq!(store.folders.list(&bo.mailbox.id).unwrap().len(), 5);
}

fn rename_changes_only_own_folders_of_the_mailbox(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let skat = own_folder(store, &anna, "Skat");
    own_folder(store, &anna, "Bolig");
    let name = |text: &str| FolderName::parse(text).unwrap();

    assert!(store
        .folders
        .rename(&anna.mailbox.id, &skat.id, &name("Skat 2025"))
        .unwrap());
    let renamed = store
        .folders
        .get(&anna.mailbox.id, &skat.id)
        .unwrap()
        .unwrap();
    assert_eq!(renamed.display_name(), "Skat 2025");

    assert!(!store
        .folders
        .rename(&bo.mailbox.id, &skat.id, &name("Bo's"))
        .unwrap());
    let inbox = folder(&anna, StandardFolder::Inbox);
    assert!(!store
        .folders
        .rename(&anna.mailbox.id, &inbox, &name("Post"))
        .unwrap());
    assert!(matches!(
        store
            .folders
            .rename(&anna.mailbox.id, &skat.id, &name("Bolig")),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .folders
            .get(&anna.mailbox.id, &skat.id)
            .unwrap()
            .unwrap()
            .display_name(),
        "Skat 2025"
    );
}

fn delete_folder_only_when_empty_and_own(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let skat = own_folder(store, &anna, "Skat");
    let moved = &anna.letters[0];
    assert!(store
        .letters
        .move_to(&anna.mailbox.id, &moved.id, &skat.id)
        .unwrap());

    let delete =
        |mailbox: &MailboxId, id: &FolderId| store.folders.delete_if_empty(mailbox, id).unwrap();
    assert_eq!(delete(&bo.mailbox.id, &skat.id), FolderDeletion::NotFound);
    assert_eq!(delete(&anna.mailbox.id, &skat.id), FolderDeletion::NotEmpty);
    let inbox = folder(&anna, StandardFolder::Inbox);
    assert_eq!(delete(&anna.mailbox.id, &inbox), FolderDeletion::Standard);

    let deleted = folder(&anna, StandardFolder::Deleted);
    assert!(store
        .letters
        .move_to(&anna.mailbox.id, &moved.id, &deleted)
        .unwrap());
    assert_eq!(delete(&anna.mailbox.id, &skat.id), FolderDeletion::Deleted);
    assert_eq!(store.folders.get(&anna.mailbox.id, &skat.id).unwrap(), None);
    assert_eq!(delete(&anna.mailbox.id, &skat.id), FolderDeletion::NotFound);
}

fn letters_list_newest_first_per_folder(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let sent = folder(&anna, StandardFolder::Sent);
    let old = letter(&anna, &sent, "old", NOW - 10);
    let new = letter(&anna, &sent, "new", NOW);
    store.letters.put(&old).unwrap();
    store.letters.put(&new).unwrap();
    assert_eq!(
        store.letters.list(&anna.mailbox.id, &sent).unwrap(),
        vec![new, old]
    );
    let drafts = folder(&anna, StandardFolder::Drafts);
    assert!(store
        .letters
        .list(&anna.mailbox.id, &drafts)
        .unwrap()
        .is_empty());
}

fn letters_of_another_mailbox_are_not_found(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let annas = &anna.letters[0];
    assert_eq!(
        store
            .letters
            .get(&anna.mailbox.id, &annas.id)
            .unwrap()
            .as_ref(),
        Some(annas)
    );
    assert_eq!(store.letters.get(&bo.mailbox.id, &annas.id).unwrap(), None);
    let annas_inbox = folder(&anna, StandardFolder::Inbox);
    assert!(store
        .letters
        .list(&bo.mailbox.id, &annas_inbox)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.folders.get(&bo.mailbox.id, &annas_inbox).unwrap(),
        None
    );
}

fn set_read_changes_only_the_mailboxs_letter(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let annas = &anna.letters[0];
    assert!(!store
        .letters
        .set_read(&bo.mailbox.id, &annas.id, !annas.read)
        .unwrap());
    assert!(store
        .letters
        .set_read(&anna.mailbox.id, &annas.id, !annas.read)
        .unwrap());
    let stored = store
        .letters
        .get(&anna.mailbox.id, &annas.id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.read, !annas.read);
}

fn move_needs_letter_and_folder_in_the_mailbox(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let annas = &anna.letters[0];
    let bos_sent = folder(&bo, StandardFolder::Sent);
    let annas_sent = folder(&anna, StandardFolder::Sent);

    assert!(!store
        .letters
        .move_to(&anna.mailbox.id, &annas.id, &bos_sent)
        .unwrap());
    assert!(!store
        .letters
        .move_to(&bo.mailbox.id, &annas.id, &bos_sent)
        .unwrap());
    assert!(!store
        .letters
        .move_to(&bo.mailbox.id, &annas.id, &annas_sent)
        .unwrap());
    let unmoved = store
        .letters
        .get(&anna.mailbox.id, &annas.id)
        .unwrap()
        .unwrap();
    assert_eq!(unmoved.folder, annas.folder);

    assert!(store
        .letters
        .move_to(&anna.mailbox.id, &annas.id, &annas_sent)
        .unwrap());
    let moved = store
        .letters
        .get(&anna.mailbox.id, &annas.id)
        .unwrap()
        .unwrap();
    assert_eq!(moved.folder, annas_sent);
}

fn a_letter_in_slettet_remembers_the_folder_it_left(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let letter = &anna.letters[0];
    let id = &anna.mailbox.id;
    let bin = folder(&anna, StandardFolder::Deleted);
    let sent = folder(&anna, StandardFolder::Sent);
    assert_eq!(store.letters.deleted_from(id, &letter.id).unwrap(), None);

    assert!(store.letters.move_to(id, &letter.id, &bin).unwrap());
    let remembered = Some(letter.folder.clone());
    assert_eq!(
        store.letters.deleted_from(id, &letter.id).unwrap(),
        remembered
    );
    // Only through its mailbox.
    assert_eq!(
        store
            .letters
            .deleted_from(&bo.mailbox.id, &letter.id)
            .unwrap(),
        None
    );
    // Deleted again while in Slettet: still where it came from.
    assert!(store.letters.move_to(id, &letter.id, &bin).unwrap());
    assert_eq!(
        store.letters.deleted_from(id, &letter.id).unwrap(),
        remembered
    );
    // Out of Slettet, forgotten.
    assert!(store.letters.move_to(id, &letter.id, &sent).unwrap());
    assert_eq!(store.letters.deleted_from(id, &letter.id).unwrap(), None);
    assert!(store.letters.move_to(id, &letter.id, &bin).unwrap());
    assert_eq!(
        store.letters.deleted_from(id, &letter.id).unwrap(),
        Some(sent)
    );
}

fn delete_letter_is_true_once(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let annas = &anna.letters[0];
    assert!(!store.letters.delete(&bo.mailbox.id, &annas.id).unwrap());
    assert!(store.letters.delete(&anna.mailbox.id, &annas.id).unwrap());
    assert!(!store.letters.delete(&anna.mailbox.id, &annas.id).unwrap());
    assert_eq!(
        store.letters.get(&anna.mailbox.id, &annas.id).unwrap(),
        None
    );
}

fn letter_into_another_mailboxs_folder_is_refused(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let stray = letter(&anna, &folder(&bo, StandardFolder::Inbox), "stray", NOW);
    assert!(store.letters.put(&stray).is_err());
    assert_eq!(
        store.letters.get(&anna.mailbox.id, &stray.id).unwrap(),
        None
    );
}

fn unread_counts_per_folder(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let inbox = folder(&anna, StandardFolder::Inbox);
    let unread = anna.letters.iter().filter(|letter| !letter.read).count();
    assert!(unread > 0);
    assert_eq!(
        store.letters.unread_counts(&anna.mailbox.id).unwrap(),
        vec![(inbox, unread)]
    );
}

// ---------------------------------------------------------------------------------------------
// Durable implementations only
// ---------------------------------------------------------------------------------------------

fn everything_survives_reopen(subject: Subject) {
    let Subject {
        store,
        reopen,
        _dir: dir,
    } = subject;
    let reopen = reopen.unwrap();
    let anna = new_mailbox(&store, "anna");
    let skat = own_folder(&store, &anna, "Skat");
    let moved = &anna.letters[0];
    store
        .letters
        .move_to(&anna.mailbox.id, &moved.id, &skat.id)
        .unwrap();
    store
        .letters
        .set_read(&anna.mailbox.id, &moved.id, true)
        .unwrap();

    assert!(store.mailboxes.set_exempt(&anna.mailbox.id, true).unwrap());
    let granted = grant(&anna, BO_CPR, FolderScope::Only(vec![skat.id.clone()]));
    store.grants.create(&granted).unwrap();
    store
        .grants
        .reserve_attempt(&cpr(BO_CPR), &granted.id, 5)
        .unwrap();
    let logged = activity(&anna, &granted, NOW);
    store.activity.record(&logged).unwrap();
    store
        .memberships
        .add(&membership(BO_CPR, "31415926", "Solsikken"))
        .unwrap();
    store
        .outbox
        .record(&OutboxEntry::new(
            NOW,
            Channel::Paper,
            "cpr:1",
            "Brev",
            "Tekst",
        ))
        .unwrap();
    drop(store);

    let store = reopen();
    assert_eq!(
        store.mailboxes.by_owner(&anna.mailbox.owner).unwrap(),
        Some(Mailbox {
            exempt: true,
            ..anna.mailbox.clone()
        })
    );
    assert_eq!(store.outbox.latest(10).unwrap().len(), 1);
    assert_eq!(
        store.grants.get(&anna.mailbox.id, &granted.id).unwrap(),
        Some(Grant {
            failed_attempts: 1,
            ..granted.clone()
        })
    );
    assert_eq!(
        store.activity.for_mailbox(&anna.mailbox.id, 10).unwrap(),
        vec![logged]
    );
    assert_eq!(store.memberships.of_person(&cpr(BO_CPR)).unwrap().len(), 1);
    assert_eq!(store.folders.list(&anna.mailbox.id).unwrap().len(), 5);
    let kept = store
        .letters
        .get(&anna.mailbox.id, &moved.id)
        .unwrap()
        .unwrap();
    assert_eq!(kept.folder, skat.id);
    assert!(kept.read);
    assert_eq!(kept.content, moved.content);
    let inbox = folder(&anna, StandardFolder::Inbox);
    assert_eq!(
        store.letters.list(&anna.mailbox.id, &inbox).unwrap().len(),
        anna.letters.len() - 1
    );
    drop(store);
    drop(dir);
}

fn a_seeding_is_first_once(store: &Store) {
    assert!(store.mailboxes.first_seeding("exemptions").unwrap());
    assert!(!store.mailboxes.first_seeding("exemptions").unwrap());
    assert!(store.mailboxes.first_seeding("other").unwrap());
}

fn mailbox_is_found_by_id_and_exemption_is_per_mailbox(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    assert_eq!(
        store.mailboxes.get(&anna.mailbox.id).unwrap(),
        Some(anna.mailbox.clone())
    );
    assert!(!anna.mailbox.exempt);
    assert!(store.mailboxes.set_exempt(&anna.mailbox.id, true).unwrap());
    assert!(
        store
            .mailboxes
            .get(&anna.mailbox.id)
            .unwrap()
            .unwrap()
            .exempt
    );
    assert!(!store.mailboxes.get(&bo.mailbox.id).unwrap().unwrap().exempt);
    assert!(!store
        .mailboxes
        .set_exempt(&MailboxId::random(), true)
        .unwrap());
    assert_eq!(store.mailboxes.get(&MailboxId::random()).unwrap(), None);
}

fn outbox_lists_newest_first_up_to_the_limit(store: &Store) {
    for (at, to) in [(NOW, "first"), (NOW + 2, "third"), (NOW + 1, "second")] {
        store
            .outbox
            .record(&OutboxEntry::new(at, Channel::Email, to, "s", "t"))
            .unwrap();
    }
    let latest: Vec<String> = store
        .outbox
        .latest(2)
        .unwrap()
        .into_iter()
        .map(|entry| entry.to)
        .collect();
    assert_eq!(latest, ["third", "second"]);
}

fn attachments_are_stored_with_their_bytes(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let inbox = folder(&anna, StandardFolder::Inbox);
    let mut sent = letter(&anna, &inbox, "Med bilag", NOW);
    sent.content.attachments = vec![Attachment::pdf("a.pdf", b"%PDF-1.4 \x00\xff".to_vec())];
    store.letters.put(&sent).unwrap();
    let stored = store
        .letters
        .get(&anna.mailbox.id, &sent.id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.content.attachments, sent.content.attachments);
    assert_eq!(stored.content.attachments[0].size_bytes, 11);
}

// ---------------------------------------------------------------------------------------------
// Access for others
// ---------------------------------------------------------------------------------------------

const BO_CPR: &str = "9011752131";
const CARL_CPR: &str = "6302014157";

fn cpr(text: &str) -> Cpr {
    Cpr::parse(text).unwrap()
}

/// A read grant of `new`'s mailbox to `grantee` (a made-up hash: the store never checks it).
fn grant(new: &NewMailbox, grantee: &str, folders: FolderScope) -> Grant {
    Grant::new(
        new.mailbox.id.clone(),
        cpr(grantee),
        "Hjælper".to_owned(),
        "Ejer".to_owned(),
        Permission::Read,
        folders,
        AccessPassword::from_stored("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        NOW,
    )
}

fn activity(new: &NewMailbox, grant: &Grant, at: UnixTime) -> ActivityEntry {
    ActivityEntry::new(
        new.mailbox.id.clone(),
        at,
        "Bo",
        grant.id.clone(),
        ActivityAction::ReadLetter,
        Some("Brev".to_owned()),
    )
}

fn membership(person: &str, cvr: &str, name: &str) -> Membership {
    Membership {
        cpr: cpr(person),
        cvr: cvr.to_owned(),
        name: name.to_owned(),
        role: crate::access::Role::Member,
    }
}

fn memberships_are_listed_removed_and_seeded_once(store: &Store) {
    use crate::access::Role;
    let admin = Membership {
        role: Role::Admin,
        ..membership(BO_CPR, "31415926", "Solsikken")
    };
    store
        .memberships
        .seed(std::slice::from_ref(&admin))
        .unwrap();
    assert_eq!(store.memberships.list().unwrap(), vec![admin.clone()]);
    assert_eq!(
        store.memberships.get(&cpr(BO_CPR), "31415926").unwrap(),
        Some(admin.clone()),
        "the role is kept"
    );

    // Removed, it stays removed: seeding again adds nothing.
    assert!(store.memberships.remove(&cpr(BO_CPR), "31415926").unwrap());
    assert!(!store.memberships.remove(&cpr(BO_CPR), "31415926").unwrap());
    store
        .memberships
        .seed(std::slice::from_ref(&admin))
        .unwrap();
    assert!(store.memberships.list().unwrap().is_empty());

    // Adding says whether it is new; adding again changes the role; removing one leaves the
    // others.
    assert!(store
        .memberships
        .add(&membership(CARL_CPR, "16180335", "Bølgen"))
        .unwrap());
    assert!(store.memberships.add(&admin).unwrap());
    assert!(!store
        .memberships
        .add(&membership(BO_CPR, "31415926", "Solsikken"))
        .unwrap());
    let all = store.memberships.list().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].name, "Bølgen");
    assert_eq!(all[1].role, Role::Member);
    assert!(store
        .memberships
        .remove(&cpr(CARL_CPR), "16180335")
        .unwrap());
    assert_eq!(store.memberships.list().unwrap().len(), 1);
}

fn grants_are_found_only_through_the_mailbox_or_the_grantee(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let carl = new_mailbox(store, "carl");
    let to_bo = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&to_bo).unwrap();

    assert_eq!(
        store
            .grants
            .get(&anna.mailbox.id, &to_bo.id)
            .unwrap()
            .as_ref(),
        Some(&to_bo)
    );
    assert_eq!(store.grants.get(&carl.mailbox.id, &to_bo.id).unwrap(), None);
    assert_eq!(
        store.grants.list(&anna.mailbox.id).unwrap(),
        vec![to_bo.clone()]
    );
    assert!(store.grants.list(&carl.mailbox.id).unwrap().is_empty());

    assert_eq!(
        store
            .grants
            .get_for_grantee(&cpr(BO_CPR), &to_bo.id)
            .unwrap()
            .as_ref(),
        Some(&to_bo)
    );
    assert_eq!(
        store
            .grants
            .get_for_grantee(&cpr(CARL_CPR), &to_bo.id)
            .unwrap(),
        None,
        "another person finds nothing"
    );
    assert_eq!(
        store.grants.for_grantee(&cpr(BO_CPR)).unwrap(),
        vec![to_bo.clone()]
    );
    assert!(store.grants.for_grantee(&cpr(CARL_CPR)).unwrap().is_empty());

    // Nothing changes through the wrong mailbox or the wrong person.
    assert!(!store
        .grants
        .revoke(&carl.mailbox.id, &to_bo.id, NOW)
        .unwrap());
    let password = AccessPassword::from_stored("$argon2id$other".to_owned());
    assert!(!store
        .grants
        .set_password(&carl.mailbox.id, &to_bo.id, &password)
        .unwrap());
    assert_eq!(
        store
            .grants
            .reserve_attempt(&cpr(CARL_CPR), &to_bo.id, 5)
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .grants
            .get(&anna.mailbox.id, &to_bo.id)
            .unwrap()
            .as_ref(),
        Some(&to_bo)
    );
}

fn the_owner_changes_an_open_grant_of_her_mailbox_only(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let carl = new_mailbox(store, "carl");
    let to_bo = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&to_bo).unwrap();
    let inbox = FolderScope::Only(vec![FolderId::random()]);

    assert!(!store
        .grants
        .change(&carl.mailbox.id, &to_bo.id, Permission::ReadWrite, &inbox)
        .unwrap());
    assert_eq!(
        store.grants.get(&anna.mailbox.id, &to_bo.id).unwrap(),
        Some(to_bo.clone()),
        "not through another mailbox"
    );

    assert!(store
        .grants
        .change(&anna.mailbox.id, &to_bo.id, Permission::ReadWrite, &inbox)
        .unwrap());
    let changed = store
        .grants
        .get_for_grantee(&cpr(BO_CPR), &to_bo.id)
        .unwrap()
        .unwrap();
    assert_eq!(changed.permission, Permission::ReadWrite);
    assert_eq!(changed.folders, inbox);
    assert_eq!(changed.version, to_bo.version, "sessions through it stay");
    assert_eq!(changed.grantee_name, to_bo.grantee_name);

    assert!(store
        .grants
        .revoke(&anna.mailbox.id, &to_bo.id, NOW + 1)
        .unwrap());
    assert!(
        !store
            .grants
            .change(
                &anna.mailbox.id,
                &to_bo.id,
                Permission::Read,
                &FolderScope::All
            )
            .unwrap(),
        "a revoked grant stays as it was"
    );
}

fn a_second_open_grant_to_the_same_person_is_conflict_until_revoked(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let carl = new_mailbox(store, "carl");
    let first = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&first).unwrap();
    assert!(matches!(
        store.grants.create(&grant(&anna, BO_CPR, FolderScope::All)),
        Err(StoreError::Conflict(_))
    ));
    // Another mailbox may grant the same person; the same mailbox another person.
    store
        .grants
        .create(&grant(&carl, BO_CPR, FolderScope::All))
        .unwrap();
    store
        .grants
        .create(&grant(&anna, CARL_CPR, FolderScope::All))
        .unwrap();

    assert!(store
        .grants
        .revoke(&anna.mailbox.id, &first.id, NOW + 1)
        .unwrap());
    let again = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&again).unwrap();
    assert_eq!(store.grants.list(&anna.mailbox.id).unwrap().len(), 3);
}

fn a_revoked_grant_stays_with_the_owner_and_leaves_the_grantee(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let to_bo = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&to_bo).unwrap();
    assert!(store
        .grants
        .revoke(&anna.mailbox.id, &to_bo.id, NOW + 5)
        .unwrap());
    assert!(
        !store
            .grants
            .revoke(&anna.mailbox.id, &to_bo.id, NOW + 6)
            .unwrap(),
        "revoked once"
    );

    let stored = store
        .grants
        .get(&anna.mailbox.id, &to_bo.id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.revoked_at, Some(NOW + 5));
    assert_eq!(stored.status(), crate::access::GrantStatus::Revoked);
    assert!(store.grants.for_grantee(&cpr(BO_CPR)).unwrap().is_empty());
    // The helper's lookup still finds it, so a session through it can see it was revoked.
    assert_eq!(
        store
            .grants
            .get_for_grantee(&cpr(BO_CPR), &to_bo.id)
            .unwrap()
            .and_then(|grant| grant.revoked_at),
        Some(NOW + 5)
    );
    let password = AccessPassword::from_stored("$argon2id$new".to_owned());
    assert!(!store
        .grants
        .set_password(&anna.mailbox.id, &to_bo.id, &password)
        .unwrap());
    assert_eq!(
        store
            .grants
            .reserve_attempt(&cpr(BO_CPR), &to_bo.id, 5)
            .unwrap(),
        None
    );
}

fn parallel_reservations_never_pass_the_limit(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let to_bo = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&to_bo).unwrap();
    let bo = cpr(BO_CPR);
    let threads = 12;
    let barrier = std::sync::Barrier::new(threads);
    let reserved: Vec<Option<u32>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    store.grants.reserve_attempt(&bo, &to_bo.id, 5).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut counts: Vec<u32> = reserved.iter().flatten().copied().collect();
    counts.sort_unstable();
    assert_eq!(counts, [1, 2, 3, 4, 5], "{reserved:?}");
    let stored = store
        .grants
        .get(&anna.mailbox.id, &to_bo.id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.failed_attempts, 5);
}

fn failed_attempts_count_and_a_new_password_resets_them_and_bumps_the_version(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let to_bo = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&to_bo).unwrap();
    let bo = cpr(BO_CPR);
    for expected in 1..=5 {
        assert_eq!(
            store.grants.reserve_attempt(&bo, &to_bo.id, 5).unwrap(),
            Some(expected)
        );
    }
    // At the limit: no attempt is reserved, and the count stays.
    assert_eq!(
        store.grants.reserve_attempt(&bo, &to_bo.id, 5).unwrap(),
        None
    );
    let locked = store
        .grants
        .get(&anna.mailbox.id, &to_bo.id)
        .unwrap()
        .unwrap();
    assert_eq!(locked.status(), crate::access::GrantStatus::Locked);

    let password = AccessPassword::from_stored("$argon2id$new".to_owned());
    assert!(store
        .grants
        .set_password(&anna.mailbox.id, &to_bo.id, &password)
        .unwrap());
    let reset = store
        .grants
        .get(&anna.mailbox.id, &to_bo.id)
        .unwrap()
        .unwrap();
    assert_eq!(reset.failed_attempts, 0);
    assert_eq!(reset.version, to_bo.version + 1);
    assert_eq!(reset.password, password);
    assert_eq!(reset.status(), crate::access::GrantStatus::Active);

    assert_eq!(
        store.grants.reserve_attempt(&bo, &to_bo.id, 5).unwrap(),
        Some(1)
    );
    store.grants.clear_failed_attempts(&bo, &to_bo.id).unwrap();
    let cleared = store
        .grants
        .get(&anna.mailbox.id, &to_bo.id)
        .unwrap()
        .unwrap();
    assert_eq!(cleared.failed_attempts, 0);
    assert_eq!(
        cleared.version, reset.version,
        "a right password keeps the version"
    );
}

fn folders_a_helper_creates_join_a_grant_of_chosen_folders(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let inbox = folder(&anna, StandardFolder::Inbox);
    let chosen = grant(&anna, BO_CPR, FolderScope::Only(vec![inbox.clone()]));
    let everything = grant(&anna, CARL_CPR, FolderScope::All);
    store.grants.create(&chosen).unwrap();
    store.grants.create(&everything).unwrap();
    let new_folder = own_folder(store, &anna, "Bo's");

    for id in [&chosen.id, &everything.id] {
        store
            .grants
            .add_folder(&anna.mailbox.id, id, &new_folder.id)
            .unwrap();
        store
            .grants
            .add_folder(&anna.mailbox.id, id, &new_folder.id)
            .unwrap();
    }
    let folders = |id| {
        store
            .grants
            .get(&anna.mailbox.id, id)
            .unwrap()
            .unwrap()
            .folders
    };
    assert_eq!(
        folders(&chosen.id),
        FolderScope::Only(vec![inbox, new_folder.id.clone()]),
        "added once"
    );
    assert_eq!(folders(&everything.id), FolderScope::All);

    // Not through another mailbox.
    let carl = new_mailbox(store, "carl");
    let elsewhere = FolderId::random();
    store
        .grants
        .add_folder(&carl.mailbox.id, &chosen.id, &elsewhere)
        .unwrap();
    assert!(!folders(&chosen.id).includes(&elsewhere));
}

fn activity_is_per_mailbox_newest_first_up_to_the_limit(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let carl = new_mailbox(store, "carl");
    let to_bo = grant(&anna, BO_CPR, FolderScope::All);
    store.grants.create(&to_bo).unwrap();
    let entries: Vec<ActivityEntry> = [NOW, NOW + 2, NOW + 1]
        .into_iter()
        .map(|at| activity(&anna, &to_bo, at))
        .collect();
    for entry in &entries {
        store.activity.record(entry).unwrap();
    }
    let newest: Vec<UnixTime> = store
        .activity
        .for_mailbox(&anna.mailbox.id, 2)
        .unwrap()
        .into_iter()
        .map(|entry| entry.at)
        .collect();
    assert_eq!(newest, [NOW + 2, NOW + 1]);
    assert_eq!(
        store.activity.for_mailbox(&anna.mailbox.id, 10).unwrap()[2],
        entries[0]
    );
    assert!(store
        .activity
        .for_mailbox(&carl.mailbox.id, 10)
        .unwrap()
        .is_empty());
}

fn memberships_are_per_person_and_adding_again_renames_the_association(store: &Store) {
    store
        .memberships
        .add(&membership(BO_CPR, "31415926", "Solsikken"))
        .unwrap();
    store
        .memberships
        .add(&membership(BO_CPR, "16180335", "Bølgen"))
        .unwrap();
    store
        .memberships
        .add(&membership(CARL_CPR, "31415926", "Solsikken"))
        .unwrap();
    store
        .memberships
        .add(&membership(
            BO_CPR,
            "31415926",
            "Grundejerforeningen Solsikken",
        ))
        .unwrap();

    let names: Vec<String> = store
        .memberships
        .of_person(&cpr(BO_CPR))
        .unwrap()
        .into_iter()
        .map(|membership| membership.name)
        .collect();
    assert_eq!(names, ["Bølgen", "Grundejerforeningen Solsikken"]);
    // The association has one name: Carl's membership carries the new one too.
    assert_eq!(
        store.memberships.get(&cpr(CARL_CPR), "31415926").unwrap(),
        Some(membership(
            CARL_CPR,
            "31415926",
            "Grundejerforeningen Solsikken"
        ))
    );
    assert_eq!(
        store.memberships.get(&cpr(CARL_CPR), "16180335").unwrap(),
        None
    );
    assert!(store
        .memberships
        .of_person(&cpr("7204901236"))
        .unwrap()
        .is_empty());
}

// ---------------------------------------------------------------------------------------------
// Submissions
// ---------------------------------------------------------------------------------------------

fn a_submission_is_claimed_once_per_mailbox_and_remembers_its_letter(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let bo = new_mailbox(store, "bo");
    let form = SubmissionId::random();
    let anna_claims = || {
        store
            .submissions
            .claim(&anna.mailbox.id, &form, NOW)
            .unwrap()
    };
    assert_eq!(anna_claims(), Claim::New);
    assert_eq!(anna_claims(), Claim::Taken(None));
    // The same id in another mailbox is another submission.
    assert_eq!(
        store.submissions.claim(&bo.mailbox.id, &form, NOW).unwrap(),
        Claim::New
    );

    // Released (it sent nothing), it can be claimed again; completed, it stays taken.
    store.submissions.release(&anna.mailbox.id, &form).unwrap();
    assert_eq!(anna_claims(), Claim::New);
    let letter = LetterId::random();
    store
        .submissions
        .complete(&anna.mailbox.id, &form, &letter)
        .unwrap();
    store.submissions.release(&anna.mailbox.id, &form).unwrap();
    assert_eq!(anna_claims(), Claim::Taken(Some(letter)));
}

fn parallel_claims_of_a_submission_give_one_new(store: &Store) {
    let anna = new_mailbox(store, "anna");
    let form = SubmissionId::random();
    let threads = 12;
    let barrier = std::sync::Barrier::new(threads);
    let claims: Vec<Claim> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    store
                        .submissions
                        .claim(&anna.mailbox.id, &form, NOW)
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let new = claims.iter().filter(|claim| **claim == Claim::New).count();
    assert_eq!(new, 1, "{claims:?}");
}
