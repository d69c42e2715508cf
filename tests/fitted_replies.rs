//! Replies fitted to the person and the situation, through `loanguard chat` (the same reply
//! builders as the bot): someone threatened, a borrower describing their own case, a relative,
//! court and visit notices, and a lender's signature next to a personal number. Each message is
//! written as a user would type or paste it. The bot's side is in tests/bot_flows.rs.

use loanguard::cli::chat::respond;
use loanguard::responses::{Language, Responses};

fn zh() -> &'static Responses {
    Responses::get(Language::ZhCn)
}

/// The reply to one typed message, as plain text: it holds every `wanted` text, none of the
/// `unwanted` ones, and fits a phone screen ("about 700 characters before the buttons").
fn check(message: &str, wanted: &[&str], unwanted: &[&str]) -> String {
    let replies = respond(message, &[], zh());
    assert_eq!(replies.len(), 1, "one reply to {message:?}");
    let reply = replies[0].doc.to_plain();
    for w in wanted {
        assert!(reply.contains(w), "missing {w:?} in:\n{reply}");
    }
    for u in unwanted {
        assert!(!reply.contains(u), "unexpected {u:?} in:\n{reply}");
    }
    let chars = reply.chars().count();
    assert!(chars <= 700, "{chars} characters:\n{reply}");
    reply
}

#[test]
fn a_threat_against_a_child_or_the_home_puts_110_above_everything() {
    let t = zh();
    for message in [
        "催收的人在电话里说，他们知道我女儿几点放学，让我出门小心一点",
        "昨晚两个催债的闯进我家里，坐在沙发上不走，说不还钱就别想睡觉",
    ] {
        let reply = check(message, &[], &[&t.report.no_reasons]);
        assert!(reply.starts_with(&t.safety.line), "{reply}");
    }
}

#[test]
fn violations_alone_never_read_as_nothing_found() {
    let t = zh();
    check(
        "【某某贷】您的借款已逾期，我们会在凌晨继续给您打电话，直到您处理为止",
        &[&t.report.no_reasons_but_violations],
        &[&t.report.no_reasons],
    );
}

#[test]
fn a_lenders_signature_does_not_buy_a_clean_verdict() {
    let t = zh();
    for message in [
        "【恒信消费金融】尊敬的客户，您的借款逾期未还，请速与贷后专员陈先生联系，电话15098765432",
        "【某某银行信用卡中心】您的欠款已进入诉讼程序，如需撤诉请致电法务部0571-88001234",
    ] {
        check(message, &[], &[&t.verdict.legit, &t.verdict_icon.legit]);
    }
}

#[test]
fn a_borrower_describing_their_case_gets_steps_not_a_brush_off() {
    let t = zh();
    for message in [
        "借了三个网贷，每个月要还四千多，工资才五千，怎么办",
        "逾期一年了，听说会被起诉，被起诉了会坐牢吗",
    ] {
        check(
            message,
            &[&t.situations.own_header, "/plan"],
            &[&t.advice.unrelated[0], &t.verdict.legit],
        );
    }
    // Shaming in the family group is called what it is, with where to complain.
    check(
        "他们把我欠钱的截图发到了我们村的微信群里，我还能活吗",
        &[&t.situations.own_header, &t.report.violations, "12378"],
        &[&t.advice.unrelated[0]],
    );
}

#[test]
fn a_relative_is_told_they_owe_nothing() {
    let t = zh();
    for message in [
        "我弟借的钱关我什么事？催收说我是联系人就要负责",
        "作为紧急联系人，我每天被骚扰，这合法吗",
    ] {
        // Not the borrower's advice ("登录你借款的官方APP").
        check(
            message,
            &[&t.situations.relative_header, &t.situations.relative[0]],
            &["登录你借款的官方APP"],
        );
    }
}

#[test]
fn a_genuine_court_notice_explains_answering_the_suit() {
    let t = zh();
    let reply = check(
        "【临江市中级人民法院】你与某某消费金融有限公司金融借款合同纠纷一案，案号（2026）浙01民初4321号，起诉状副本已送达，请于十五日内提交答辩状。",
        &["12368", "答辩"],
        &["你与某某"],
    );
    for line in &t.subjects.court_genuine {
        assert!(reply.contains(line.as_str()), "missing {line:?}");
    }
}

#[test]
fn a_fake_court_quoting_12368_is_warned_not_reassured() {
    let t = zh();
    check(
        "【法院通知】您的网贷逾期已被起诉，请拨打12368核实，并将欠款转至以下账户撤诉：6222021234567890123",
        &[
            &t.verdict.scam,
            &t.subjects.court_fake[0],
            "骗子常借用真号码",
        ],
        &["出现在我们的号码目录里"],
    );
}

#[test]
fn a_visit_notice_asks_for_work_id_and_authorisation() {
    let t = zh();
    check(
        "【XX资产管理】受某某银行委托，我司工作人员将于12月8日上午前往您的住址进行外访，届时将出示工作证。",
        &[&t.subjects.visit[0], "委托书"],
        &[],
    );
}

#[test]
fn descriptions_in_english_get_english_steps() {
    let en = Responses::get(Language::En);
    let replies = respond("我弟借的钱关我什么事？催收说我是联系人就要负责", &[], en);
    let reply = replies[0].doc.to_plain();
    assert!(reply.contains(&en.situations.relative_header), "{reply}");
}

#[test]
fn quotes_mask_card_and_phone_numbers_like_the_entity_list() {
    let reply = check(
        "【法院通知】您的网贷逾期已被起诉，请拨打12368核实，并将欠款转至以下账户撤诉：6222021234567890123，联系书记员13912345678",
        &["12368"],
        &["6222021234567890123", "13912345678"],
    );
    assert!(reply.contains("0123"), "{reply}");
}
