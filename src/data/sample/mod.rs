//! The synthetic sample database (`tailor sample`): a retail shop with customers, 500 products
//! in 20 categories, two years of transactions (2023-01-01 to 2024-12-31, weekend and December
//! peaks, a few cancellations) and review texts.
//!
//! Five customer types are planted (loyal big spenders, bargain hunters, lapsed customers who
//! stopped buying in 2023, new sign-ups and occasional buyers) so that segmentation has
//! something to find; `--types FILE` writes each customer's type for tests. Category tastes vary
//! by age band and region. Everything is drawn from one seeded ChaCha8 stream, customer by
//! customer, so the same seed gives the same database and memory stays bounded.

mod behaviour;
mod catalog;
mod people;
mod reviews;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use crate::data::schema::{self, TableKind};
use crate::error::{Error, Result};
use crate::files::csv::{self, Field};
use crate::files::temp_path_for;
use crate::progress::Progress;

use behaviour::{Calendar, CustomerType, Plan, Preferences, TYPE_SHARES, date_at};
use catalog::{CATEGORIES, N_CATEGORIES, Product};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of customers.
    pub customers: usize,
    /// Random seed: the same seed gives the same database.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SampleSummary {
    /// Customers written.
    pub customers: u64,
    /// Products written.
    pub products: u64,
    /// Transaction rows written.
    pub transactions: u64,
    /// Feedback rows written.
    pub feedback: u64,
}

/// The names of the planted customer types, as written to the `--types` file.
pub const CUSTOMER_TYPES: [&str; 5] = ["loyal", "bargain", "lapsed", "new", "occasional"];

/// Index drawn with probability proportional to `weights` (the last index on rounding).
pub(crate) fn pick_weighted<R: Rng>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.r#gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len().saturating_sub(1)
}

/// `tailor_meta.source` of a database the sample wrote.
const SOURCE: &str = "tailor sample";

/// Customers between cancellation checks (a few thousand rows).
const CHECK_EVERY: usize = 128;

/// Writes a new sample database to `out` (via a temporary file, then renamed) and, when
/// `types_out` is given, each customer's planted type to that CSV.
pub fn generate(
    out: &Path,
    options: &SampleOptions,
    types_out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<SampleSummary> {
    if options.customers == 0 {
        return Err(Error::Invalid(
            "the sample needs at least one customer (--customers)".into(),
        ));
    }
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(Error::NotFound(dir.to_path_buf()));
    }
    if out.is_dir() {
        return Err(Error::Invalid(format!(
            "a folder, not a database file: {}",
            out.display()
        )));
    }
    check_replaceable(out)?;
    if let Some(types) = types_out {
        crate::files::check_output("--types", types, Some(out), &[])?;
    }
    crate::files::remove_stale_temporaries(out.parent().unwrap_or(Path::new(".")));
    let tmp_db = temp_path_for(out);
    let tmp_types = types_out.map(temp_path_for);
    let result = write_all(
        out,
        &tmp_db,
        types_out.zip(tmp_types.as_deref()),
        options,
        progress,
    );
    let result = result.and_then(|summary| {
        crate::files::pause_for_tests(crate::files::Moment::BeforeRename);
        std::fs::rename(&tmp_db, out).map_err(Error::io(out))?;
        if let (Some(final_path), Some(tmp)) = (types_out, &tmp_types) {
            std::fs::rename(tmp, final_path).map_err(Error::io(final_path))?;
        }
        Ok(summary)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_db);
        if let Some(tmp) = &tmp_types {
            let _ = std::fs::remove_file(tmp);
        }
    }
    result
}

/// The sample replaces only a database it made itself (regenerating one is routine): a
/// marketer's database, a CSV or any other file at `out` is refused, and so is a database that
/// another program is writing or left half-written (its journal would be applied to the new file).
fn check_replaceable(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    for suffix in ["-journal", "-wal"] {
        let side = crate::files::companion(out, suffix);
        if side.exists() {
            return Err(Error::Invalid(format!(
                "{} is being written or was left half-written ({} is beside it): the sample \
                 does not replace it",
                out.display(),
                side.display()
            )));
        }
    }
    let made_here = Connection::open_with_flags(out, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| {
            c.query_row(
                "SELECT value FROM tailor_meta WHERE key = 'source'",
                [],
                |r| r.get::<_, String>(0),
            )
        })
        .is_ok_and(|source| source == SOURCE);
    if !made_here {
        return Err(Error::Invalid(format!(
            "{} exists and is not a sample database: the sample replaces only a database it \
             made; choose another file",
            out.display()
        )));
    }
    Ok(())
}

/// Everything the generator writes per customer, with its prepared statements.
struct Writer<'a> {
    conn: &'a Connection,
    path: &'a Path,
    types: Option<(std::io::BufWriter<std::fs::File>, &'a Path)>,
}

impl Writer<'_> {
    fn sql(&self) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
        Error::sqlite(self.path)
    }
}

fn write_all(
    out: &Path,
    tmp_db: &Path,
    types: Option<(&Path, &Path)>,
    options: &SampleOptions,
    progress: &dyn Progress,
) -> Result<SampleSummary> {
    progress.report(0.0, "Generating the sample database");
    if tmp_db.exists() {
        std::fs::remove_file(tmp_db).map_err(Error::io(tmp_db))?;
    }
    let mut conn = Connection::open(tmp_db).map_err(Error::sqlite(out))?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;",
    )
    .map_err(Error::sqlite(out))?;
    create_tables(&conn, options).map_err(Error::sqlite(out))?;
    let types_writer = match types {
        Some((final_path, tmp)) => {
            let file = std::fs::File::create(tmp).map_err(Error::io(final_path))?;
            let mut w = std::io::BufWriter::new(file);
            csv::write_header(&mut w, &["customer_id", "type"]).map_err(Error::io(final_path))?;
            Some((w, final_path))
        }
        None => None,
    };
    let tx = conn.transaction().map_err(Error::sqlite(out))?;
    let mut writer = Writer {
        conn: &tx,
        path: out,
        types: types_writer,
    };
    let summary = fill(&mut writer, options, progress)?;
    if let Some((mut w, final_path)) = writer.types.take() {
        w.flush().map_err(Error::io(final_path))?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(final_path)(e.into_error()))?;
        file.sync_all().map_err(Error::io(final_path))?;
    }
    tx.commit().map_err(Error::sqlite(out))?;
    progress.check()?;
    progress.report(0.99, "Analyzing the sample database");
    analyze(&conn, out, progress)?;
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .map_err(Error::sqlite(out))?;
    if free > 0 {
        conn.execute_batch("VACUUM").map_err(Error::sqlite(out))?;
    }
    conn.close().map_err(|(_, e)| Error::sqlite(out)(e))?;
    progress.report(1.0, "Sample database written");
    Ok(summary)
}

/// `ANALYZE`, interrupted when the user cancels (it reads the whole file, seconds when large).
fn analyze(conn: &Connection, out: &Path, progress: &dyn Progress) -> Result<()> {
    let handle = conn.get_interrupt_handle();
    let done = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        let watcher = std::thread::Builder::new()
            .name("sample-analyze-cancel".into())
            .spawn_scoped(scope, || {
                while !done.load(Ordering::Relaxed) {
                    if progress.is_cancelled() {
                        handle.interrupt();
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            });
        let result = conn.execute_batch("ANALYZE");
        done.store(true, Ordering::Relaxed);
        if let Ok(w) = watcher {
            let _ = w.join();
        }
        result
    });
    progress.check()?;
    result.map_err(Error::sqlite(out))
}

fn create_tables(conn: &Connection, options: &SampleOptions) -> rusqlite::Result<()> {
    let extra = |kind: TableKind, names: &[&str]| -> Vec<(String, &'static str)> {
        names
            .iter()
            .filter_map(|n| kind.column(n))
            .map(|c| (c.name.to_string(), c.kind.sql_type()))
            .collect()
    };
    let tables = [
        (
            TableKind::Customers,
            extra(
                TableKind::Customers,
                &[
                    "name",
                    "email",
                    "phone",
                    "gender",
                    "birth_year",
                    "region",
                    "signup_date",
                    "consent_email",
                ],
            ),
        ),
        (
            TableKind::Products,
            extra(TableKind::Products, &["name", "category", "price"]),
        ),
        (
            TableKind::Transactions,
            extra(
                TableKind::Transactions,
                &[
                    "order_id",
                    "product_id",
                    "quantity",
                    "unit_price",
                    "amount",
                    "cancelled",
                ],
            ),
        ),
        (
            TableKind::Feedback,
            extra(TableKind::Feedback, &["ts", "product_id", "rating"]),
        ),
    ];
    for (kind, cols) in &tables {
        conn.execute_batch(&schema::create_table_sql(*kind, cols))?;
    }
    schema::ensure_tailor_tables(conn)?;
    let mut meta =
        conn.prepare("INSERT OR REPLACE INTO tailor_meta (key, value) VALUES (?1, ?2)")?;
    meta.execute(["source", SOURCE])?;
    meta.execute(["sample_seed", &options.seed.to_string()])?;
    meta.execute(["sample_customers", &options.customers.to_string()])?;
    meta.execute(["sample_period", "2023-01-01..2024-12-31"])?;
    // A British shop (its regions are the UK's): amounts are in pounds.
    conn.execute(
        "INSERT OR REPLACE INTO tailor_settings (key, value) VALUES (?1, ?2)",
        [
            crate::data::settings::CURRENCY,
            &crate::data::settings::currency_value(crate::money::Currency::from_code("GBP")),
        ],
    )?;
    Ok(())
}

/// Products indexed by category, with cumulative pick weights (normal and cheap-seeking).
struct Shelf {
    products: Vec<Product>,
    /// For each category: indices into `products`, popularity weights, cheapness weights.
    by_category: Vec<(Vec<usize>, Vec<f64>, Vec<f64>)>,
}

impl Shelf {
    fn new(products: Vec<Product>) -> Shelf {
        let by_category = (0..N_CATEGORIES)
            .map(|c| {
                let idx: Vec<usize> = products
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.category == c)
                    .map(|(i, _)| i)
                    .collect();
                let pop = idx
                    .iter()
                    .filter_map(|&i| products.get(i))
                    .map(|p| p.popularity)
                    .collect();
                let cheap = idx
                    .iter()
                    .filter_map(|&i| products.get(i))
                    .map(|p| p.popularity / (p.price * p.price))
                    .collect();
                (idx, pop, cheap)
            })
            .collect();
        Shelf {
            products,
            by_category,
        }
    }

    fn pick(&self, rng: &mut ChaCha8Rng, category: usize, cheap: bool) -> Option<&Product> {
        let (idx, pop, cheapw) = self.by_category.get(category)?;
        let k = pick_weighted(rng, if cheap { cheapw } else { pop });
        self.products.get(*idx.get(k)?)
    }
}

fn fill(
    w: &mut Writer<'_>,
    options: &SampleOptions,
    progress: &dyn Progress,
) -> Result<SampleSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let shelf = Shelf::new(catalog::build_products(&mut rng));
    let mut summary = SampleSummary::default();
    {
        let mut stmt = w
            .conn
            .prepare_cached(
                "INSERT INTO products (product_id, name, category, price) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(w.sql())?;
        for p in &shelf.products {
            let category = CATEGORIES.get(p.category).map_or("", |c| c.name);
            stmt.execute(params![p.id, p.name, category, p.price])
                .map_err(Error::sqlite(w.path))?;
            summary.products += 1;
        }
    }
    let cal = Calendar::new();
    let prefs = Preferences::new();
    let mut order_no: u64 = 100_000;
    let total = options.customers;
    for i in 0..total {
        if i.is_multiple_of(CHECK_EVERY) {
            progress.check()?;
            if i.is_multiple_of(CHECK_EVERY * 64) {
                progress.report(
                    0.98 * i as f32 / total as f32,
                    "Generating the sample database",
                );
            }
        }
        let number = 100_001 + i as u64;
        customer(
            w,
            &mut rng,
            &cal,
            &prefs,
            &shelf,
            number,
            &mut order_no,
            &mut summary,
        )?;
    }
    progress.check()?;
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn customer(
    w: &mut Writer<'_>,
    rng: &mut ChaCha8Rng,
    cal: &Calendar,
    prefs: &Preferences,
    shelf: &Shelf,
    number: u64,
    order_no: &mut u64,
    summary: &mut SampleSummary,
) -> Result<()> {
    let path = w.path;
    let kind = CustomerType::ALL
        .get(pick_weighted(rng, &TYPE_SHARES))
        .copied()
        .unwrap_or(CustomerType::Occasional);
    let person = people::person(rng, number);
    let plan = Plan::draw(cal, rng, kind);
    let consent = rng.gen_bool(0.7);
    let customer_id = number.to_string();
    w.conn
        .prepare_cached(
            "INSERT INTO customers (customer_id, name, email, phone, gender, birth_year, region,
             signup_date, consent_email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut s| {
            s.execute(params![
                customer_id,
                person.name,
                person.email,
                person.phone,
                person.gender,
                plan.birth_year,
                people::REGIONS.get(person.region).map_or("", |r| r.name),
                date_at(plan.signup_day),
                i64::from(consent),
            ])
        })
        .map_err(Error::sqlite(path))?;
    summary.customers += 1;
    if let Some((types, types_path)) = w.types.as_mut() {
        csv::write_row(types, [Field::Text(&customer_id), Field::Text(kind.name())])
            .map_err(Error::io(types_path))?;
    }

    let weights = prefs.weights(rng, kind, plan.birth_year, person.region);
    let seasonal = CATEGORIES.iter().position(|c| c.seasonal);
    let mut tx = w
        .conn
        .prepare_cached(
            "INSERT INTO transactions (customer_id, ts, order_id, product_id, quantity,
             unit_price, amount, cancelled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(Error::sqlite(path))?;
    let mut fb = w
        .conn
        .prepare_cached(
            "INSERT INTO feedback (customer_id, text, ts, product_id, rating)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(Error::sqlite(path))?;
    let date = |d: i64| {
        cal.dates
            .get(d.clamp(0, behaviour::LAST) as usize)
            .map_or("", String::as_str)
    };
    for &day in &plan.order_days {
        *order_no += 1;
        let order_id = order_no.to_string();
        let (h, m, s) = cal.time(rng);
        let ts = format!("{}T{h:02}:{m:02}:{s:02}", date(day));
        let month = cal.months.get(day as usize).copied().unwrap_or(1);
        let mut w_order = weights;
        if let Some(x) = seasonal.and_then(|si| w_order.get_mut(si)) {
            *x *= match month {
                12 => 5.0,
                11 => 2.5,
                _ => 0.4,
            };
        }
        let n_lines = rng.gen_range(plan.lines.0..=plan.lines.1);
        let mut reviewed = !rng.gen_bool(plan.review);
        for _ in 0..n_lines {
            let category = pick_weighted(rng, &w_order);
            let Some(product) = shelf.pick(rng, category, plan.cheap) else {
                continue;
            };
            let qty = 1 + pick_weighted(rng, &plan.quantity) as i64;
            let unit_price = if rng.gen_bool(plan.promo) {
                let off: f64 = rng.gen_range(0.15..0.4);
                (product.price * (1.0 - off) * 100.0).round() / 100.0
            } else {
                product.price
            };
            let amount = (qty as f64 * unit_price * 100.0).round() / 100.0;
            tx.execute(params![
                customer_id,
                ts,
                order_id,
                product.id,
                qty as f64,
                unit_price,
                amount,
                0_i64
            ])
            .map_err(Error::sqlite(path))?;
            summary.transactions += 1;
            if rng.gen_bool(plan.cancel) {
                let later = (day + rng.gen_range(0..3)).min(behaviour::LAST);
                let (h2, m2, s2) = cal.time(rng);
                let cts = format!("{}T{h2:02}:{m2:02}:{s2:02}", date(later));
                let cts = if cts < ts { ts.clone() } else { cts };
                tx.execute(params![
                    customer_id,
                    cts,
                    format!("C{order_id}"),
                    product.id,
                    -(qty as f64),
                    unit_price,
                    -amount,
                    1_i64
                ])
                .map_err(Error::sqlite(path))?;
                summary.transactions += 1;
                continue;
            }
            if !reviewed {
                reviewed = true;
                let later = day + rng.gen_range(2..15);
                if later <= behaviour::LAST {
                    let noise: f64 = rng.r#gen::<f64>() + rng.r#gen::<f64>() - 1.0;
                    let rating = (product.quality + 2.0 * noise).round().clamp(1.0, 5.0) as u8;
                    let category = CATEGORIES.get(product.category).map_or("", |c| c.name);
                    let text = reviews::review(rng, rating, &product.name, category);
                    let (h2, m2, s2) = cal.time(rng);
                    let fts = format!("{}T{h2:02}:{m2:02}:{s2:02}", date(later));
                    fb.execute(params![
                        customer_id,
                        text,
                        fts,
                        product.id,
                        f64::from(rating)
                    ])
                    .map_err(Error::sqlite(path))?;
                    summary.feedback += 1;
                }
            }
        }
    }
    Ok(())
}
