//! Replies fitted to the person and the situation, through `loanguard chat` (the same reply
//! builders as the bot): someone threatened, a borrower describing their own case, a relative,
//! court and visit notices, and a lender's signature next to a personal number. Each message is
//! written as a user would type or paste it. The bot's side is in tests/bot_flows.rs.

use loanguard::cli::chat::respond;
use loanguard::responses::{Language, Responses};

fn zh() -> &'static Responses {
    Responses::get(Language::ZhCn)
}

/// The reply to one typed message, as plain text.
fn reply_to(text: &str) -> String {
    let replies = respond(text, &[], zh());
    assert_eq!(replies.len(), 1, "one reply to {text:?}");
    replies[0].doc.to_plain()
}

fn assert_has(reply: &str, wanted: &str) {
    assert!(reply.contains(wanted), "missing {wanted:?} in:\n{reply}");
}

fn assert_lacks(reply: &str, unwanted: &str) {
    assert!(
        !reply.contains(unwanted),
        "unexpected {unwanted:?} in:\n{reply}"
    );
}

/// "About 700 characters before the buttons", so a verdict reads on a phone.
fn assert_fits_a_phone(reply: &str) {
    let chars = reply.chars().count();
    assert!(chars <= 700, "{chars} characters:\n{reply}");
}

#[test]
fn a_threat_against_a_child_puts_110_above_everything() {
    let t = zh();
    let reply = reply_to("催收的人在电话里说，他们知道我女儿几点放学，让我出门小心一点");
    assert!(reply.starts_with(&t.safety.line), "{reply}");
    assert_lacks(&reply, &t.report.no_reasons);
    assert_fits_a_phone(&reply);
    let reply = reply_to("昨晚两个催债的闯进我家里，坐在沙发上不走，说不还钱就别想睡觉");
    assert!(reply.starts_with(&t.safety.line), "{reply}");
}

#[test]
fn violations_alone_never_read_as_nothing_found() {
    let t = zh();
    let reply = reply_to("【某某贷】您的借款已逾期，我们会在凌晨继续给您打电话，直到您处理为止");
    assert_has(&reply, &t.report.no_reasons_but_violations);
    assert_lacks(&reply, &t.report.no_reasons);
    assert_fits_a_phone(&reply);
}

#[test]
fn a_lenders_signature_does_not_buy_a_clean_verdict() {
    let t = zh();
    for message in [
        "【恒信消费金融】尊敬的客户，您的借款逾期未还，请速与贷后专员陈先生联系，电话15098765432",
        "【某某银行信用卡中心】您的欠款已进入诉讼程序，如需撤诉请致电法务部0571-88001234",
    ] {
        let reply = reply_to(message);
        assert_lacks(&reply, &t.verdict.legit);
        assert_lacks(&reply, &t.verdict_icon.legit);
    }
}

#[test]
fn a_borrower_describing_their_case_gets_steps_not_a_brush_off() {
    let t = zh();
    for message in [
        "借了三个网贷，每个月要还四千多，工资才五千，怎么办",
        "他们把我欠钱的截图发到了我们村的微信群里，我还能活吗",
        "逾期一年了，听说会被起诉，被起诉了会坐牢吗",
    ] {
        let reply = reply_to(message);
        assert_has(&reply, &t.situations.own_header);
        assert_has(&reply, "/plan");
        assert_lacks(&reply, &t.advice.unrelated[0]);
        assert_lacks(&reply, &t.verdict.legit);
        assert_fits_a_phone(&reply);
    }
    // Shaming in the family group is called what it is.
    let reply = reply_to("他们把我欠钱的截图发到了我们村的微信群里，我还能活吗");
    assert_has(&reply, &t.report.violations);
    assert_has(&reply, "12378");
}

#[test]
fn a_relative_is_told_they_owe_nothing() {
    let t = zh();
    for message in [
        "我弟借的钱关我什么事？催收说我是联系人就要负责",
        "作为紧急联系人，我每天被骚扰，这合法吗",
    ] {
        let reply = reply_to(message);
        assert_has(&reply, &t.situations.relative_header);
        assert_has(&reply, &t.situations.relative[0]);
        // Not the borrower's advice.
        assert_lacks(&reply, "登录你借款的官方APP");
        assert_fits_a_phone(&reply);
    }
}

#[test]
fn a_genuine_court_notice_explains_answering_the_suit() {
    let t = zh();
    let reply = reply_to(
        "【临江市中级人民法院】你与某某消费金融有限公司金融借款合同纠纷一案，案号（2026）浙01民初4321号，起诉状副本已送达，请于十五日内提交答辩状。",
    );
    for line in &t.subjects.court_genuine {
        assert_has(&reply, line);
    }
    assert_has(&reply, "12368");
    assert_has(&reply, "答辩");
    assert_lacks(&reply, "你与某某");
    assert_fits_a_phone(&reply);
}

#[test]
fn a_fake_court_quoting_12368_is_warned_not_reassured() {
    let t = zh();
    let reply = reply_to(
        "【法院通知】您的网贷逾期已被起诉，请拨打12368核实，并将欠款转至以下账户撤诉：6222021234567890123",
    );
    assert_has(&reply, &t.verdict.scam);
    assert_has(&reply, &t.subjects.court_fake[0]);
    assert_has(&reply, "骗子常借用真号码");
    assert_lacks(&reply, "出现在我们的号码目录里");
    assert_fits_a_phone(&reply);
}

#[test]
fn a_visit_notice_asks_for_work_id_and_authorisation() {
    let t = zh();
    let reply = reply_to(
        "【XX资产管理】受某某银行委托，我司工作人员将于12月8日上午前往您的住址进行外访，届时将出示工作证。",
    );
    assert_has(&reply, &t.subjects.visit[0]);
    assert_has(&reply, "委托书");
    assert_fits_a_phone(&reply);
}

#[test]
fn descriptions_in_english_get_english_steps() {
    let en = Responses::get(Language::En);
    let replies = respond("我弟借的钱关我什么事？催收说我是联系人就要负责", &[], en);
    let reply = replies[0].doc.to_plain();
    assert!(reply.contains(&en.situations.relative_header), "{reply}");
}
