//! What a database page format costs small writes and reads: the coding
//! workbench commits one coding at a time, while an import commits one
//! large transaction (`benches/import.rs`). For each format, a SQLCipher
//! file in WAL mode with `synchronous = FULL`, as workspaces are, holding
//! 100,000 codings with two indexes; then 1,000 transactions each adding a
//! coding and bumping a version row, and 1,000 indexed range reads. A
//! harness-less bench: `cargo bench -p sankore-store --bench page_format`.

use rusqlite::{Connection, params};
use std::time::Instant;

/// The formats compared: (page size, SQLCipher HMAC).
const FORMATS: [(u32, &str); 4] = [
    (4_096, "HMAC_SHA512"),
    (4_096, "HMAC_SHA256"),
    (8_192, "HMAC_SHA256"),
    (16_384, "HMAC_SHA256"),
];

fn ok<T>(r: rusqlite::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// The 50th, 95th and 99th percentiles of `times` (ms).
fn percentiles(mut times: Vec<f64>) -> [f64; 3] {
    times.sort_by(f64::total_cmp);
    [0.50, 0.95, 0.99].map(|q| times[((times.len() - 1) as f64 * q) as usize])
}

fn measure(dir: &std::path::Path, (page_size, hmac): (u32, &str)) -> ([f64; 3], [f64; 3]) {
    let path = dir.join(format!("db-{page_size}-{hmac}"));
    let _ = std::fs::remove_file(&path);
    let conn = ok(Connection::open(&path));
    ok(conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = {page_size};
         PRAGMA cipher_hmac_algorithm = {hmac};
         PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE codings (id INTEGER PRIMARY KEY, document INT, start INT, end INT,
                               code TEXT, coder TEXT, created_at TEXT);
         CREATE INDEX codings_by_document ON codings (document, start);
         CREATE INDEX codings_by_code ON codings (code);
         CREATE TABLE documents (id INTEGER PRIMARY KEY, version INT);
         INSERT INTO documents VALUES (1, 0);",
        "07".repeat(32)
    )));
    let insert = |i: i64| {
        ok(conn.execute(
            "INSERT INTO codings (document, start, end, code, coder, created_at)
             VALUES (?1, ?2, ?3, ?4, 'coder', '2026-12-04T00:00:00Z')",
            params![
                i % 97,
                i * 7 % 20_000,
                i * 7 % 20_000 + 30,
                format!("code{}", i % 100)
            ],
        ))
    };
    ok(conn.execute_batch("BEGIN"));
    for i in 0..100_000 {
        insert(i);
    }
    ok(conn.execute_batch("COMMIT"));
    let mut commits = Vec::new();
    for i in 0..1_000 {
        let start = Instant::now();
        ok(conn.execute_batch("BEGIN IMMEDIATE"));
        insert(i * 13);
        ok(conn.execute(
            "UPDATE documents SET version = version + 1 WHERE id = 1",
            [],
        ));
        ok(conn.execute_batch("COMMIT"));
        commits.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let mut reads = Vec::new();
    for i in 0..1_000 {
        let start = Instant::now();
        let _: i64 = ok(conn.query_row(
            "SELECT count(*) FROM codings WHERE document = ?1 AND start BETWEEN ?2 AND ?3",
            params![i % 97, i * 31 % 20_000, i * 31 % 20_000 + 500],
            |r| r.get(0),
        ));
        reads.push(start.elapsed().as_secs_f64() * 1e3);
    }
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    (percentiles(commits), percentiles(reads))
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(
            || "target/bench-page-format".into(),
            std::path::PathBuf::from,
        );
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    println!("format: commit of one coding p50 / p95 / p99; indexed read p50 / p95 (ms)");
    // Twice round, so a passing disturbance shows as disagreement.
    for _ in 0..2 {
        for format in FORMATS {
            let ([c50, c95, c99], [r50, r95, _]) = measure(&dir, format);
            println!(
                "{:>6} bytes, {}: commit {c50:.2} / {c95:.2} / {c99:.2}; read {r50:.3} / {r95:.3}",
                format.0, format.1
            );
        }
    }
}
