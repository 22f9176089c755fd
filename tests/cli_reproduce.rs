//! `mmssl reproduce` as a user runs it: `--list` names every family with its run count and a
//! total; a smoke run of one family succeeds and a second invocation runs nothing.

mod common;
use common::{mmssl, ok};
use std::path::{Path, PathBuf};

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
    // 710 runs of the thesis's families, 80 of the `ssl-lr` question, 150 of `deviations` and
    // 165 of `objectives`.
    assert_eq!(total.split_whitespace().nth(1), Some("1105"), "{total}");
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
    // --list counts the whole profile, so a shard there is refused rather than ignored
    let listed = mmssl(&["reproduce", "--list", "--shard", "1/2"]);
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(!listed.status.success(), "{stderr}");
    assert!(
        stderr.contains("--shard") && stderr.contains("--list"),
        "{stderr}"
    );
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

/// The rows of the results store in `out`, by key, without their wall times.
fn store_rows(out: &Path) -> Vec<(String, serde_json::Value)> {
    let text = std::fs::read_to_string(out.join("results.jsonl")).unwrap_or_default();
    let mut rows: Vec<(String, serde_json::Value)> = text
        .lines()
        .map(|line| {
            let mut row: serde_json::Value = serde_json::from_str(line).unwrap();
            row.as_object_mut().unwrap().remove("wall_seconds");
            (row["key"].as_str().unwrap().to_owned(), row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[test]
fn a_killed_reproduction_continues_the_run_it_was_in_the_middle_of() {
    let base = tmp_dir("resume");
    std::fs::create_dir_all(&base).unwrap();
    // The smoke profile's table 8.2.4 with pre-trainings long enough to be interrupted.
    let profile = base.join("long.toml");
    std::fs::write(
        &profile,
        "base = \"smoke\"\nname = \"long-smoke\"\nssl_epochs = 150\n",
    )
    .unwrap();
    let args = |out: &Path| -> Vec<String> {
        let profile = profile.to_str().unwrap();
        let out = out.to_str().unwrap();
        let parts = ["reproduce", "--profile", profile, "--only", "table-8.2.4"];
        let rest = ["--out", out, "--no-report", "--quiet"];
        parts.iter().chain(&rest).map(|s| s.to_string()).collect()
    };
    let (whole, cut) = (base.join("whole"), base.join("cut"));
    let whole_args = args(&whole);
    ok(&mmssl(
        &whole_args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mmssl"))
        .args(args(&cut))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let saved = || -> bool {
        std::fs::read_dir(cut.join("live")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().join("state-pretrain").join("state.json").is_file())
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !saved() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the reproduction ended before it could be interrupted"
        );
        assert!(std::time::Instant::now() < deadline, "no state saved");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(store_rows(&cut).len() < store_rows(&whole).len());

    let cut_args = args(&cut);
    let stdout = ok(&mmssl(
        &cut_args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    // Parallel jobs may have been in the middle of one pre-training or of several.
    let continued: usize = stdout
        .lines()
        .find(|l| l.contains("run(s) or pre-training(s) continued"))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    assert!(
        continued >= 1,
        "the interrupted pre-training went on from its saved epoch: {stdout}"
    );
    assert_eq!(
        store_rows(&cut),
        store_rows(&whole),
        "the resumed reproduction's results equal the uninterrupted one's"
    );
    let left = std::fs::read_dir(cut.join("live")).map_or(0, |d| d.count());
    assert_eq!(
        left, 0,
        "no live folder is left once every result is stored"
    );
    let _ = std::fs::remove_dir_all(&base);
}
