//! The `loanguard` command line, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the binary in the temp directory with no database: `DATABASE_URL` names a file that
/// does not exist, so no store of another test is consulted.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let none = std::env::temp_dir().join(format!("loanguard-cli-none-{}.db", std::process::id()));
    run_with_db(args, stdin, &format!("sqlite://{}", none.display()))
}

fn run_with_db(args: &[&str], stdin: &[u8], database_url: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loanguard"))
        .args(args)
        .env_remove("TELOXIDE_TOKEN")
        .env("DATABASE_URL", database_url)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn check_from_stdin_prints_a_scam_verdict_quoting_the_reason() {
    let out = run(
        &["check"],
        "【XX金融】请将欠款转入专员个人账户6222…".as_bytes(),
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("疑似诈骗"), "{text}");
    assert!(
        text.contains("「转入专员个人账户」") || text.contains("专员个人账户"),
        "{text}"
    );
    assert!(text.contains("不要转账"));
}

#[test]
fn check_from_arguments_as_json() {
    let out = run(
        &[
            "check",
            "--format",
            "json",
            "您好，您的借款已逾期3天，请登录官方APP还款",
        ],
        b"",
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "legit");
    assert!(v["risk"].as_u64().unwrap() < 30);
}

#[test]
fn invalid_utf8_on_stdin_is_an_error_not_a_panic() {
    let out = run(&["check"], &[0xff, 0xfe, 0xfd]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("UTF-8"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn jsonl_streams_in_input_order() {
    let mut input = String::new();
    for i in 0..200 {
        let text = if i % 2 == 0 {
            "请转账到安全账户"
        } else {
            "明天一起吃饭吗"
        };
        input.push_str(&format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n"));
    }
    let out = run(&["check", "--format", "jsonl"], input.as_bytes());
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 200);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["id"], i);
        let expected = if i % 2 == 0 { "scam" } else { "unrelated" };
        assert_eq!(l["verdict"], expected);
    }
}

#[test]
fn an_empty_message_is_unrelated_with_a_reason() {
    let out = run(&["check", "--format", "json"], b"   \n");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "unrelated");
    assert_eq!(v["notes"][0], "no_text");
}

#[test]
fn eval_prints_the_confusion_matrix_and_scores() {
    let path = format!("{}/tests/corpus/scam.jsonl", env!("CARGO_MANIFEST_DIR"));
    let out = run(&["eval", &path], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "confusion matrix",
        "precision",
        "recall",
        "f1",
        "false alarms",
        "scam recall",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}

#[test]
fn feedback_export_writes_consented_texts_in_the_eval_format() {
    use loanguard::storage::{NewFeedback, Store};
    let path = std::env::temp_dir().join(format!("loanguard-export-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let row = |accurate| NewFeedback {
            user_id: 1,
            verdict: "scam".into(),
            accurate,
            rule_ids: vec!["pay.safe_account".into()],
            text_hash: "x".into(),
            created_at: 1,
        };
        let kept = store.add_feedback(&row(false)).await.unwrap();
        store
            .set_feedback_correction(kept, 1, "legit")
            .await
            .unwrap();
        store
            .attach_feedback_text(kept, 1, "您的借款已逾期，请登录官方APP还款")
            .await
            .unwrap();
        store.add_feedback(&row(true)).await.unwrap(); // no text: not exported
        store.close().await;
    });
    let out = Command::new(env!("CARGO_BIN_EXE_loanguard"))
        .args(["feedback", "export"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["label"], "legit");
    assert!(lines[0]["text"].as_str().unwrap().contains("官方APP"));
    // The export reads back with `loanguard eval`.
    let file = std::env::temp_dir().join(format!("loanguard-export-{}.jsonl", std::process::id()));
    std::fs::write(&file, serde_json::to_string(&lines[0]).unwrap() + "\n").unwrap();
    let eval = run(&["eval", file.to_str().unwrap()], b"");
    assert!(
        String::from_utf8(eval.stdout)
            .unwrap()
            .contains("messages: 1")
    );
}

/// A fresh SQLite URL in the temp directory (the file does not exist yet).
fn fresh_db(name: &str) -> (std::path::PathBuf, String) {
    let path = std::env::temp_dir().join(format!("loanguard-{name}-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    (path, url)
}

const STORED_SCAM: &str = "【安逸花】您的借款已逾期47天，请于今日18点前将欠款8630元转入专员个人账户6217003214558890123，户名刘建华，转账后联系专员微信lh20248核销，否则安排上门。";
const COPY_OF_IT: &str = "转发：【分期乐】您的借款已逾期52天，请于今日18点前将欠款11240元转入专员个人账户6222021488773056417，户名王志强，转账后联系专员微信wzq8866核销，否则安排上门。";

#[test]
fn known_add_list_export_remove_and_check_consults_the_store() {
    let (path, url) = fresh_db("known");
    let input = format!(
        "{}\n{}\nnot json\n{}\n",
        serde_json::json!({"id": 1, "text": STORED_SCAM}),
        serde_json::json!({"id": 2, "text": "好的"}),
        serde_json::json!({"id": 3, "text": STORED_SCAM}),
    );
    let out = run_with_db(
        &[
            "known",
            "add",
            "--label",
            "scam",
            "--family",
            "collection_fake",
        ],
        input.as_bytes(),
        &url,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("added 1,") && said.contains("already there 1"),
        "{said}"
    );
    assert!(
        said.contains("too short to recognise 1") && said.contains("unreadable lines 1"),
        "{said}"
    );

    let list = String::from_utf8(run_with_db(&["known", "list"], b"", &url).stdout).unwrap();
    assert!(list.starts_with("1\tscam\tcollection_fake\t"), "{list}");
    assert!(
        !list.contains("6217003214558890123"),
        "stored redacted: {list}"
    );

    let export = String::from_utf8(run_with_db(&["known", "export"], b"", &url).stdout).unwrap();
    let row: serde_json::Value = serde_json::from_str(export.lines().next().unwrap()).unwrap();
    assert_eq!(row["label"], "scam");
    assert_eq!(row["reviewer"], "cli");
    assert!(row["text"].as_str().unwrap().contains("专员个人账户"));

    // A batch check reads the same store as the bot.
    let line = serde_json::json!({"id": "c", "text": COPY_OF_IT}).to_string() + "\n";
    let out = run_with_db(&["check", "--format", "jsonl"], line.as_bytes(), &url);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "scam");
    assert_eq!(v["known"]["id"], 1);
    assert_eq!(v["known"]["family"], "collection_fake");
    assert!(v["known"]["similarity"].as_f64().unwrap() >= 0.5);
    assert!(
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "known.similar_scam")
    );
    assert!(v.get("known").is_some());
    let text = String::from_utf8(run_with_db(&["check", COPY_OF_IT], b"", &url).stdout).unwrap();
    assert!(
        text.contains("今天确认的诈骗消息高度相似（类型：假催收）"),
        "{text}"
    );

    // So does the terminal conversation.
    let chat = run_with_db(&["chat"], format!("{COPY_OF_IT}\n\n").as_bytes(), &url);
    let said = String::from_utf8(chat.stdout).unwrap();
    assert!(said.contains("今天确认的诈骗消息高度相似"), "{said}");

    let out = run_with_db(&["known", "remove", "1"], b"", &url);
    assert!(out.status.success());
    let out = run_with_db(&["known", "remove", "1"], b"", &url);
    assert_eq!(out.status.code(), Some(1));
    let out = run_with_db(&["check", "--format", "jsonl"], line.as_bytes(), &url);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["known"].is_null(), "{v}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn known_add_rejects_a_bad_label_or_family() {
    let (_, url) = fresh_db("known-bad");
    for args in [
        vec!["known", "add", "--label", "unrelated"],
        vec!["known", "add", "--label", "scam", "--family", "legit_court"],
        vec!["known", "add", "--label", "scam", "--family", "nonsense"],
    ] {
        let out = run_with_db(&args, b"", &url);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    }
}

#[test]
fn check_does_not_create_a_database_that_is_not_there() {
    let (path, url) = fresh_db("check-no-db");
    let out = run_with_db(&["check", COPY_OF_IT], b"", &url);
    assert!(out.status.success());
    assert!(!path.exists(), "check created {}", path.display());
}
