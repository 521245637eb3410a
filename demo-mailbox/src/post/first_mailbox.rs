//! A new mailbox: its four standard folders, and the post it starts with, a few letters of the
//! kinds citizens typically get (a business or an association gets letters of its own kind).
//! All of it is made up: names, amounts, dates and addresses belong to nobody.

use super::folder::{Folder, FolderId, StandardFolder};
use super::letter::{Attachment, Letter, LetterContent, LetterId};
use super::mailbox::{Mailbox, MailboxId};
use super::owner::Owner;
use super::pdf::text_pdf;
use super::sender::Authority;
use super::time::UnixTime;

/// A mailbox with its folders and first letters, stored all at once or not at all.
pub struct NewMailbox {
    /// The mailbox.
    pub mailbox: Mailbox,
    /// Its standard folders.
    pub folders: Vec<Folder>,
    /// Its first post.
    pub letters: Vec<Letter>,
}

impl NewMailbox {
    /// A new mailbox for `owner` with the four standard folders and the first post in the
    /// inbox.
    pub fn for_owner(owner: Owner, now: UnixTime) -> Self {
        let mailbox = Mailbox {
            id: MailboxId::random(),
            owner,
            created_at: now,
            exempt: false,
        };
        let folders: Vec<Folder> = StandardFolder::ALL
            .into_iter()
            .map(|which| Folder::standard(&mailbox.id, which))
            .collect();
        let letters = folders
            .iter()
            .find(|folder| folder.standard_kind() == Some(StandardFolder::Inbox))
            .map(|inbox| first_letters(&mailbox.owner, &mailbox.id, &inbox.id, now))
            .unwrap_or_default();
        Self {
            mailbox,
            folders,
            letters,
        }
    }
}

const DAY: UnixTime = 24 * 60 * 60;

struct Seed {
    sender: Authority,
    subject: &'static str,
    body: &'static str,
    days_ago: i64,
    read: bool,
    accepts_replies: bool,
    attachments: &'static [&'static str],
}

const SEEDS: [Seed; 5] = [
    Seed {
        sender: Authority::Skattestyrelsen,
        subject: "Din forskudsopgørelse for næste år er klar",
        body: "Kære borger\n\nDin forskudsopgørelse er nu klar på skat.dk (demo). Den viser, hvad vi forventer, at du tjener og betaler i skat næste år.\n\nSe den igennem, og ret den, hvis noget har ændret sig, fx din løn, dit fradrag for befordring eller renter af lån.\n\nDette er et fiktivt brev fra en simulator.\n\nMed venlig hilsen\nSkattestyrelsen",
        days_ago: 2,
        read: false,
        accepts_replies: false,
        attachments: &["Forskudsopgørelse 2026.pdf", "Vejledning.pdf"],
    },
    Seed {
        sender: Authority::UdbetalingDanmark,
        subject: "Afgørelse om boligstøtte",
        body: "Kære borger\n\nDu har søgt om boligstøtte. Vi har behandlet din ansøgning og bevilget 1.234 kr. om måneden fra den 1. i næste måned.\n\nHvis din husstands indkomst eller husleje ændrer sig, skal du give os besked.\n\nDu kan svare på dette brev, hvis du har spørgsmål.\n\nMed venlig hilsen\nUdbetaling Danmark, Boligstøtte",
        days_ago: 5,
        read: false,
        accepts_replies: true,
        attachments: &["Afgørelse om boligstøtte.pdf"],
    },
    Seed {
        sender: Authority::Hospital,
        subject: "Indkaldelse til forundersøgelse",
        body: "Kære patient\n\nDu er henvist til en forundersøgelse i Ambulatorium 3, indgang B, på Demo Hospital. Tid: tirsdag kl. 09.30.\n\nMød venligst 10 minutter før, og medbring dit sundhedskort og en liste over den medicin, du tager.\n\nKan du ikke komme, så giv os besked hurtigst muligt på telefon 00 00 00 00 (demo).\n\nMed venlig hilsen\nRegion Demo, Demo Hospital",
        days_ago: 9,
        read: true,
        accepts_replies: true,
        attachments: &["Indkaldelse.pdf"],
    },
    Seed {
        sender: Authority::Kommune,
        subject: "Bekræftelse af flytning",
        body: "Kære borger\n\nVi har registreret din flytning til Demovej 1, 9999 Demoby. Din nye adresse gælder fra i dag.\n\nHusk at vælge en ny læge, hvis du ønsker en tættere på din nye bopæl.\n\nMed venlig hilsen\nDemo Kommune, Borgerservice",
        days_ago: 21,
        read: true,
        accepts_replies: false,
        attachments: &[],
    },
    Seed {
        sender: Authority::Politiet,
        subject: "Dit pas er klar til afhentning",
        body: "Kære borger\n\nDit nye pas er klar og kan hentes i Borgerservice i Demo Kommune inden for 3 måneder.\n\nHusk billedlegitimation, når du henter passet.\n\nMed venlig hilsen\nPolitiet, Passekretariatet",
        days_ago: 40,
        read: true,
        accepts_replies: false,
        attachments: &[],
    },
];

const BUSINESS_SEEDS: [Seed; 2] = [
    Seed {
        sender: Authority::Skattestyrelsen,
        subject: "Påmindelse: momsangivelse for 1. kvartal",
        body: "Kære virksomhed\n\nHusk at angive moms for 1. kvartal senest den 1. i næste måned på skat.dk (demo).\n\nHar virksomheden ingen momspligtig omsætning, skal den stadig angive 0 kr.\n\nDette er et fiktivt brev fra en simulator.\n\nMed venlig hilsen\nSkattestyrelsen, Erhverv",
        days_ago: 3,
        read: false,
        accepts_replies: false,
        attachments: &["Momsangivelse.pdf"],
    },
    Seed {
        sender: Authority::Kommune,
        subject: "Kvittering for anmeldelse af erhvervsaffald",
        body: "Kære virksomhed\n\nVi har modtaget virksomhedens anmeldelse af erhvervsaffald. Ordningen gælder fra næste måned.\n\nDu kan svare på dette brev, hvis noget er forkert.\n\nMed venlig hilsen\nDemo Kommune, Erhverv og Miljø",
        days_ago: 12,
        read: true,
        accepts_replies: true,
        attachments: &[],
    },
];

const ASSOCIATION_SEEDS: [Seed; 1] = [Seed {
    sender: Authority::Kommune,
    subject: "Tilskud til foreningens aktiviteter",
    body: "Kære forening\n\nDemo Kommune har bevilget foreningen et tilskud på 5.000 kr. til aktiviteter for medlemmerne i år.\n\nSend et kort regnskab for tilskuddet, når året er omme. Du kan svare på dette brev.\n\nMed venlig hilsen\nDemo Kommune, Kultur og Fritid",
    days_ago: 6,
    read: false,
    accepts_replies: true,
    attachments: &["Bevilling.pdf"],
}];

/// The first post of `owner`'s new mailbox, all in its inbox, received over the weeks before
/// `now`.
pub fn first_letters(
    owner: &Owner,
    mailbox: &MailboxId,
    inbox: &FolderId,
    now: UnixTime,
) -> Vec<Letter> {
    let seeds: &[Seed] = match owner {
        Owner::PersonByCpr(_) | Owner::PersonBySubject(_) => &SEEDS,
        Owner::Business(_) => &BUSINESS_SEEDS,
        Owner::Association(_) => &ASSOCIATION_SEEDS,
    };
    seeds
        .iter()
        .map(|seed| Letter {
            id: LetterId::random(),
            mailbox: mailbox.clone(),
            folder: inbox.clone(),
            received_at: now - seed.days_ago * DAY,
            read: seed.read,
            content: LetterContent {
                sender: seed.sender,
                subject: seed.subject.to_owned(),
                body: seed.body.to_owned(),
                accepts_replies: seed.accepts_replies,
                attachments: seed
                    .attachments
                    .iter()
                    .map(|file_name| {
                        let pdf = text_pdf(
                            seed.subject,
                            &[
                                seed.sender.display_name(),
                                file_name,
                                "Simuleret dokument - ikke et rigtigt brev.",
                                "Simulated document - not a real letter.",
                            ],
                        );
                        Attachment::pdf(*file_name, pdf)
                    })
                    .collect(),
                sent_to: None,
                forwarded_by: None,
                helped_by: None,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_post_has_several_senders_and_both_read_and_unread() {
        let person = Owner::PersonBySubject("s".to_owned());
        let letters = first_letters(
            &person,
            &MailboxId::random(),
            &FolderId::random(),
            100 * DAY,
        );
        assert!(letters.len() >= 4);
        assert!(letters.iter().any(|letter| letter.read));
        assert!(letters.iter().any(|letter| !letter.read));
        let senders: std::collections::HashSet<_> = letters
            .iter()
            .map(|letter| letter.content.sender.display_name())
            .collect();
        assert!(senders.contains("Skattestyrelsen"));
        assert!(senders.contains("Udbetaling Danmark"));
        assert!(letters.iter().all(|letter| letter.received_at < 100 * DAY));
        let attachments: Vec<_> = letters
            .iter()
            .flat_map(|letter| &letter.content.attachments)
            .collect();
        assert!(attachments.len() >= 3);
        assert!(attachments
            .iter()
            .all(|attachment| attachment.bytes.starts_with(b"%PDF-")
                && attachment.size_bytes == attachment.bytes.len() as u64));
    }

    #[test]
    fn a_business_and_an_association_get_post_of_their_own_kind() {
        let mailbox = MailboxId::random();
        let inbox = FolderId::random();
        let business = first_letters(&Owner::Business("12345674".into()), &mailbox, &inbox, DAY);
        assert!(business
            .iter()
            .all(|letter| letter.content.body.starts_with("Kære virksomhed")));
        let association = first_letters(
            &Owner::Association("31415926".into()),
            &mailbox,
            &inbox,
            DAY,
        );
        assert!(!association.is_empty());
        assert!(association
            .iter()
            .all(|letter| letter.content.body.starts_with("Kære forening")));
    }
}
