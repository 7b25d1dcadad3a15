//! Short review texts whose tone matches the star rating.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const OPENERS: [[&str; 4]; 5] = [
    [
        "Terrible {p}, it broke within a week.",
        "Very poor quality, do not buy the {p}.",
        "The {p} arrived damaged and unusable.",
        "Awful. The {p} looks nothing like the photos.",
    ],
    [
        "Disappointed with the {p}.",
        "The {p} feels cheaply made.",
        "Not as described, the {p} is smaller than expected.",
        "Below average {c} product.",
    ],
    [
        "The {p} is okay.",
        "Average {p}, it does the job.",
        "Decent {p} but nothing special.",
        "Mixed feelings about the {p}.",
    ],
    [
        "Very happy with the {p}.",
        "Good quality {p}, would recommend.",
        "Nice {p}, only a few small niggles.",
        "Solid {c} buy, the {p} works well.",
    ],
    [
        "Absolutely love the {p}!",
        "Excellent {p}, exactly as described.",
        "Best {c} purchase I have made in years.",
        "Superb quality, the {p} is perfect.",
    ],
];

const CLOSERS: [[&str; 4]; 5] = [
    [
        "Asked for a refund.",
        "Never again.",
        "Still waiting for a reply from support.",
        "",
    ],
    [
        "Took ages to arrive.",
        "Probably sending it back.",
        "Customer service was slow to reply.",
        "",
    ],
    [
        "Packaging could be better.",
        "A bit pricey for what it is.",
        "Delivery was on time.",
        "",
    ],
    [
        "Delivery took a little longer than expected.",
        "Would buy again.",
        "Good value for money.",
        "",
    ],
    [
        "Fast delivery too.",
        "Will definitely buy again.",
        "Highly recommended.",
        "",
    ],
];

/// A review of `product` (in `category`) for a 1–5 star `rating`.
pub(super) fn review(rng: &mut ChaCha8Rng, rating: u8, product: &str, category: &str) -> String {
    let idx = usize::from(rating.clamp(1, 5) - 1);
    let opener = OPENERS
        .get(idx)
        .and_then(|o| o.get(rng.gen_range(0..4)))
        .copied()
        .unwrap_or("{p}.");
    let closer = CLOSERS
        .get(idx)
        .and_then(|o| o.get(rng.gen_range(0..4)))
        .copied()
        .unwrap_or("");
    let text = opener
        .replace("{p}", product)
        .replace("{c}", &category.to_lowercase());
    if closer.is_empty() {
        text
    } else {
        format!("{text} {closer}")
    }
}
