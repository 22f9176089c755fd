//! `mmssl reproduce` as a user runs it: `--list` names every family with its run count and a
//! total; a smoke run of one family succeeds and a second invocation runs nothing.

mod common;
use common::{mmssl, ok};
use std::path::PathBuf;

fn tmp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("mmssl-cli-reproduce-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn list_names_every_family_and_a_total() {
    let stdout = ok(&mmssl(&["reproduce", "--list", "--profile", "quick"]));
    for id in [
        "table-8.2.2",
        "table-8.2.4",
        "table-8.3.2",
        "fig-8.4",
        "fig-8.5.1",
        "fig-8.5.2",
        "fig-A.2.4",
        "ssl-lr",
    ] {
        assert!(stdout.contains(id), "{id} missing:\n{stdout}");
    }
    assert!(stdout.contains("total"), "{stdout}");
    assert!(stdout.contains("figure 8.5.4"), "{stdout}");
    let full = ok(&mmssl(&["reproduce", "--list", "--profile", "full"]));
    let total = full.lines().find(|l| l.starts_with("total")).unwrap();
    // 710 runs of the thesis's families, 80 of the `ssl-lr` question and 120 of `deviations`.
    assert_eq!(total.split_whitespace().nth(1), Some("910"), "{total}");
}

#[test]
fn list_only_and_unknown_ids() {
    let stdout = ok(&mmssl(&[
        "reproduce",
        "--list",
        "--profile",
        "smoke",
        "--only",
        "fig-8.4,table-8.2.4",
    ]));
    assert!(stdout.contains("fig-8.4") && stdout.contains("table-8.2.4"));
    assert!(!stdout.contains("table-8.3.2"), "{stdout}");
    let bad = mmssl(&["reproduce", "--list", "--only", "table-9.9"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown experiment"));
}

#[test]
fn smoke_run_then_nothing_to_do() {
    let out = tmp_dir("smoke");
    let dir = out.to_str().unwrap();
    let report = out.join("report");
    let args = [
        "reproduce",
        "--profile",
        "smoke",
        "--only",
        "table-8.2.2",
        "--out",
        dir,
        "--report",
        report.to_str().unwrap(),
    ];
    let first = mmssl(&args);
    let stdout = ok(&first);
    assert!(stdout.contains("data: data=synthetic-mosei"), "{stdout}");
    assert!(stdout.contains("\"name\": \"smoke\""), "{stdout}");
    assert!(stdout.contains("done: 4 new runs"), "{stdout}");
    assert!(stdout.contains("verdicts (95 % intervals"), "{stdout}");
    assert!(stdout.contains("claims: "), "{stdout}");
    assert!(stdout.contains("results.jsonl"), "{stdout}");
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("table-8.2.2 ssl-masking seed 0: test F1"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("results.jsonl"))
            .unwrap()
            .lines()
            .count(),
        4
    );

    // The report is written from the store at the end of every invocation.
    if cfg!(feature = "reports") {
        let md = std::fs::read_to_string(report.join("REPORT.md")).unwrap();
        assert!(md.contains("## table-8.2.2"), "{md}");
        assert!(md.contains("synthetic stand-in, not CMU-MOSEI"), "{md}");
        assert!(
            md.contains("**Not run**"),
            "other families are marked: {md}"
        );
        let csv = std::fs::read_to_string(report.join("tables/table-8.2.2.csv")).unwrap();
        assert!(csv.lines().count() > 4, "{csv}");
    } else {
        assert!(
            stdout.contains("need a build with --features reports"),
            "{stdout}"
        );
    }

    let second = ok(&mmssl(&args));
    assert!(second.contains("done: 0 new runs"), "{second}");
    assert!(second.contains("4 skipped"), "{second}");
    let _ = std::fs::remove_dir_all(&out);
}

/// `mmssl reproduce` of the smoke profile's table 8.2.4 (4 runs, seconds) into `out`, without
/// a report, plus `extra` arguments; its stdout.
fn smoke_table_8_2_4(out: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "reproduce",
        "--profile",
        "smoke",
        "--only",
        "table-8.2.4",
        "--out",
        out,
        "--no-report",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    ok(&mmssl(&args))
}

#[test]
fn two_shards_from_the_cli_merge_into_the_whole() {
    let base = tmp_dir("shards");
    let run = |shard: &str, out: &str| smoke_table_8_2_4(out, &["--shard", shard]);
    let (a, b) = (base.join("a"), base.join("b"));
    let stdout = run("1/2", a.to_str().unwrap());
    assert!(stdout.contains("as shard 1/2"), "{stdout}");
    run("2/2", b.to_str().unwrap());
    let merged = base.join("merged");
    let stdout = ok(&mmssl(&[
        "results",
        "merge",
        a.to_str().unwrap(),
        b.join("results.jsonl").to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]));
    assert!(stdout.contains("rows added"), "{stdout}");
    // reproduce on the merged store finds every run done
    let stdout = smoke_table_8_2_4(merged.to_str().unwrap(), &[]);
    assert!(stdout.contains("0 to run"), "{stdout}");
    let bad = mmssl(&["reproduce", "--list", "--shard", "3/2"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("1 ≤ K ≤ N"));
    let missing = mmssl(&[
        "results",
        "merge",
        base.join("nowhere").to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not a results store"));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn list_estimates_the_remaining_cost_from_the_stores_measured_times() {
    let out = tmp_dir("cost");
    let dir = out.to_str().unwrap();
    let list = |extra: &[&str]| {
        let mut args = vec!["reproduce", "--list", "--profile", "smoke", "--out", dir];
        args.extend_from_slice(extra);
        ok(&mmssl(&args))
    };
    let none = list(&[]);
    assert!(none.contains("no measured run times"), "{none}");
    smoke_table_8_2_4(dir, &[]);
    let listed = list(&[]);
    let line = listed
        .lines()
        .find(|l| l.starts_with("cost:"))
        .expect("a cost line");
    assert!(line.contains("4 of these runs are finished"), "{line}");
    assert!(
        line.contains("CPU-hours") && line.contains("remain"),
        "{line}"
    );
    let only = list(&["--only", "table-8.2.4"]);
    assert!(only.contains("0 remain ≈ 0.00 CPU-hours"), "{only}");
    let _ = std::fs::remove_dir_all(&out);
}
