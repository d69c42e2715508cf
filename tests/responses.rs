//! Every language file loads, covers every rule, and every template renders valid Telegram HTML
//! even when the inserted values are hostile.

mod support;

use loanguard::classifier::{Classifier, Context, ForwardOrigin};
use loanguard::render::{Doc, Paragraph, TELEGRAM_LIMIT, utf16_len};
use loanguard::render::{replies, text_doc};
use loanguard::responses::{Language, Responses, fill};
use support::telegram_html;

const HOSTILE: &[&str] = &[
    "<",
    "&",
    "</b>",
    "<script>alert(1)</script>",
    "a & b > c",
    "&amp;",
];

fn all_templates(t: &Responses) -> Vec<&str> {
    let b = &t.bot;
    let r = &t.report;
    let mut v: Vec<&str> = vec![
        &r.header,
        &r.reason_line,
        &r.truncated,
        &r.directory_match,
        &r.entity_line,
        &r.no_text,
        &r.no_reasons,
        &b.start,
        &b.help,
        &b.privacy,
        &b.forget_done,
        &b.verify_checklist,
        &b.respond,
        &b.plan,
        &b.legal,
        &b.batch_note,
        &b.deep_link,
        &t.group.intro,
        &t.group.help,
        &t.group.reason_line,
        &t.group.usage,
    ];
    v.extend(t.reasons.values().map(String::as_str));
    v.extend(t.advice.scam.iter().map(String::as_str));
    v
}

fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        match rest[open..].find('}') {
            Some(close) => {
                out.push(&rest[open + 1..open + close]);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    out
}

#[test]
fn every_template_renders_valid_html_with_hostile_values() {
    for language in Language::ALL {
        let texts = Responses::get(language);
        for template in all_templates(texts) {
            for hostile in HOSTILE {
                let keys = placeholders(template);
                let values: Vec<(&str, &str)> = keys.iter().map(|k| (*k, *hostile)).collect();
                let filled = fill(template, &values);
                let mut doc = text_doc(&filled);
                doc.push(Paragraph::default().bold(&filled));
                let html = doc.to_html();
                assert_eq!(telegram_html::check(&html), None, "{language:?}: {html}");
            }
        }
    }
}

#[test]
fn verdict_replies_escape_the_message_they_quote() {
    let classifier = Classifier::shared();
    let text = "请转账到安全账户</b><a href=\"x\">点我</a> & 验证码发给我 <i>";
    for language in Language::ALL {
        let texts = Responses::get(language);
        for origin in [
            None,
            Some(ForwardOrigin::Channel),
            Some(ForwardOrigin::HiddenUser),
        ] {
            let context = Context {
                forwarded: origin.is_some(),
                forward_origin: origin,
                sender_number: None,
            };
            let report = classifier.classify_with(text, &context);
            let reply = replies::verdict_private(&report, &context, texts, &["<note>".to_string()]);
            for part in reply.doc.to_html_parts(TELEGRAM_LIMIT) {
                assert_eq!(telegram_html::check(&part), None, "{part}");
                assert!(!part.contains("<a href=\"x\">"));
            }
            let group = replies::verdict_group(&report, texts, classifier, "test_bot");
            assert_eq!(telegram_html::check(&group.doc.to_html()), None);
        }
    }
}

#[test]
fn long_replies_split_on_paragraphs_with_buttons_on_the_last_part() {
    let texts = Responses::get(Language::ZhCn);
    let mut doc = Doc::default();
    for _ in 0..12 {
        doc.paragraphs.extend(text_doc(&texts.bot.legal).paragraphs);
    }
    let parts = doc.to_html_parts(TELEGRAM_LIMIT);
    assert!(parts.len() > 1);
    for p in &parts {
        assert!(
            visible_len(p) <= TELEGRAM_LIMIT,
            "{} > limit",
            visible_len(p)
        );
        assert_eq!(telegram_html::check(p), None);
    }
}

/// Length as Telegram counts it: after the HTML is parsed into text and entities.
fn visible_len(html: &str) -> usize {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    utf16_len(&text)
}

#[test]
fn every_language_has_every_key_and_reason() {
    let classifier = Classifier::shared();
    for language in Language::ALL {
        let texts = Responses::parse(language).expect("parses");
        assert!(
            texts.check(classifier).is_empty(),
            "{language:?}: {:?}",
            texts.check(classifier)
        );
    }
}
