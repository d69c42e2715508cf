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

/// The plain text of the private reply to `text`, in `language`.
fn private_reply(text: &str, language: Language) -> String {
    let classifier = Classifier::shared();
    let context = Context::default();
    let report = classifier.classify_with(text, &context);
    replies::verdict_private(&report, &context, Responses::get(language), &[])
        .doc
        .to_plain()
}

#[test]
fn an_arrest_threat_over_a_credit_card_is_not_answered_with_you_wont_be_arrested() {
    // Credit-card 恶意透支 can be a crime (刑法第196条): the reply must not say "never arrested"
    // without the exception, and must still calm an ordinary online-loan threat.
    let card = "【XX银行】您的信用卡已严重逾期，涉嫌恶意透支，三日内不还款将移交公安机关，届时将依法逮捕。";
    let zh = private_reply(card, Language::ZhCn);
    assert!(
        zh.contains("只是还不上网贷，属于民事纠纷，不会因此被抓"),
        "{zh}"
    );
    assert!(zh.contains("可能涉及“恶意透支”，要认真对待"), "{zh}");
    let en = private_reply(card, Language::En);
    assert!(en.contains("malicious overdraft"), "{en}");
    assert!(en.contains("Take that seriously"), "{en}");
}

#[test]
fn the_night_time_rule_names_where_it_comes_from() {
    let text = "催收员凌晨1点打电话：再不还钱明天就去你家";
    let zh = private_reply(text, Language::ZhCn);
    assert!(
        zh.contains(
            "按中国银行业协会的催收指引等行业规则，未经你同意，晚上10点到第二天早上8点不得催收"
        ),
        "{zh}"
    );
    let en = private_reply(text, Language::En);
    assert!(en.contains("China Banking Association"), "{en}");
}

#[test]
fn the_checklist_calls_two_visitors_an_industry_rule_not_a_law() {
    for (language, expected) in [
        (Language::ZhCn, "银行业协会的指引还要求至少两人上门"),
        (
            Language::En,
            "the China Banking Association's guideline also requires at least two people",
        ),
    ] {
        let checklist = &Responses::get(language).bot.verify_checklist;
        assert!(checklist.contains(expected), "{checklist}");
    }
}

#[test]
fn help_lists_every_command_in_the_menu() {
    for language in Language::ALL {
        let texts = Responses::get(language);
        for (help, group) in [(&texts.bot.help, false), (&texts.group.help, true)] {
            for command in loanguard::bot::menu(texts, group) {
                // /start and the help itself need no line in the help.
                if command.command == "start" || command.command == "help" {
                    continue;
                }
                let listed = format!("/{}", command.command);
                assert!(
                    help.contains(&listed),
                    "{language:?}: {listed} missing from help:\n{help}"
                );
            }
        }
    }
}
