//! Names and message texts of the generated demo data. The Chinese and
//! English phrasing follows the sample mail, chat logs and call records
//! in `tests/fixtures`: short chat lines, mail with a greeting, an order
//! number and a signature, and call records in the phone adapter's words.

use rand::Rng;
use rand::seq::IndexedRandom;

/// Language a customer writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Language {
    Chinese,
    English,
}

const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("林", "lin"),
    ("郭", "guo"),
];

const GIVEN_NAMES: &[(&str, &str)] = &[
    ("芳", "fang"),
    ("伟", "wei"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("婷", "ting"),
    ("强", "qiang"),
    ("晓明", "xiaoming"),
    ("丽华", "lihua"),
    ("建国", "jianguo"),
];

const ENGLISH_FIRST: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan",
];

const ENGLISH_LAST: &[&str] = &[
    "Smith", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Walker", "Wright", "Green",
];

/// Returns a customer's display name and the local part of their mail
/// address, unique by `index`.
pub(super) fn customer_name(
    rng: &mut impl Rng,
    language: Language,
    index: u32,
) -> (String, String) {
    match language {
        Language::Chinese => {
            let (surname, surname_latin) = SURNAMES.choose(rng).expect("list is not empty");
            let (given, given_latin) = GIVEN_NAMES.choose(rng).expect("list is not empty");
            (
                format!("{surname}{given}"),
                format!("{given_latin}.{surname_latin}{index}"),
            )
        }
        Language::English => {
            let first = ENGLISH_FIRST.choose(rng).expect("list is not empty");
            let last = ENGLISH_LAST.choose(rng).expect("list is not empty");
            (
                format!("{first} {last}"),
                format!("{}.{}{index}", first.to_lowercase(), last.to_lowercase()),
            )
        }
    }
}

/// Products the customers write about.
const PRODUCTS_ZH: &[&str] = &[
    "扫地机器人 X3",
    "空气净化器 A8",
    "蓝牙耳机 Pro",
    "智能手表 S2",
    "电热水壶",
];
const PRODUCTS_EN: &[&str] = &[
    "X3 robot vacuum",
    "A8 air purifier",
    "Pro wireless earbuds",
    "S2 smart watch",
    "electric kettle",
];

/// Subject and opening text per ticket type, `{p}` for the product and
/// `{o}` for the order number.
fn openings(language: Language, ticket_type: &str) -> &'static [(&'static str, &'static str)] {
    match (language, ticket_type) {
        (Language::Chinese, "pre-sales") => &[
            (
                "咨询：{p} 有没有现货",
                "你好，请问{p}现在有现货吗？大概几天能发货？",
            ),
            (
                "{p} 能开增值税专用发票吗",
                "您好，我们公司想采购10台{p}，能开增值税专用发票吗？",
            ),
            ("团购优惠", "你好，{p}买五台以上有优惠吗？"),
        ],
        (Language::Chinese, "after-sales") => &[
            (
                "订单 {o} 还没收到货",
                "你好，我的订单{o}已经一个星期了还没收到，麻烦查一下物流。",
            ),
            (
                "申请退货 {o}",
                "您好，订单{o}的{p}收到后外包装破损，想申请退货退款。",
            ),
            (
                "换货",
                "你好，收到的{p}颜色发错了，订单号{o}，请帮忙换一下。",
            ),
        ],
        (Language::Chinese, "technical-support") => &[
            (
                "{p} 连不上 WiFi",
                "你好，{p}按说明书操作后一直连不上家里的WiFi，指示灯一直闪红灯。",
            ),
            (
                "固件升级失败",
                "您好，{p}升级固件到一半断电了，现在开不了机，怎么办？",
            ),
            (
                "App 登录不了",
                "你好，手机App一直提示登录失败，{p}也控制不了。",
            ),
        ],
        (Language::Chinese, _) => &[
            (
                "投诉：客服一直没人回复",
                "我上周就发邮件问订单{o}，到现在都没人回复，太失望了！",
            ),
            (
                "投诉快递员态度",
                "订单{o}的快递员态度很差，东西直接扔在门口，{p}外壳都摔坏了。",
            ),
        ],
        (Language::English, "pre-sales") => &[
            (
                "Is the {p} in stock?",
                "Hi, is the {p} in stock? How soon can you ship it?",
            ),
            (
                "Bulk order of {p}",
                "Hello, we would like to order 10 units of the {p}. Do you offer a discount?",
            ),
        ],
        (Language::English, "after-sales") => &[
            (
                "Order {o} not delivered",
                "Hi, my order {o} was due last week and has not arrived. Could you check the tracking?",
            ),
            (
                "Return request for order {o}",
                "Hello, the {p} from order {o} arrived damaged. I would like to return it for a refund.",
            ),
        ],
        (Language::English, "technical-support") => &[
            (
                "{p} won't connect to WiFi",
                "Hi, my {p} keeps blinking red and will not join my WiFi network.",
            ),
            (
                "Firmware update failed",
                "Hello, the firmware update of my {p} stopped halfway and now it does not turn on.",
            ),
        ],
        (Language::English, _) => &[
            (
                "Complaint: nobody answers my emails",
                "I wrote about order {o} a week ago and nobody has answered. This is very disappointing.",
            ),
            (
                "Complaint about the courier",
                "The courier left order {o} outside in the rain and the {p} is damaged.",
            ),
        ],
    }
}

const CUSTOMER_FOLLOW_UPS_ZH: &[&str] = &[
    "好的，我试一下。",
    "还是不行，灯还在闪。",
    "请问大概什么时候能处理好？",
    "照片已经拍好了，发给你们。",
    "收到，谢谢！",
    "快递单号是多少？",
];
const CUSTOMER_FOLLOW_UPS_EN: &[&str] = &[
    "OK, I will try that.",
    "Still not working, the light keeps blinking.",
    "When can I expect this to be sorted out?",
    "I have attached the photos you asked for.",
    "Thanks, got it.",
];
const AGENT_REPLIES_ZH: &[&str] = &[
    "您好，已经帮您查询，包裹目前在转运中心，预计两天内送达。",
    "您好，请先长按电源键10秒重置设备，再按说明书重新配网。",
    "您好，退货申请已通过，快递员会在24小时内上门取件。",
    "非常抱歉给您带来不便，我们已经安排补发，请留意短信通知。",
    "您好，麻烦提供一下订单照片和设备序列号，方便我们核实。",
];
const AGENT_REPLIES_EN: &[&str] = &[
    "Hello, your parcel is at the sorting centre and should arrive within two days.",
    "Hi, please hold the power button for 10 seconds to reset the device, then pair it again.",
    "Hello, your return is approved. A courier will collect the parcel within 24 hours.",
    "We are sorry for the trouble. A replacement has been sent; you will get a tracking number by SMS.",
    "Hi, could you send a photo of the order and the serial number of the device?",
];
const REOPEN_ZH: &[&str] = &["问题又出现了，还是连不上。", "东西到了但是少了一个配件。"];
const REOPEN_EN: &[&str] = &[
    "The problem is back again.",
    "The parcel arrived but a part is missing.",
];

/// Returns the subject and first message of a ticket.
pub(super) fn opening(
    rng: &mut impl Rng,
    language: Language,
    ticket_type: &str,
    order: &str,
) -> (String, String) {
    let (subject, body) = openings(language, ticket_type)
        .choose(rng)
        .expect("every type has openings");
    let product = match language {
        Language::Chinese => PRODUCTS_ZH.choose(rng),
        Language::English => PRODUCTS_EN.choose(rng),
    }
    .expect("list is not empty");
    let fill = |text: &str| text.replace("{p}", product).replace("{o}", order);
    (fill(subject), fill(body))
}

/// Wraps a mail body in the greeting-less form customers write, with
/// their name as the signature.
pub(super) fn mail_body(body: &str, name: &str) -> String {
    format!("{body}\n\n{name}\n")
}

/// Returns a customer's later message on an open ticket.
pub(super) fn customer_follow_up(rng: &mut impl Rng, language: Language) -> &'static str {
    match language {
        Language::Chinese => CUSTOMER_FOLLOW_UPS_ZH.choose(rng),
        Language::English => CUSTOMER_FOLLOW_UPS_EN.choose(rng),
    }
    .expect("list is not empty")
}

/// Returns a customer's message that reopens a resolved ticket.
pub(super) fn reopen_message(rng: &mut impl Rng, language: Language) -> &'static str {
    match language {
        Language::Chinese => REOPEN_ZH.choose(rng),
        Language::English => REOPEN_EN.choose(rng),
    }
    .expect("list is not empty")
}

/// Returns an agent's reply, signed with the agent's display name.
pub(super) fn agent_reply(rng: &mut impl Rng, language: Language, agent: &str) -> String {
    let text = match language {
        Language::Chinese => AGENT_REPLIES_ZH.choose(rng),
        Language::English => AGENT_REPLIES_EN.choose(rng),
    }
    .expect("list is not empty");
    match language {
        Language::Chinese => format!("{text}\n\n客服 {agent}"),
        Language::English => format!("{text}\n\n{agent}, customer service"),
    }
}

/// Returns a customer's message that is only a rating, in a form that
/// [`crate::store::rating_in_reply`] reads.
pub(super) fn rating_message(language: Language, score: u8) -> String {
    match language {
        Language::Chinese => format!("评分：{score}分"),
        Language::English => score.to_string(),
    }
}

/// Formats a call record's text as the phone adapter does.
pub(super) fn call_text(from: &str, to: &str, disposition: &str, seconds: u32) -> String {
    let duration = if seconds >= 60 {
        format!("{} min {} s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds} s")
    };
    format!("Call from {from} to {to}: {disposition}, {duration} (billed {duration})")
}

/// Returns the login name and display name of agent `index`, unique for
/// `index` below [`MAX_AGENTS`].
pub(super) fn agent_name(index: usize) -> (String, String) {
    let (surname, surname_latin) = SURNAMES[index % SURNAMES.len()];
    // Agents with the same surname are 12 apart, so their given names are
    // 5, 10 or 3 places apart in the 12 names: never the same below 48.
    let given_index = (index / SURNAMES.len() * 5 + index) % GIVEN_NAMES.len();
    let (given, given_latin) = GIVEN_NAMES[given_index];
    (
        format!("{given_latin}.{surname_latin}"),
        format!("{surname}{given}"),
    )
}

/// Agents [`agent_name`] can name.
pub(super) const MAX_AGENTS: usize = 40;
