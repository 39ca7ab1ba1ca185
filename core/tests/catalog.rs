//! The catalog end to end: build from CSV (every kind of malformed input), open, query,
//! corrupted indexes, atomic publish and hot swap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use bmc_core::catalog::generate::Generator;
use bmc_core::catalog::{
    self, BuildOptions, Catalog, CatalogError, MatchKind, OnInvalid, SearchFilters, SharedCatalog,
};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("bmc-catalog-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const HEADER: &str = "product_id,product_code,product_name,dian_classification,category_id,unit_type,is_active,created_at,updated_at\n";

fn build_text(
    text: &str,
    index: &Path,
    on_invalid: OnInvalid,
) -> Result<catalog::BuildReport, CatalogError> {
    let options = BuildOptions {
        on_invalid,
        ..BuildOptions::default()
    };
    catalog::build(
        Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        "test.csv",
        index,
        &options,
        &mut |_| {},
    )
}

fn generated(count: u64) -> String {
    let mut out = Vec::new();
    Generator::new(count, 42)
        .write_csv(&mut out, &mut |_| {})
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_as_postgres_writes_it() {
    let tmp = TempDir::new("csv");
    let text = format!(
        "{HEADER}1,A-1,\"Queso \"\"doble crema\"\", 250 g\",0406.10.00.00,40,g,t,2024-01-15 10:30:00,2024-02-01 08:00:00.123456\n\
         2,A-2,\"Arepa\nde maíz\",1904.90.00.00,190,und,f,,\n\
         3,B-1,Café excelso,0901119000,90,kg,t,2024-01-15T10:30:00,\n"
    );
    let index = tmp.0.join("idx");
    let report = build_text(&text, &index, OnInvalid::Reject).unwrap();
    assert_eq!(
        (report.rows, report.products, report.invalid_count),
        (3, 3, 0)
    );
    let c = Catalog::open(&index).unwrap();
    let q = c.get("A-1").unwrap().unwrap();
    assert_eq!(q.product_name, "Queso \"doble crema\", 250 g");
    assert_eq!(q.dian_classification.as_str(), "0406100000");
    assert_eq!(
        q.updated_at.unwrap().to_string(),
        "2024-02-01 08:00:00.123456"
    );
    let a = c.get("A-2").unwrap().unwrap();
    assert_eq!(a.product_name, "Arepa\nde maíz");
    assert!(!a.is_active);
    assert!(a.created_at.is_none());
    assert!(c.get("a-1").unwrap().is_none(), "codes are exact");
}

#[test]
fn every_kind_of_bad_row_is_reported_with_its_line() {
    let tmp = TempDir::new("bad");
    let text = format!(
        "{HEADER}1,OK-1,Café,0901119000,90,kg,t,,\n\
         x,BAD-ID,Café,0901119000,90,kg,t,,\n\
         3,,Sin código,0901119000,90,kg,t,,\n\
         4,BAD-NAME,,0901119000,90,kg,t,,\n\
         5,BAD-CLASS,Café,7701000000,90,kg,t,,\n\
         6,BAD-CAT,Café,0901119000,noventa,kg,t,,\n\
         7,BAD-BOOL,Café,0901119000,90,kg,quizá,,\n\
         8,BAD-TIME,Café,0901119000,90,kg,t,ayer,\n\
         9,SHORT,Café\n\
         10,OK-1,Café repetido,0901119000,90,kg,t,,\n\
         12,EXTRA,Café,0901119000,90,kg,t,,,sobra\n\
         13,NO-BOOL,Café,0901119000,90,kg,,,\n\
         11,\"UNCLOSED,Café,0901119000,90,kg,t,,\n"
    );
    let index = tmp.0.join("idx");
    let err = build_text(&text, &index, OnInvalid::Reject).unwrap_err();
    assert_eq!(err.code(), "CATALOG_BUILD_REJECTED");
    assert!(!index.exists(), "a rejected build leaves nothing");
    let report = build_text(&text, &index, OnInvalid::SkipAndReport).unwrap();
    let fields: Vec<(u64, &str)> = report
        .invalid
        .iter()
        .map(|p| (p.line, p.field.as_str()))
        .collect();
    // A row with missing or extra fields is refused as a whole (before, a short row was
    // read with empty fields and an empty is_active read as active).
    assert_eq!(
        &fields[..10],
        &[
            (3, "product_id"),
            (4, "product_code"),
            (5, "product_name"),
            (6, "dian_classification"),
            (7, "category_id"),
            (8, "is_active"),
            (9, "created_at"),
            (10, "row"),
            (12, "row"),
            (13, "is_active"),
        ]
    );
    assert!(
        report.invalid[7]
            .message
            .contains("has 3 fields; the header has 9")
    );
    assert!(
        report.invalid.iter().any(|p| p.line == 14),
        "{:?}",
        report.invalid
    );
    assert_eq!(report.duplicate_count, 1);
    assert_eq!(
        (report.duplicates[0].line, report.duplicates[0].first_line),
        (11, 2)
    );
    let c = Catalog::open(&index).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(
        c.get("OK-1").unwrap().unwrap().product_name,
        "Café",
        "the first row wins"
    );
}

#[test]
fn headers_and_compression() {
    let tmp = TempDir::new("headers");
    let err = build_text(
        "product_id,product_code\n1,A\n",
        &tmp.0.join("i"),
        OnInvalid::Reject,
    )
    .unwrap_err();
    assert_eq!(err.code(), "CATALOG_SOURCE_INVALID");
    assert!(err.to_string().contains("product_name"), "{err}");

    let text = generated(500);
    let gz = tmp.0.join("c.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let zst = tmp.0.join("c.csv.zst");
    std::fs::write(&zst, zstd::encode_all(text.as_bytes(), 3).unwrap()).unwrap();
    for (source, name) in [(&gz, "gz"), (&zst, "zst")] {
        let index = tmp.0.join(name);
        let report =
            catalog::build_from_path(source, &index, &BuildOptions::default(), &mut |_| {})
                .unwrap();
        assert_eq!(report.products, 500, "{name}");
        let c = Catalog::open(&index).unwrap();
        assert_eq!(
            c.manifest().source.bytes,
            std::fs::metadata(source).unwrap().len()
        );
    }
    let empty = build_text(HEADER, &tmp.0.join("empty"), OnInvalid::Reject).unwrap();
    assert_eq!(empty.products, 0);
    assert!(Catalog::open(&tmp.0.join("empty")).unwrap().is_empty());
}

#[test]
fn queries_over_a_generated_catalog() {
    let tmp = TempDir::new("queries");
    let text = generated(3000);
    let index = tmp.0.join("idx");
    // A small sort budget forces several runs and a real merge.
    let options = BuildOptions {
        sort_memory: 64 << 10,
        ..BuildOptions::default()
    };
    let mut phases = Vec::new();
    catalog::build(
        Box::new(std::io::Cursor::new(text.clone().into_bytes())),
        "gen",
        &index,
        &options,
        &mut |p| phases.push(p.phase),
    )
    .unwrap();
    assert!(phases.contains(&catalog::Phase::Finishing));
    let c = Catalog::open(&index).unwrap();
    assert_eq!(c.len(), 3000);

    // Every generated row is found by its code, with every field intact.
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records().take(300) {
        let r = record.unwrap();
        let p = c.get(&r[1]).unwrap().unwrap();
        assert_eq!(p.product_id.to_string(), &r[0]);
        assert_eq!(p.product_name, &r[2]);
        assert_eq!(p.dian_classification.to_string(), &r[3]);
        assert_eq!(p.is_active, &r[6] == "t");
    }
    let codes = ["CAF-ANT-000123", "nope"];
    assert_eq!(c.get_many(&codes).unwrap().len(), 2);

    let prefixed = c.prefix("770", 50).unwrap();
    assert_eq!(prefixed.len(), 50);
    assert!(
        prefixed
            .windows(2)
            .all(|w| w[0].product_code < w[1].product_code)
    );

    // Paging by classification visits each matching product once, in order.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = c.by_classification("09", true, offset, 7).unwrap();
        assert!(
            page.products
                .iter()
                .all(|p| p.is_active && p.dian_classification.chapter() == "09")
        );
        seen.extend(
            page.products
                .into_iter()
                .map(|p| (p.dian_classification, p.product_code)),
        );
        match page.next_offset {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert!(seen.len() > 20);
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), seen.len());
    assert_eq!(
        c.by_classification("0901.1", false, 0, 1000)
            .unwrap()
            .products
            .len(),
        c.by_classification("09011", false, 0, 1000)
            .unwrap()
            .products
            .len()
    );
    assert_eq!(
        c.by_classification("x", false, 0, 1).unwrap_err().code(),
        "CATALOG_QUERY_INVALID"
    );

    // Search: the exact code first, then the exact name, typos tolerated, filters honoured.
    let some = c
        .get_many(
            &prefixed
                .iter()
                .map(|p| p.product_code.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let target = some[3].clone().unwrap();
    let hits = c
        .search(&target.product_code, 5, &SearchFilters::default())
        .unwrap();
    assert_eq!(hits[0].product.product_code, target.product_code);
    assert_eq!(hits[0].matched, MatchKind::Code);
    let hits = c
        .search(
            &target.product_name.to_uppercase(),
            5,
            &SearchFilters::default(),
        )
        .unwrap();
    assert_eq!(hits[0].matched, MatchKind::Name);
    assert_eq!(hits[0].product.product_name, target.product_name);
    // A limit or a query too large for one search is refused, not allocated or searched.
    let all = SearchFilters::default();
    for refused in [
        c.search("cafe", usize::MAX, &all),
        c.search("cafe", bmc_core::catalog::MAX_SEARCH_LIMIT + 1, &all),
        c.search(&["cafe"; 65].join(" "), 10, &all),
        // One word of 100,000 letters took a gigabyte in the typo-tolerant lookup.
        c.search(&"a".repeat(100_000), 10, &all),
        c.search(&format!("cafe {}", "b".repeat(65)), 10, &all),
        c.search(&"cafe ".repeat(300), 10, &all),
    ] {
        assert_eq!(refused.unwrap_err().code(), "CATALOG_QUERY_INVALID");
    }
    let misspelled = c
        .search("panela pulverisada", 10, &SearchFilters::default())
        .unwrap();
    assert!(
        misspelled
            .iter()
            .any(|h| h.product.product_name.starts_with("Panela pulverizada"))
    );
    let accents = c.search("cafe", 10, &SearchFilters::default()).unwrap();
    assert!(!accents.is_empty());
    assert!(
        accents
            .iter()
            .all(|h| h.product.product_name.to_lowercase().contains("café"))
    );
    let filters = SearchFilters {
        active_only: true,
        category_id: None,
        classification_prefix: Some("17".into()),
    };
    let filtered = c.search("panela", 20, &filters).unwrap();
    assert!(!filtered.is_empty());
    assert!(
        filtered
            .iter()
            .all(|h| h.product.is_active && h.product.dian_classification.chapter() == "17")
    );
    // Ties go to active products, then the lower code: the same query gives the same order
    // every time.
    let again = c.search("panela", 20, &filters).unwrap();
    assert_eq!(
        filtered
            .iter()
            .map(|h| &h.product.product_code)
            .collect::<Vec<_>>(),
        again
            .iter()
            .map(|h| &h.product.product_code)
            .collect::<Vec<_>>()
    );
    assert!(
        c.search("", 5, &SearchFilters::default())
            .unwrap()
            .is_empty()
    );
    let bad = SearchFilters {
        classification_prefix: Some("123".into()),
        ..SearchFilters::default()
    };
    assert_eq!(
        c.search("cafe", 5, &bad).unwrap_err().code(),
        "CATALOG_QUERY_INVALID"
    );
    c.verify().unwrap();
}

fn small_index(tmp: &TempDir, name: &str) -> PathBuf {
    let index = tmp.0.join(name);
    build_text(&generated(200), &index, OnInvalid::Reject).unwrap();
    index
}

#[test]
fn a_changed_byte_in_an_fst_file_is_an_error_at_open() {
    let tmp = TempDir::new("fst-bytes");
    let index = small_index(&tmp, "base");
    for name in ["codes.fst", "classes.fst"] {
        let path = index.join(name);
        let original = std::fs::read(&path).unwrap();
        // Every byte position of the small files, a few bit patterns each: before the
        // checksum was checked, some of these sent `get` to another product and some made
        // the fst crate panic.
        for at in 0..original.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut bytes = original.clone();
                bytes[at] ^= mask;
                std::fs::write(&path, &bytes).unwrap();
                let err = Catalog::open(&index).map(|_| ()).unwrap_err();
                assert_eq!(
                    err.code(),
                    "CATALOG_CORRUPT",
                    "{name}[{at}] ^ {mask:#x}: {err}"
                );
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    Catalog::open(&index).unwrap().verify().unwrap();
}

#[test]
fn get_never_returns_a_product_with_another_code() {
    let tmp = TempDir::new("other-code");
    let index = small_index(&tmp, "base");
    let c = Catalog::open(&index).unwrap();
    let product = c.prefix("", 1).unwrap().remove(0);
    let code = product.product_code.clone();
    drop(c);
    // Change the last digit of the code where the string store holds it.
    let strings = index.join("strings.bin");
    let mut bytes = std::fs::read(&strings).unwrap();
    let at = bytes
        .windows(code.len())
        .position(|w| w == code.as_bytes())
        .unwrap()
        + code.len()
        - 1;
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    std::fs::write(&strings, &bytes).unwrap();
    let c = Catalog::open(&index).unwrap();
    let err = c.get(&code).unwrap_err();
    assert_eq!(err.code(), "CATALOG_CORRUPT", "{err}");
    assert!(err.to_string().contains(&code), "{err}");
    assert_eq!(c.prefix("", 5).unwrap_err().code(), "CATALOG_CORRUPT");
    assert_eq!(c.verify().unwrap_err().code(), "CATALOG_CORRUPT");
}

#[test]
fn corrupted_indexes_are_typed_errors() {
    let tmp = TempDir::new("corrupt");
    assert_eq!(
        Catalog::open(&tmp.0.join("none")).unwrap_err().code(),
        "CATALOG_FORMAT"
    );

    let index = small_index(&tmp, "truncated");
    let records = index.join("records.bin");
    let bytes = std::fs::read(&records).unwrap();
    std::fs::write(&records, &bytes[..bytes.len() - 10]).unwrap();
    let err = Catalog::open(&index).unwrap_err();
    assert_eq!(err.code(), "CATALOG_TRUNCATED", "{err}");

    let index = small_index(&tmp, "flipped");
    let strings = index.join("strings.bin");
    let mut bytes = std::fs::read(&strings).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&strings, &bytes).unwrap();
    let c = Catalog::open(&index).unwrap();
    assert_eq!(c.verify().unwrap_err().code(), "CATALOG_CORRUPT");

    let index = small_index(&tmp, "version");
    let manifest = index.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        &format!(
            "\"format_version\": {}",
            bmc_core::catalog::manifest::FORMAT_VERSION
        ),
        "\"format_version\": 99",
    );
    std::fs::write(&manifest, text).unwrap();
    let err = Catalog::open(&index).unwrap_err();
    assert_eq!(err.code(), "CATALOG_FORMAT");
    assert!(err.to_string().contains("rebuild"), "{err}");

    let index = small_index(&tmp, "garbage");
    std::fs::write(index.join("manifest.json"), "{ not json").unwrap();
    assert_eq!(Catalog::open(&index).unwrap_err().code(), "CATALOG_FORMAT");

    let index = small_index(&tmp, "header");
    let records = index.join("records.bin");
    let mut bytes = std::fs::read(&records).unwrap();
    bytes[0] = b'X';
    std::fs::write(&records, &bytes).unwrap();
    assert_eq!(Catalog::open(&index).unwrap_err().code(), "CATALOG_CORRUPT");

    let index = small_index(&tmp, "missing");
    std::fs::remove_file(index.join("codes.fst")).unwrap();
    assert_eq!(Catalog::open(&index).unwrap_err().code(), "CATALOG_FORMAT");

    // The search index's files are in the manifest too: sizes checked on open, contents by
    // verify.
    let segment_file = |index: &Path, extension: &str| {
        std::fs::read_dir(index.join("search"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == extension))
            .unwrap()
    };
    let index = small_index(&tmp, "search-truncated");
    let postings = segment_file(&index, "idx");
    let bytes = std::fs::read(&postings).unwrap();
    std::fs::write(&postings, &bytes[..bytes.len() / 2]).unwrap();
    let err = Catalog::open(&index).unwrap_err();
    assert_eq!(err.code(), "CATALOG_TRUNCATED", "{err}");
    assert!(err.to_string().contains(".idx"), "{err}");

    let index = small_index(&tmp, "search-flipped");
    let terms = segment_file(&index, "term");
    let mut bytes = std::fs::read(&terms).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&terms, &bytes).unwrap();
    let err = Catalog::open(&index).and_then(|c| c.verify()).unwrap_err();
    assert_eq!(err.code(), "CATALOG_CORRUPT", "{err}");

    let index = small_index(&tmp, "search-missing");
    std::fs::remove_file(segment_file(&index, "fast")).unwrap();
    assert_eq!(Catalog::open(&index).unwrap_err().code(), "CATALOG_FORMAT");

    let index = small_index(&tmp, "search-unlisted");
    let manifest = index.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| !f["name"].as_str().unwrap().starts_with("search/"));
    std::fs::write(&manifest, m.to_string()).unwrap();
    let err = Catalog::open(&index).unwrap_err();
    assert_eq!(err.code(), "CATALOG_FORMAT");
    assert!(err.to_string().contains("search/"), "{err}");

    let index = small_index(&tmp, "outside");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(index.join("manifest.json")).unwrap())
            .unwrap();
    m["files"].as_array_mut().unwrap().push(serde_json::json!(
        { "name": "search/../../etc/passwd", "bytes": 1, "sha256": "00" }
    ));
    std::fs::write(index.join("manifest.json"), m.to_string()).unwrap();
    assert_eq!(Catalog::open(&index).unwrap_err().code(), "CATALOG_FORMAT");
}

#[test]
fn rebuilds_publish_atomically_and_readers_swap() {
    let tmp = TempDir::new("swap");
    let index = tmp.0.join("idx");
    build_text(
        &format!("{HEADER}1,A,Café viejo,0901119000,90,kg,t,,\n"),
        &index,
        OnInvalid::Reject,
    )
    .unwrap();
    let shared = SharedCatalog::new(Catalog::open(&index).unwrap());
    let old = shared.get();

    build_text(
        &format!("{HEADER}1,A,Café nuevo,0901119000,90,kg,t,,\n2,B,Cacao,1801001900,180,kg,t,,\n"),
        &index,
        OnInvalid::Reject,
    )
    .unwrap();
    // The old catalog still reads its (now unlinked) files.
    assert_eq!(old.get("A").unwrap().unwrap().product_name, "Café viejo");
    shared.reload().unwrap();
    assert_eq!(
        shared.get().get("A").unwrap().unwrap().product_name,
        "Café nuevo"
    );
    assert_eq!(shared.get().len(), 2);

    // A failed build leaves the published index as it was.
    assert!(build_text(&format!("{HEADER}x,bad\n"), &index, OnInvalid::Reject).is_err());
    assert_eq!(Catalog::open(&index).unwrap().len(), 2);
    let leftovers: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "idx")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn deltas_overlay_every_query_and_compaction_folds_them_in() {
    let tmp = TempDir::new("delta");
    let index = tmp.0.join("idx");
    let base = format!(
        "{HEADER}1,A-1,Café verde excelso,0901119000,90,kg,t,,\n\
         2,A-2,Cacao en grano,1801001900,180,kg,t,,\n\
         3,A-3,Banano Cavendish,0803901200,80,kg,t,,\n\
         4,B-1,Panela en bloque,1701139000,170,kg,t,,\n"
    );
    build_text(&base, &index, OnInvalid::Reject).unwrap();
    let delta = format!(
        "{HEADER}2,A-2,Cacao fino de aroma,1801001900,180,kg,t,,2026-11-01 00:00:00\n\
         3,A-3,Banano Cavendish,0803901200,80,kg,f,,2026-11-01 00:00:00\n\
         5,A-25,Aguacate Hass,0804400000,80,kg,t,,\n\
         1,A-1,Café verde excelso tipo exportación,0901119000,90,kg,t,,\n"
    );
    let options = BuildOptions::default();
    let report = catalog::apply_delta(
        &index,
        Box::new(std::io::Cursor::new(delta.into_bytes())),
        "delta.csv",
        &options,
    )
    .unwrap();
    assert_eq!(
        (report.rows, report.upserted, report.overlay_products),
        (4, 4, 4)
    );

    let c = Catalog::open(&index).unwrap();
    assert_eq!(c.len(), 5);
    assert_eq!(c.overlay_len(), 4);
    assert_eq!(
        c.get("A-2").unwrap().unwrap().product_name,
        "Cacao fino de aroma"
    );
    assert!(!c.get("A-3").unwrap().unwrap().is_active);
    assert_eq!(
        c.get("A-25").unwrap().unwrap().product_name,
        "Aguacate Hass"
    );
    let codes: Vec<String> = c
        .prefix("A-", 10)
        .unwrap()
        .into_iter()
        .map(|p| p.product_code)
        .collect();
    assert_eq!(codes, ["A-1", "A-2", "A-25", "A-3"]);
    assert_eq!(c.prefix("A-", 2).unwrap().len(), 2);

    let page = c.by_classification("08", true, 0, 10).unwrap();
    let names: Vec<&str> = page
        .products
        .iter()
        .map(|p| p.product_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Aguacate Hass"],
        "the deactivated banano is filtered, the new aguacate appears"
    );
    let all = c.by_classification("", false, 0, 1).unwrap_err();
    assert_eq!(all.code(), "CATALOG_QUERY_INVALID");
    // (classification, code) order across base and overlay, one product a page.
    let every: Vec<String> = (0..3)
        .map(|i| {
            c.by_classification("0", false, i, 1).unwrap().products[0]
                .product_code
                .clone()
        })
        .collect();
    assert_eq!(every, ["A-3", "A-25", "A-1"]);
    assert!(
        c.by_classification("0", false, 3, 1)
            .unwrap()
            .products
            .is_empty()
    );
    let first = c.by_classification("0", false, 0, 2).unwrap();
    assert_eq!(first.next_offset, Some(2));
    let last = c.by_classification("0", false, 2, 2).unwrap();
    assert_eq!((last.products.len(), last.next_offset), (1, None));

    let hits = c.search("cacao", 5, &SearchFilters::default()).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].product.product_name, "Cacao fino de aroma");
    assert_eq!(
        c.search("aguacate", 5, &SearchFilters::default()).unwrap()[0]
            .product
            .product_code,
        "A-25"
    );
    assert_eq!(
        c.search("A-25", 5, &SearchFilters::default()).unwrap()[0].matched,
        MatchKind::Code
    );
    let active = SearchFilters {
        active_only: true,
        ..SearchFilters::default()
    };
    assert!(c.search("banano", 5, &active).unwrap().is_empty());

    // A second delta updates the overlay again; an invalid one changes nothing.
    let again = format!("{HEADER}5,A-25,Aguacate Hass premium,0804400000,80,kg,t,,\n");
    catalog::apply_delta(
        &index,
        Box::new(std::io::Cursor::new(again.into_bytes())),
        "d2",
        &options,
    )
    .unwrap();
    let bad = format!("{HEADER}6,A-26,Mango,7701000000,80,kg,t,,\n");
    let err = catalog::apply_delta(
        &index,
        Box::new(std::io::Cursor::new(bad.into_bytes())),
        "d3",
        &options,
    )
    .unwrap_err();
    assert_eq!(err.code(), "CATALOG_SOURCE_INVALID");
    let c = Catalog::open(&index).unwrap();
    assert_eq!(
        c.get("A-25").unwrap().unwrap().product_name,
        "Aguacate Hass premium"
    );
    assert!(c.get("A-26").unwrap().is_none());
    drop(c);

    let before: Vec<_> = Catalog::open(&index).unwrap().prefix("", 10).unwrap();
    let report = catalog::compact(&index, &options, &mut |_| {}).unwrap();
    assert_eq!(report.products, 5);
    let c = Catalog::open(&index).unwrap();
    assert_eq!(c.overlay_len(), 0);
    assert_eq!(c.prefix("", 10).unwrap(), before);
    assert_eq!(
        c.search("cacao", 5, &SearchFilters::default()).unwrap()[0]
            .product
            .product_name,
        "Cacao fino de aroma"
    );
}

/// A reader that fails after its first `ok` bytes.
struct FailsAfter {
    data: std::io::Cursor<Vec<u8>>,
    ok: u64,
}

impl std::io::Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.position() >= self.ok {
            return Err(std::io::Error::other("the disk went away"));
        }
        let room = usize::try_from(self.ok - self.data.position()).unwrap();
        let n = buf.len().min(room);
        self.data.read(&mut buf[..n])
    }
}

#[test]
fn the_source_hash_covers_the_whole_source_or_the_build_fails() {
    use sha2::Digest;
    let tmp = TempDir::new("source-hash");
    let text = generated(50);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let index = tmp.0.join("gz");
    catalog::build(
        Box::new(std::io::Cursor::new(bytes.clone())),
        "test.csv.gz",
        &index,
        &BuildOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let c = Catalog::open(&index).unwrap();
    let expected = sha2::Sha256::digest(&bytes);
    let expected: String = expected.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(c.manifest().source.sha256, expected);

    // A source whose unread rest cannot be read fails the build instead of recording a hash
    // of part of it (or none).
    let mut plain = text.into_bytes();
    let read_ok = plain.len() as u64;
    plain.extend_from_slice(&[b'\n'; 1 << 20]);
    let err = catalog::build(
        Box::new(FailsAfter {
            data: std::io::Cursor::new(plain),
            ok: read_ok + (1 << 19),
        }),
        "test.csv",
        &tmp.0.join("failing"),
        &BuildOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err.code(), "CATALOG_SOURCE_INVALID", "{err}");
}
