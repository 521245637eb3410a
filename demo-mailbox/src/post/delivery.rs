//! Delivering post to a mailbox (from the simulated sender, or forwarded by a person), and
//! filing a person's own letters in "Sendt" or "Kladder".
//!
//! Delivery follows Digital Post: the recipient's mailbox is created if they have none yet;
//! a new letter lands unread in the inbox and a notice of new post goes out by e-mail and
//! SMS (here: to the simulated outbox). Post to a person exempt from Digital Post is not
//! stored in any mailbox: it goes on paper (an outbox entry) instead.

use super::folder::{FolderId, StandardFolder};
use super::letter::{Letter, LetterContent, LetterId};
use super::mailbox::MailboxId;
use super::opening::open_own_mailbox;
use super::outbox::{Channel, OutboxEntry};
use super::owner::Owner;
use super::time::UnixTime;
use crate::store::{Store, StoreError, StoreResult};

/// What became of a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// It lies unread in the recipient's inbox.
    Digital(LetterId),
    /// The recipient is exempt: it was printed and posted (an outbox entry).
    Paper,
}

impl Delivery {
    /// `"digital"` or `"paper"`, as the simulator API answers.
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Digital(_) => "digital",
            Self::Paper => "paper",
        }
    }
}

/// Delivers `content` to the mailbox of `to`.
pub fn deliver(
    store: &Store,
    to: &Owner,
    content: LetterContent,
    now: UnixTime,
) -> StoreResult<Delivery> {
    let mailbox = open_own_mailbox(store, to.clone(), now)?;
    let address = to.address();
    let sender = content.sender.display_name();
    if mailbox.exempt {
        store.outbox.record(&OutboxEntry::new(
            now,
            Channel::Paper,
            &address,
            &content.subject,
            format!(
                "Brev fra {sender} sendt med almindelig post, fordi modtageren er fritaget for Digital Post.\n\n{}",
                content.body
            ),
        ))?;
        tracing::info!("a letter to an exempt person went on paper");
        return Ok(Delivery::Paper);
    }
    let inbox = standard_folder_id(store, &mailbox.id, StandardFolder::Inbox)?;
    let letter = Letter {
        id: LetterId::random(),
        mailbox: mailbox.id,
        folder: inbox,
        received_at: now,
        read: false,
        content,
    };
    store.letters.put(&letter)?;
    // Notices never carry the letter's content: only that there is post, and from whom.
    let notice = format!("Du har fået ny post fra {sender} i Digital Post. Log ind for at læse den. / You have new post from {sender} in Digital Post. Log in to read it.");
    for channel in [Channel::Email, Channel::Sms] {
        store.outbox.record(&OutboxEntry::new(
            now,
            channel,
            &address,
            "Ny post i Digital Post / New post in Digital Post",
            &notice,
        ))?;
    }
    Ok(Delivery::Digital(letter.id))
}

/// Files a letter the person wrote in their standard folder `which` ("Sendt" or "Kladder"),
/// already read.
pub fn file_own_letter(
    store: &Store,
    mailbox: &MailboxId,
    which: StandardFolder,
    content: LetterContent,
    now: UnixTime,
) -> StoreResult<Letter> {
    let letter = Letter {
        id: LetterId::random(),
        mailbox: mailbox.clone(),
        folder: standard_folder_id(store, mailbox, which)?,
        received_at: now,
        read: true,
        content,
    };
    store.letters.put(&letter)?;
    Ok(letter)
}

/// The people a new mailbox database knows as exempt from Digital Post: Hugo Ungersen
/// (`hugo`, 700811-5013, a replacement number), one of the broker's seeded identities, so the
/// demo has an exempt person to log in as.
pub const SEED_EXEMPT_CPRS: [&str; 1] = ["7008115013"];

/// Marks the [`SEED_EXEMPT_CPRS`] exempt the first time a database is opened, never again (an
/// exemption lifted stays lifted across restarts).
pub fn seed_exemptions(store: &Store, now: UnixTime) -> StoreResult<()> {
    if store.mailboxes.first_seeding("exemptions")? {
        for cpr in SEED_EXEMPT_CPRS {
            mark_exempt(store, &Owner::PersonByCpr(cpr.to_owned()), now)?;
        }
    }
    Ok(())
}

/// Marks `owner` exempt from Digital Post (creating their mailbox if needed).
pub fn mark_exempt(store: &Store, owner: &Owner, now: UnixTime) -> StoreResult<()> {
    let mailbox = open_own_mailbox(store, owner.clone(), now)?;
    if store.mailboxes.set_exempt(&mailbox.id, true)? {
        Ok(())
    } else {
        Err(StoreError::Db("the mailbox vanished".to_owned()))
    }
}

fn standard_folder_id(
    store: &Store,
    mailbox: &MailboxId,
    which: StandardFolder,
) -> StoreResult<FolderId> {
    store
        .folders
        .list(mailbox)?
        .into_iter()
        .find(|folder| folder.standard_kind() == Some(which))
        .map(|folder| folder.id)
        .ok_or_else(|| StoreError::Corrupt(format!("no {} folder", which.slug())))
}
