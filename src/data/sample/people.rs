//! Who the customers are: names, e-mail addresses, phone numbers, regions.
//!
//! Phone numbers are in the ranges Ofcom reserves for drama (07700 900xxx and the 496/498
//! landline blocks), e-mail domains are reserved example domains: nothing reaches a real person.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::pick_weighted;

const FEMALE: [&str; 48] = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophia",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Evie",
    "Freya",
    "Chloe",
    "Charlotte",
    "Jessica",
    "Sarah",
    "Emma",
    "Hannah",
    "Lucy",
    "Rebecca",
    "Laura",
    "Rachel",
    "Claire",
    "Helen",
    "Joanne",
    "Karen",
    "Susan",
    "Margaret",
    "Patricia",
    "Elizabeth",
    "Anne",
    "Catherine",
    "Fiona",
    "Aisha",
    "Priya",
    "Fatima",
    "Zara",
    "Maria",
    "Anna",
    "Agnieszka",
    "Niamh",
    "Siobhan",
    "Eilidh",
    "Megan",
    "Ffion",
    "Chiara",
    "Mei",
];

const MALE: [&str; 48] = [
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Joshua",
    "Samuel",
    "Matthew",
    "David",
    "Michael",
    "Richard",
    "Paul",
    "Mark",
    "Andrew",
    "Stephen",
    "Peter",
    "John",
    "Robert",
    "Christopher",
    "Ian",
    "Gareth",
    "Rhys",
    "Dylan",
    "Callum",
    "Euan",
    "Hamish",
    "Connor",
    "Sean",
    "Mohammed",
    "Ali",
    "Arjun",
    "Rohan",
    "Tomasz",
    "Piotr",
    "Luca",
    "Marco",
    "Kwame",
    "Chen",
    "Kofi",
];

const LAST: [&str; 80] = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Morgan",
    "Moore",
    "Mills",
    "King",
    "Hughes",
    "Turner",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Baker",
    "Harris",
    "Edwards",
    "Lee",
    "Scott",
    "Young",
    "Allen",
    "Parker",
    "Bennett",
    "Carter",
    "Murphy",
    "Kelly",
    "Campbell",
    "Stewart",
    "MacDonald",
    "Fraser",
    "Reid",
    "Murray",
    "Hussain",
    "Begum",
    "Shah",
    "Singh",
    "Ahmed",
    "Kowalski",
    "Nowak",
    "Rossi",
    "Okafor",
    "Mensah",
    "Chen",
    "Wong",
    "O'Brien",
    "Gallagher",
    "Price",
    "Lloyd",
    "Powell",
    "Griffiths",
    "Owen",
    "Jenkins",
];

const DOMAINS: [&str; 5] = [
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "post.example",
];

/// A region: its name, share of customers and fictional landline prefix.
pub(super) struct Region {
    /// Name as stored in `customers.region`.
    pub name: &'static str,
    /// Share of customers.
    pub share: f64,
    /// Landline prefix from a reserved drama range; a three-digit suffix follows.
    pub landline: &'static str,
}

/// Number of regions.
pub(super) const N_REGIONS: usize = 8;

/// The regions.
pub(super) const REGIONS: [Region; N_REGIONS] = [
    Region {
        name: "London",
        share: 0.18,
        landline: "020 7946 0",
    },
    Region {
        name: "South East",
        share: 0.16,
        landline: "0118 496 0",
    },
    Region {
        name: "South West",
        share: 0.10,
        landline: "0117 496 0",
    },
    Region {
        name: "Midlands",
        share: 0.16,
        landline: "0121 496 0",
    },
    Region {
        name: "North West",
        share: 0.13,
        landline: "0161 496 0",
    },
    Region {
        name: "North East",
        share: 0.07,
        landline: "0191 498 0",
    },
    Region {
        name: "Scotland",
        share: 0.12,
        landline: "0131 496 0",
    },
    Region {
        name: "Wales",
        share: 0.08,
        landline: "029 2018 0",
    },
];

/// A customer's identity.
pub(super) struct Person {
    /// Full name.
    pub name: String,
    /// E-mail address (unique: it ends in the customer number).
    pub email: String,
    /// Phone number from a fictional range.
    pub phone: String,
    /// `F`, `M` or `X`.
    pub gender: &'static str,
    /// Index into [`REGIONS`].
    pub region: usize,
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list.get(rng.gen_range(0..list.len()))
        .copied()
        .unwrap_or("Alex")
}

/// Lower-case ASCII letters only, for e-mail addresses.
fn mail_part(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Draws a person; `number` (the customer number) makes the e-mail address unique.
pub(super) fn person(rng: &mut ChaCha8Rng, number: u64) -> Person {
    let g: f64 = rng.r#gen();
    let (gender, first) = if g < 0.49 {
        ("F", pick(rng, &FEMALE))
    } else if g < 0.98 {
        ("M", pick(rng, &MALE))
    } else if rng.gen_bool(0.5) {
        ("X", pick(rng, &FEMALE))
    } else {
        ("X", pick(rng, &MALE))
    };
    let last = pick(rng, &LAST);
    let shares: [f64; N_REGIONS] = std::array::from_fn(|i| REGIONS.get(i).map_or(0.0, |r| r.share));
    let region = pick_weighted(rng, &shares);
    let (f, l) = (mail_part(first), mail_part(last));
    let initial = f.get(..1).unwrap_or("x");
    let local = match rng.gen_range(0..4) {
        0 => format!("{f}.{l}{number}"),
        1 => format!("{initial}.{l}{number}"),
        2 => format!("{f}{l}{number}"),
        _ => format!("{f}_{l}{number}"),
    };
    let domain = pick(rng, &DOMAINS);
    let phone = if rng.gen_bool(0.65) {
        format!("07700 900{:03}", rng.gen_range(0..1000))
    } else {
        let prefix = REGIONS.get(region).map_or("020 7946 0", |r| r.landline);
        format!("{prefix}{:03}", rng.gen_range(0..1000))
    };
    Person {
        name: format!("{first} {last}"),
        email: format!("{local}@{domain}"),
        phone,
        gender,
        region,
    }
}
