//! `loanguard check`: classify text from the arguments, stdin, or a JSON Lines stream.

use std::io::{self, BufRead, Write};

use serde::Deserialize;
use serde_json::{Value, json};

use super::json::ReportJson;
use crate::classifier::known::KnownIndex;
use crate::classifier::{Classifier, Context};

/// Classifies a JSON Lines stream `{"id": ..., "text": ...}`, writing one line per input line,
/// in order. Memory stays constant: one line is held at a time. A line that is not valid JSON,
/// not UTF-8, or has no text gets `{"id": <id or null>, "error": "..."}` and the stream goes on.
pub fn run_jsonl(
    classifier: &Classifier,
    context: &Context,
    known: &KnownIndex,
    mut input: impl BufRead,
    mut output: impl Write,
) -> io::Result<usize> {
    #[derive(Deserialize)]
    struct Item {
        #[serde(default)]
        id: Value,
        text: Option<Value>,
    }
    let mut buf = Vec::with_capacity(4096);
    let mut count = 0;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let raw = trim_line(&buf);
        if raw.is_empty() {
            continue;
        }
        count += 1;
        let line = match std::str::from_utf8(raw) {
            Ok(l) => l,
            Err(_) => {
                write_line(
                    &mut output,
                    &json!({"id": null, "error": "line is not valid UTF-8"}),
                )?;
                continue;
            }
        };
        let item: Item = match serde_json::from_str(line) {
            Ok(i) => i,
            Err(e) => {
                let id = serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(Value::Null);
                write_line(
                    &mut output,
                    &json!({"id": id, "error": format!("not a JSON object with a text: {e}")}),
                )?;
                continue;
            }
        };
        match item.text {
            Some(Value::String(text)) => {
                let report = classifier.classify_against(&text, context, known);
                write_line(&mut output, &ReportJson::new(item.id, &report))?;
            }
            _ => {
                write_line(
                    &mut output,
                    &json!({"id": item.id, "error": "missing \"text\" string"}),
                )?;
            }
        }
    }
    output.flush()?;
    Ok(count)
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &buf[..end]
}

fn write_line(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<Value> {
        let mut out = Vec::new();
        run_jsonl(
            Classifier::shared(),
            &Context::default(),
            &KnownIndex::default(),
            input,
            &mut out,
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn one_line_out_per_line_in_and_errors_keep_going() {
        let mut input =
            b"{\"id\": 1, \"text\": \"\xe4\xbd\xa0\xe5\xa5\xbd\"}\nnot json\n{\"id\": \"x\"}\n"
                .to_vec();
        input.extend_from_slice(b"\xff\xfe\n{\"id\": 4, \"text\": \"hi\"}\n");
        let lines = run(&input);
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["id"], 1);
        assert_eq!(lines[0]["verdict"], "unrelated");
        assert!(lines[1]["error"].is_string() && lines[1]["id"].is_null());
        assert_eq!(lines[2]["id"], "x");
        assert!(lines[2]["error"].is_string());
        assert!(lines[3]["error"].as_str().unwrap().contains("UTF-8"));
        assert_eq!(lines[4]["id"], 4);
    }

    #[test]
    fn jsonl_fields_are_exactly_the_contract() {
        let lines = run(
            "{\"id\": \"a\", \"text\": \"请把验证码发给我，转到安全账户，联系13800138000\"}\n"
                .as_bytes(),
        );
        let obj = lines[0].as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            vec![
                "entities",
                "id",
                "known",
                "risk",
                "safety_threat",
                "signals",
                "situation",
                "subjects",
                "verdict",
                "violations"
            ]
        );
        assert_eq!(obj["situation"], "message");
        assert_eq!(obj["verdict"], "scam");
        let signal = obj["signals"][0].as_object().unwrap();
        let keys: Vec<&str> = signal.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["category", "evidence", "id", "weight"]);
        assert_eq!(obj["entities"]["mobile"][0]["value"], "138****8000");
    }
}
