//! `tailor campaign` end to end on the bundled sample (segmented, churn scored): the JSON, every
//! filter and how they combine, clean errors, offers that are never blank, and the same audience
//! as the Campaigns panel's worker builds for the same filters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{assert_clean_error, read_csv, tailor};
use serde_json::Value;
use tailor::models::campaign::{AttributeFilter, AudienceFilters};
use tailor::progress::NoProgress;
use tailor::workspace::Workspace;
use tailor::workspace::campaigns::AudienceRequest;
use tailor::workspace::export::ExportSpec;

/// The sample, segmented (k-means, 4) and churn scored once for every test.
fn prepared() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("campaign_cli");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("demo.sqlite");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite"),
            &path,
        )
        .unwrap();
        let db = path.to_str().unwrap();
        for args in [
            vec!["segment", db, "--method", "kmeans", "--k", "4"],
            vec!["churn", db],
        ] {
            let run = tailor(&args);
            assert!(
                run.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
        }
        path
    })
}

/// A copy of the prepared sample of the test's own.
fn sample(dir: &Path) -> String {
    let path = dir.join("demo.sqlite");
    std::fs::copy(prepared(), &path).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs `tailor campaign DB` with `first` then `args`, which must succeed; its stdout.
fn campaign(db: &str, first: &[&str], args: &[&str]) -> Vec<u8> {
    let mut all = vec!["campaign", db];
    all.extend_from_slice(first);
    all.extend_from_slice(args);
    let run = tailor(&all);
    assert!(
        run.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    run.stdout
}

fn json(db: &str, args: &[&str]) -> Value {
    serde_json::from_slice(&campaign(db, &["--json"], args)).unwrap()
}

/// The segment ids of the latest segmentation, largest segment first.
fn segment_ids(db: &str) -> Vec<usize> {
    json(db, &[])["by_segment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap() as usize)
        .collect()
}

fn size(db: &str, args: &[&str]) -> u64 {
    json(db, args)["size"].as_u64().unwrap()
}

/// The customer ids of the audience, as `--out` writes them (everyone, consent or not).
fn exported_ids(db: &str, dir: &Path, args: &[&str]) -> Vec<String> {
    let out = dir.join("ids.csv");
    campaign(
        db,
        &["--include-no-consent", "--out", out.to_str().unwrap()],
        args,
    );
    let (header, rows) = read_csv(&out);
    let id = header.iter().position(|h| h == "customer_id").unwrap();
    rows.into_iter().map(|r| r[id].clone()).collect()
}

fn set(ids: Vec<String>) -> BTreeSet<String> {
    ids.into_iter().collect()
}

fn sql_count(db: &str, sql: &str) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

#[test]
fn json_has_the_size_value_segments_and_fairness() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let v = json(&db, &[]);
    let customers = sql_count(&db, "SELECT COUNT(*) FROM customers");
    assert_eq!(v["size"], customers);
    assert_eq!(v["of_customers"], customers);
    assert!(v["expected_value"].as_f64().unwrap() > 0.0);
    assert!(v.get("export").is_none());
    let segments = v["by_segment"].as_array().unwrap();
    assert_eq!(segments.len(), 4);
    let n: u64 = segments.iter().map(|s| s["n"].as_u64().unwrap()).sum();
    assert_eq!(n, customers);
    assert!(segments.iter().all(|s| s["segment"].as_str().is_some()));
    let fairness = v["fairness"].as_array().unwrap();
    let gender = fairness
        .iter()
        .find(|f| f["attribute"] == "gender")
        .unwrap();
    assert_eq!(gender["disparate_impact"], 1.0);
    for g in gender["groups"].as_array().unwrap() {
        assert!(g["n"].as_u64().unwrap() > 0);
        assert_eq!(g["selection_rate"], 1.0);
    }

    // Human mode: a short summary.
    let run = tailor(&["campaign", &db]);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("of 5,000 customers"), "{text}");
    assert!(text.contains("Expected value"), "{text}");
    assert!(text.contains("By segment"), "{text}");
}

#[test]
fn filters_intersect_and_repeated_segments_are_a_union() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let ids: Vec<String> = segment_ids(&db).iter().map(ToString::to_string).collect();
    let (a, b) = (ids[0].as_str(), ids[1].as_str());
    let in_a = set(exported_ids(&db, dir.path(), &["--segment", a]));
    let in_b = set(exported_ids(&db, dir.path(), &["--segment", b]));
    let both = set(exported_ids(
        &db,
        dir.path(),
        &["--segment", a, "--segment", b],
    ));
    assert!(!in_a.is_empty() && !in_b.is_empty());
    assert_eq!(both, in_a.union(&in_b).cloned().collect());
    let v = json(&db, &["--segment", a, "--segment", b]);
    assert_eq!(v["size"], both.len() as u64);
    assert_eq!(v["by_segment"].as_array().unwrap().len(), 2);

    let risky = set(exported_ids(&db, dir.path(), &["--churn-min", "0.3"]));
    let london = set(exported_ids(&db, dir.path(), &["--where", "region=London"]));
    let all = set(exported_ids(
        &db,
        dir.path(),
        &[
            "--segment",
            a,
            "--segment",
            b,
            "--churn-min",
            "0.3",
            "--where",
            "region=London",
        ],
    ));
    let expect: BTreeSet<String> = both
        .iter()
        .filter(|id| risky.contains(*id) && london.contains(*id))
        .cloned()
        .collect();
    assert!(!expect.is_empty() && expect.len() < both.len());
    assert_eq!(all, expect);
}

#[test]
fn the_churn_range_is_inclusive() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let latest = "run_id = (SELECT MAX(run_id) FROM tailor_runs WHERE kind = 'churn')";
    let p: f64 = conn
        .query_row(
            &format!(
                "SELECT probability FROM tailor_churn_scores WHERE {latest}
                 ORDER BY probability LIMIT 1 OFFSET 1000"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let exact = sql_count(
        &db,
        &format!("SELECT COUNT(*) FROM tailor_churn_scores WHERE {latest} AND probability = {p:?}"),
    );
    assert!(exact >= 1);
    let p = format!("{p}");
    assert_eq!(size(&db, &["--churn-min", &p, "--churn-max", &p]), exact);
    let at_least = sql_count(
        &db,
        &format!("SELECT COUNT(*) FROM tailor_churn_scores WHERE {latest} AND probability >= {p}"),
    );
    assert_eq!(size(&db, &["--churn-min", &p]), at_least);
    let at_most = sql_count(
        &db,
        &format!("SELECT COUNT(*) FROM tailor_churn_scores WHERE {latest} AND probability <= {p}"),
    );
    assert_eq!(size(&db, &["--churn-max", &p]), at_most);
    assert_eq!(
        size(&db, &["--churn-min", "0", "--churn-max", "1"]),
        sql_count(
            &db,
            &format!("SELECT COUNT(*) FROM tailor_churn_scores WHERE {latest}")
        )
    );
}

#[test]
fn where_and_consent_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let count = |w: &str| sql_count(&db, &format!("SELECT COUNT(*) FROM customers WHERE {w}"));
    assert_eq!(
        size(&db, &["--where", "region=London"]),
        count("region = 'London'")
    );
    // Case as stored.
    assert_eq!(size(&db, &["--where", "region=london"]), 0);
    // The same column repeated: any of its values.
    assert_eq!(
        size(
            &db,
            &["--where", "region=London", "--where", "region=North West"]
        ),
        count("region IN ('London', 'North West')")
    );
    // Different columns intersect; a numeric column matches the exact value.
    assert_eq!(
        size(&db, &["--where", "region=London", "--where", "gender=F"]),
        count("region = 'London' AND gender = 'F'")
    );
    assert_eq!(
        size(&db, &["--where", "birth_year=1985"]),
        count("birth_year = 1985")
    );
    assert!(count("birth_year = 1985") > 0);

    let consenting = count("consent_email = 1");
    assert!(consenting > 0 && consenting < count("1"));
    let v = json(&db, &["--consent-only"]);
    assert_eq!(v["size"], consenting);
    assert_eq!(v["without_consent"]["n"], 0);
    assert_eq!(
        size(&db, &["--consent-only", "--where", "region=London"]),
        count("consent_email = 1 AND region = 'London'")
    );
}

#[test]
fn bad_inputs_give_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let out = dir.path().join("x.csv");
    let out = out.to_str().unwrap();
    for (args, needle) in [
        (vec!["--churn-min", "1.5"], "--churn-min"),
        (vec!["--churn-max", "-0.1"], "--churn-max"),
        (vec!["--churn-min", "0.8", "--churn-max", "0.2"], "above"),
        (vec!["--where", "shoe_size=9"], "shoe_size"),
        (vec!["--where", "email=a@b.c"], "email"),
        (vec!["--where", "region"], "COLUMN=VALUE"),
        (vec!["--where", "birth_year=old"], "birth_year"),
        (vec!["--segment", "99"], "segment 99"),
        (vec!["--out", "x.txt"], ".csv or .xlsx"),
        (vec!["--offers"], "--out"),
    ] {
        let mut all = vec!["campaign", db.as_str()];
        all.extend_from_slice(&args);
        assert_clean_error(&tailor(&all), needle);
    }
    assert!(!Path::new(out).exists());

    // A database with customers only: no consent column, no stored runs, no transactions.
    let csv = dir.path().join("customers.csv");
    std::fs::write(&csv, "customer_id,region\nc1,North\nc2,South\n").unwrap();
    let bare = dir.path().join("bare.sqlite");
    let bare = bare.to_str().unwrap();
    let run = tailor(&[
        "import",
        csv.to_str().unwrap(),
        "--db",
        bare,
        "--table",
        "customers",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(size(bare, &["--where", "region=North"]), 1);
    for (args, needle) in [
        (vec!["--consent-only"], "consent"),
        (vec!["--churn-min", "0.5"], "no churn run"),
        (vec!["--segment", "1"], "no segmentation"),
        (vec!["--offers", "--out", out], "transactions"),
    ] {
        let mut all = vec!["campaign", bare];
        all.extend_from_slice(&args);
        assert_clean_error(&tailor(&all), needle);
    }
}

#[test]
fn offers_are_never_blank_and_the_export_goes_through_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let out = dir.path().join("offers.csv");
    let v = json(
        &db,
        &[
            "--churn-min",
            "0.4",
            "--offers",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (header, rows) = read_csv(&out);
    let offer = header.iter().position(|h| h == "offer").unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(!row[offer].trim().is_empty(), "a blank offer: {row:?}");
    }
    for pii in ["name", "email", "phone"] {
        assert!(!header.iter().any(|h| h == pii), "{pii} in {header:?}");
    }
    // Customers without consent are left out, and said so.
    let export = &v["export"];
    let left_out = export["left_out_no_consent"].as_u64().unwrap();
    assert!(left_out > 0);
    assert_eq!(export["rows"], rows.len() as u64);
    assert_eq!(v["size"].as_u64().unwrap(), rows.len() as u64 + left_out);
    assert_eq!(v["without_consent"]["n"], left_out);
    assert_eq!(export["recorded"], true);
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) FROM tailor_exports"),
        1,
        "the export is logged"
    );

    // Human mode: the guard's notes on stderr, the summary on stdout.
    let xlsx = dir.path().join("all.xlsx");
    let run = tailor(&["campaign", &db, "--out", xlsx.to_str().unwrap()]);
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("consent"), "{stderr}");
    assert!(String::from_utf8_lossy(&run.stdout).contains("Wrote"));
    assert!(xlsx.exists());
}

#[test]
fn the_window_and_the_cli_build_the_same_audience() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample(dir.path());
    let segments = segment_ids(&db);
    let cases: Vec<(AudienceFilters, Vec<String>)> = vec![
        (
            AudienceFilters {
                segments: vec![segments[0], segments[2]],
                risk: Some((0.2, 0.9)),
                attribute: Some(AttributeFilter::Values {
                    column: "region".into(),
                    values: vec!["London".into(), "South East".into()],
                }),
                ..AudienceFilters::default()
            },
            [
                "--segment",
                &segments[0].to_string(),
                "--segment",
                &segments[2].to_string(),
                "--churn-min",
                "0.2",
                "--churn-max",
                "0.9",
                "--where",
                "region=London",
                "--where",
                "region=South East",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            AudienceFilters {
                consent_only: true,
                attribute: Some(AttributeFilter::Values {
                    column: "gender".into(),
                    values: vec!["F".into()],
                }),
                ..AudienceFilters::default()
            },
            ["--consent-only", "--where", "gender=F"]
                .map(String::from)
                .to_vec(),
        ),
    ];
    // What the Campaigns panel's Export job asks the workspace for (with offers, as the window
    // does on a database with transactions).
    let mut ws = Workspace::open(Path::new(&db)).unwrap();
    for (filters, args) in cases {
        let spec = ExportSpec::Campaign(AudienceRequest {
            filters: filters.clone(),
            offers: true,
        });
        let window = ws.audience(&spec, &NoProgress).unwrap().customer_ids;
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let cli = exported_ids(&db, dir.path(), &args);
        assert!(!cli.is_empty());
        assert_eq!(window, cli, "{filters:?}");
    }
}
