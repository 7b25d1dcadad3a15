//! The product catalogue: twenty named categories of twenty-five products each.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// A product category and what its products are called and cost.
pub(super) struct Category {
    /// Category name as stored in `products.category`.
    pub name: &'static str,
    /// Five qualifiers; with the five nouns they make twenty-five product names.
    pub adjectives: [&'static str; 5],
    /// Five nouns.
    pub nouns: [&'static str; 5],
    /// Typical price in pounds.
    pub median_price: f64,
    /// Overall popularity weight.
    pub base_weight: f64,
    /// Clearance and value lines bargain hunters favour.
    pub discount: bool,
    /// Categories big spenders favour.
    pub premium: bool,
    /// Sells mostly in November and December.
    pub seasonal: bool,
}

const fn cat(
    name: &'static str,
    adjectives: [&'static str; 5],
    nouns: [&'static str; 5],
    median_price: f64,
    base_weight: f64,
    flags: (bool, bool, bool),
) -> Category {
    Category {
        name,
        adjectives,
        nouns,
        median_price,
        base_weight,
        discount: flags.0,
        premium: flags.1,
        seasonal: flags.2,
    }
}

const PLAIN: (bool, bool, bool) = (false, false, false);
const DISCOUNT: (bool, bool, bool) = (true, false, false);
const PREMIUM: (bool, bool, bool) = (false, true, false);
const SEASONAL: (bool, bool, bool) = (false, false, true);

/// Number of categories.
pub(super) const N_CATEGORIES: usize = 20;
/// Products per category.
pub(super) const PER_CATEGORY: usize = 25;

/// The categories, in product-id order.
pub(super) const CATEGORIES: [Category; N_CATEGORIES] = [
    cat(
        "Electronics",
        ["Wireless", "Compact", "Smart", "Portable", "Pro"],
        ["Headphones", "Speaker", "Charger", "Keyboard", "Webcam"],
        55.0,
        1.2,
        PREMIUM,
    ),
    cat(
        "Home & Kitchen",
        ["Ceramic", "Stainless", "Nordic", "Classic", "Bamboo"],
        [
            "Mug Set",
            "Frying Pan",
            "Knife Block",
            "Serving Bowl",
            "Kettle",
        ],
        24.0,
        1.4,
        PLAIN,
    ),
    cat(
        "Garden",
        ["Hardy", "Solar", "Cedar", "Trailing", "Weatherproof"],
        [
            "Planter",
            "Lantern",
            "Hose Reel",
            "Rose Bush",
            "Bird Feeder",
        ],
        19.0,
        0.9,
        PLAIN,
    ),
    cat(
        "Toys & Games",
        ["Wooden", "Deluxe", "Junior", "Magnetic", "Glow"],
        [
            "Puzzle",
            "Train Set",
            "Board Game",
            "Building Kit",
            "Plush Bear",
        ],
        17.0,
        1.0,
        PLAIN,
    ),
    cat(
        "Books",
        [
            "Illustrated",
            "Pocket",
            "Collected",
            "Complete",
            "Annotated",
        ],
        [
            "Cookbook",
            "Atlas",
            "Crime Novel",
            "Poetry Anthology",
            "Travel Guide",
        ],
        11.0,
        1.0,
        PLAIN,
    ),
    cat(
        "Beauty",
        ["Rose", "Hydrating", "Matte", "Vitamin C", "Overnight"],
        ["Serum", "Lipstick", "Face Cream", "Eye Palette", "Cleanser"],
        21.0,
        1.1,
        PLAIN,
    ),
    cat(
        "Women's Fashion",
        ["Linen", "Wool", "Silk", "Floral", "Tailored"],
        ["Dress", "Blouse", "Scarf", "Cardigan", "Skirt"],
        38.0,
        1.2,
        PREMIUM,
    ),
    cat(
        "Men's Fashion",
        ["Oxford", "Merino", "Slim-Fit", "Waxed", "Chambray"],
        ["Shirt", "Jumper", "Chinos", "Jacket", "Polo"],
        36.0,
        1.0,
        PREMIUM,
    ),
    cat(
        "Sports & Outdoors",
        ["Trail", "Thermal", "Ultralight", "All-Weather", "Training"],
        [
            "Running Shoes",
            "Backpack",
            "Yoga Mat",
            "Water Bottle",
            "Rain Jacket",
        ],
        32.0,
        0.9,
        PLAIN,
    ),
    cat(
        "Grocery",
        ["Organic", "Fair Trade", "Artisan", "Wholegrain", "Spiced"],
        [
            "Coffee Beans",
            "Olive Oil",
            "Granola",
            "Tea Selection",
            "Chocolate Bar",
        ],
        6.0,
        1.3,
        PLAIN,
    ),
    cat(
        "Pet Supplies",
        [
            "Chew-Proof",
            "Cosy",
            "Grain-Free",
            "Reflective",
            "Interactive",
        ],
        ["Dog Bed", "Cat Toy", "Dog Food", "Lead", "Scratching Post"],
        14.0,
        0.8,
        PLAIN,
    ),
    cat(
        "Baby",
        [
            "Soft",
            "Organic Cotton",
            "Foldable",
            "Night-Light",
            "First Steps",
        ],
        ["Bodysuit", "Blanket", "Bath Set", "Teether", "Sleeping Bag"],
        15.0,
        0.7,
        PLAIN,
    ),
    cat(
        "Health",
        ["Daily", "Sensitive", "Herbal", "Digital", "Travel"],
        [
            "Multivitamins",
            "Thermometer",
            "First Aid Kit",
            "Hand Balm",
            "Sleep Mask",
        ],
        11.0,
        0.8,
        PLAIN,
    ),
    cat(
        "Stationery",
        ["Recycled", "Leather", "Dotted", "Pastel", "Fine-Liner"],
        [
            "Notebook",
            "Pen Set",
            "Planner",
            "Desk Tidy",
            "Sticky Notes",
        ],
        8.0,
        0.7,
        PLAIN,
    ),
    cat(
        "Jewellery",
        [
            "Sterling Silver",
            "Gold-Plated",
            "Pearl",
            "Rose Gold",
            "Birthstone",
        ],
        ["Necklace", "Earrings", "Bracelet", "Ring", "Watch"],
        45.0,
        0.6,
        PREMIUM,
    ),
    cat(
        "Music & Film",
        ["Vinyl", "Remastered", "Live", "Collector's", "Soundtrack"],
        ["Album", "Box Set", "Blu-ray", "Songbook", "Concert Film"],
        15.0,
        0.7,
        PLAIN,
    ),
    cat(
        "Crafts",
        ["Acrylic", "Knitting", "Watercolour", "Beaded", "Embroidery"],
        [
            "Paint Set",
            "Yarn Pack",
            "Brush Set",
            "Starter Kit",
            "Hoop Kit",
        ],
        13.0,
        0.6,
        PLAIN,
    ),
    cat(
        "Party & Seasonal",
        ["Festive", "Glitter", "Paper", "LED", "Sparkling"],
        [
            "Garland",
            "Crackers",
            "Candles",
            "Fairy Lights",
            "Gift Wrap",
        ],
        7.0,
        0.7,
        SEASONAL,
    ),
    cat(
        "Clearance",
        [
            "Last-Chance",
            "End-of-Line",
            "Reduced",
            "Ex-Display",
            "Seconds",
        ],
        [
            "Tote Bag",
            "Phone Case",
            "Scented Candle",
            "Sock Pack",
            "Cushion Cover",
        ],
        5.0,
        0.6,
        DISCOUNT,
    ),
    cat(
        "Value Essentials",
        ["Basic", "Budget", "Multipack", "Everyday", "Bulk"],
        [
            "Batteries",
            "Kitchen Roll",
            "Bin Bags",
            "Washing-Up Liquid",
            "Storage Boxes",
        ],
        4.0,
        0.9,
        DISCOUNT,
    ),
];

/// One product.
pub(super) struct Product {
    /// `P0001`…
    pub id: String,
    /// Index into [`CATEGORIES`].
    pub category: usize,
    /// Display name.
    pub name: String,
    /// List price in pounds, ending in .99 or .49.
    pub price: f64,
    /// Relative popularity within its category.
    pub popularity: f64,
    /// Mean star rating it earns (1–5).
    pub quality: f64,
}

/// A price that looks like a shop price: 12.99, 4.49.
fn shop_price(raw: f64) -> f64 {
    let whole = raw.floor().max(0.0);
    let cents = if raw - whole < 0.5 { 0.49 } else { 0.99 };
    let p = whole + cents;
    (p * 100.0).round() / 100.0
}

/// Builds the catalogue: 500 products, ids in category order.
pub(super) fn build_products(rng: &mut ChaCha8Rng) -> Vec<Product> {
    let spread = LogNormal::new(0.0, 0.45).ok();
    let mut out = Vec::with_capacity(N_CATEGORIES * PER_CATEGORY);
    for (ci, c) in CATEGORIES.iter().enumerate() {
        for adj in &c.adjectives {
            for noun in &c.nouns {
                let factor = spread.map_or(1.0, |d| d.sample(rng));
                // Popularity is Zipf-like over a shuffled rank.
                let rank = 1.0 + rng.gen_range(0.0..PER_CATEGORY as f64);
                let n = out.len() + 1;
                out.push(Product {
                    id: format!("P{n:04}"),
                    category: ci,
                    name: format!("{adj} {noun}"),
                    price: shop_price(c.median_price * factor),
                    popularity: 1.0 / rank,
                    quality: rng.gen_range(2.5..4.7),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn five_hundred_distinct_products() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let p = build_products(&mut rng);
        assert_eq!(p.len(), 500);
        let mut names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 500);
        assert!(p.iter().all(|p| p.price >= 0.49));
    }
}
