//! The HTML of the web page: a layout, the check form, the result, the fixed texts, the plan
//! form. Every value is escaped ([`escape_web`]); the texts come from `responses/`. No
//! JavaScript; the only style sheet is `/static/style.css`, served by the app.

use crate::classifier::Report;
use crate::render::{Doc, Inline, Paragraph, View, escape_web, text_doc, verdict_doc};
use crate::responses::{Language, Responses};

/// The `lang` value of a language, as `?lang=` and `<html lang>` write it.
pub fn code(language: Language) -> &'static str {
    match language {
        Language::ZhCn => "zh-CN",
        Language::En => "en",
    }
}

/// A link to `path` in `language`.
fn href(path: &str, language: Language) -> String {
    format!("{path}?lang={}", code(language))
}

/// A whole page: the header with the links, `main`, and the footer.
pub fn layout(texts: &Responses, language: Language, title: &str, main: &str) -> String {
    let w = &texts.web;
    let other = match language {
        Language::ZhCn => Language::En,
        Language::En => Language::ZhCn,
    };
    let full_title = if title == w.title {
        escape_web(title)
    } else {
        format!("{} · {}", escape_web(title), escape_web(&w.title))
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{full_title}</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n\
<header><a class=\"brand\" href=\"{home}\">{name}</a>\n<nav>\
<a href=\"{verify}\">{nav_verify}</a> <a href=\"{plan}\">{nav_plan}</a> <a href=\"{legal}\">{nav_legal}</a>\
</nav></header>\n<main>\n{main}</main>\n<footer><p>{privacy}</p><p><a href=\"{other_href}\" lang=\"{other_code}\">{other_name}</a></p></footer>\n\
</body>\n</html>\n",
        lang = code(language),
        home = href("/", language),
        name = escape_web(&w.title),
        verify = href("/verify", language),
        plan = href("/plan", language),
        legal = href("/legal", language),
        nav_verify = escape_web(&w.nav_verify),
        nav_plan = escape_web(&w.nav_plan),
        nav_legal = escape_web(&w.nav_legal),
        privacy = escape_web(&w.privacy),
        other_href = href("/", other),
        other_code = code(other),
        other_name = escape_web(&w.other_language),
    )
}

/// The check form, with `text` filled in; the image field only when screenshots can be read.
pub fn check_form(texts: &Responses, language: Language, text: &str, ocr: bool) -> String {
    let w = &texts.web;
    let (enctype, image) = if ocr {
        (
            " enctype=\"multipart/form-data\"",
            format!(
                "<label for=\"image\">{}</label>\n<input type=\"file\" id=\"image\" name=\"image\" accept=\"image/*\">\n",
                escape_web(&w.image_label)
            ),
        )
    } else {
        ("", String::new())
    };
    format!(
        "<form method=\"post\" action=\"{action}\"{enctype}>\n\
<label for=\"text\">{label}</label>\n\
<textarea id=\"text\" name=\"text\" rows=\"8\" placeholder=\"{placeholder}\">{text}</textarea>\n\
{image}<button type=\"submit\">{submit}</button>\n</form>\n",
        action = href("/check", language),
        label = escape_web(&w.text_label),
        placeholder = escape_web(&w.placeholder),
        text = escape_web(text),
        submit = escape_web(&w.submit),
    )
}

/// `/`: the introduction and the form.
pub fn index(texts: &Responses, language: Language, ocr: bool) -> String {
    let w = &texts.web;
    let main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n{}",
        escape_web(&w.title),
        escape_web(&w.intro),
        check_form(texts, language, "", ocr)
    );
    layout(texts, language, &w.title, &main)
}

/// The links under a result: how to verify, a repayment plan, legal help.
fn more_links(texts: &Responses, language: Language) -> String {
    let w = &texts.web;
    format!(
        "<nav class=\"more\"><a href=\"{}\">{}</a><a href=\"{}\">{}</a><a href=\"{}\">{}</a></nav>\n",
        href("/verify", language),
        escape_web(&w.nav_verify),
        href("/plan", language),
        escape_web(&w.nav_plan),
        href("/legal", language),
        escape_web(&w.nav_legal),
    )
}

/// What the page says about a checked message: the verdict document the bot sends in a
/// private chat, notes (why a screenshot was not read), and what was read from a screenshot.
pub struct Outcome<'r> {
    pub report: &'r Report<'r>,
    /// The text typed in the form, shown again for editing.
    pub typed: &'r str,
    /// Notes above the verdict.
    pub notes: Vec<String>,
    /// The text read from a screenshot.
    pub from_image: Option<&'r str>,
}

/// The result page.
pub fn result(texts: &Responses, language: Language, outcome: &Outcome<'_>, ocr: bool) -> String {
    let w = &texts.web;
    let mut doc = verdict_doc(
        outcome.report,
        &crate::classifier::Context::default(),
        texts,
        View::PRIVATE,
    );
    if !outcome.notes.is_empty() {
        let mut p = Paragraph::default();
        for n in &outcome.notes {
            p = p.line(vec![Inline::Italic(n.clone())]);
        }
        doc.paragraphs.insert(0, p);
    }
    if let Some(read) = outcome.from_image {
        let mut quote = Paragraph {
            lines: vec![vec![Inline::Bold(texts.bot.ocr_read_header.clone())]],
            quote: true,
        };
        for line in read.lines().filter(|l| !l.trim().is_empty()).take(60) {
            quote = quote.text(line);
        }
        doc.push(quote);
    }
    let main = format!(
        "<h1>{title}</h1>\n<section class=\"verdict v-{kind}\">\n{doc}</section>\n{more}\
<p><a class=\"again\" href=\"{home}\">{again}</a></p>\n{form}",
        title = escape_web(&w.result_title),
        kind = outcome.report.verdict.as_str(),
        doc = doc.to_web_html(),
        more = more_links(texts, language),
        home = href("/", language),
        again = escape_web(&w.check_another),
        form = check_form(texts, language, outcome.typed, ocr),
    );
    layout(texts, language, &w.result_title, &main)
}

/// A page of fixed text from `responses/` (如何核实, 法律援助).
pub fn text_page(texts: &Responses, language: Language, title: &str, body: &str) -> String {
    let main = format!(
        "<h1>{}</h1>\n<section class=\"text\">\n{}</section>\n{}",
        escape_web(title),
        text_doc(body).to_web_html(),
        more_links(texts, language)
    );
    layout(texts, language, title, &main)
}

/// `/plan`: the one-line form, and the plan (or what could not be read) when one was sent.
pub fn plan(texts: &Responses, language: Language, line: &str, result: Option<&[Doc]>) -> String {
    let w = &texts.web;
    let result_html = result
        .map(|docs| {
            let body: String = docs.iter().map(Doc::to_web_html).collect();
            format!("<section class=\"plan\">\n{body}</section>\n")
        })
        .unwrap_or_default();
    let main = format!(
        "<h1>{title}</h1>\n<p>{intro}</p>\n{result_html}\
<form method=\"post\" action=\"{action}\">\n<label for=\"q\">{label}</label>\n\
<textarea id=\"q\" name=\"q\" rows=\"3\" placeholder=\"{placeholder}\">{line}</textarea>\n\
<p class=\"hint\">{example}</p>\n<button type=\"submit\">{submit}</button>\n</form>\n",
        title = escape_web(&w.nav_plan),
        intro = escape_web(&w.plan_intro),
        action = href("/plan", language),
        label = escape_web(&w.plan_label),
        placeholder = escape_web(&w.plan_placeholder),
        line = escape_web(line),
        example = escape_web(&w.plan_example),
        submit = escape_web(&w.plan_submit),
    );
    layout(texts, language, &w.nav_plan, &main)
}

/// An error page: the message and a way back.
pub fn error(texts: &Responses, language: Language, message: &str) -> String {
    let w = &texts.web;
    let main = format!(
        "<p class=\"error\">{}</p>\n<p><a class=\"again\" href=\"{}\">{}</a></p>\n",
        escape_web(message),
        href("/", language),
        escape_web(&w.nav_home)
    );
    layout(texts, language, &w.title, &main)
}

/// The page's style sheet: one column, readable on a 360-px-wide phone, system fonts only.
pub const STYLE_CSS: &str = include_str!("style.css");
