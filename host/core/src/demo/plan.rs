//! Plans of the generated customers, agents and tickets: who writes on
//! which channel, when, how soon an agent on duty answers, and how the
//! ticket ends. Nothing here touches the database.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::Rng;
use rand::seq::IndexedRandom;

use super::text::{self, Language};
use super::{DemoOptions, chance};
use crate::model::{Call, Channel, Direction};

pub(super) use text::MAX_AGENTS;

/// Weekly working hours of an agent in the desk's time zone. The agents
/// table has no working hours, so the shift only shapes when the
/// generated agents answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    /// Minutes after local midnight.
    pub start_minute: u32,
    pub end_minute: u32,
    /// Working days, Monday first.
    pub weekdays: [bool; 7],
}

/// The three shifts agents are given in turn.
const SHIFTS: [Shift; 3] = [
    Shift {
        start_minute: 8 * 60 + 30,
        end_minute: 17 * 60 + 30,
        weekdays: [true, true, true, true, true, false, false],
    },
    Shift {
        start_minute: 13 * 60,
        end_minute: 22 * 60,
        weekdays: [false, true, true, true, true, true, false],
    },
    Shift {
        start_minute: 9 * 60,
        end_minute: 18 * 60,
        weekdays: [true, false, false, false, false, true, true],
    },
];

impl Shift {
    /// Returns `at` when it is within the shift, else the start of the
    /// next shift.
    pub fn next_on_duty(&self, at: DateTime<Utc>, time_zone: Tz) -> DateTime<Utc> {
        let local_date = at.with_timezone(&time_zone).date_naive();
        for day in 0..8 {
            let date = local_date + Duration::days(day);
            if !self.weekdays[date.weekday().num_days_from_monday() as usize] {
                continue;
            }
            let begin = local_instant(date, self.start_minute, time_zone);
            let end = local_instant(date, self.end_minute, time_zone);
            if at < begin {
                return begin;
            }
            if at < end {
                return at;
            }
        }
        at
    }
}

/// Returns the instant of a local date and minute of the day. Where
/// clocks skip that time, returns the instant an hour later in wall time.
fn local_instant(date: NaiveDate, minute: u32, time_zone: Tz) -> DateTime<Utc> {
    let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0)
        .expect("shift minutes are within a day");
    let local = NaiveDateTime::new(date, time);
    time_zone
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            time_zone
                .from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(
            || Utc.from_utc_datetime(&local),
            |instant| instant.with_timezone(&Utc),
        )
}

/// A generated agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    pub name: String,
    pub display_name: String,
    /// Ticket types the agent is routed.
    pub skills: Vec<String>,
    pub shift: Shift,
}

/// Ticket types with their shares of the tickets, in percent.
const TICKET_TYPES: [(&str, u32); 4] = [
    ("pre-sales", 30),
    ("after-sales", 35),
    ("technical-support", 25),
    ("complaint", 10),
];

/// Plans `count` agents. Each has one or two ticket types as skills and one
/// of three shifts in turn.
pub(super) fn agents(rng: &mut impl Rng, count: u32) -> Vec<AgentProfile> {
    (0..count as usize)
        .map(|index| {
            let (name, display_name) = text::agent_name(index);
            let mut skills = vec![TICKET_TYPES[index % TICKET_TYPES.len()].0.to_string()];
            if chance(rng, 0.5) {
                let other = TICKET_TYPES
                    .choose(rng)
                    .expect("list is not empty")
                    .0
                    .to_string();
                if !skills.contains(&other) {
                    skills.push(other);
                }
            }
            AgentProfile {
                name,
                display_name,
                skills,
                shift: SHIFTS[index % SHIFTS.len()],
            }
        })
        .collect()
}

/// A generated customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CustomerProfile {
    pub name: String,
    pub language: Language,
    pub vip: bool,
    /// Addresses with their channel, the one the customer writes from most
    /// first.
    pub addresses: Vec<(Channel, String)>,
}

/// Plans `count` customers: three in four write Chinese, one in twenty is
/// VIP, and about a third have a phone number besides their main address.
pub(super) fn customers(rng: &mut impl Rng, count: u32) -> Vec<CustomerProfile> {
    (0..count)
        .map(|index| {
            let language = if chance(rng, 0.75) {
                Language::Chinese
            } else {
                Language::English
            };
            let (name, local_part) = text::customer_name(rng, language, index);
            let vip = chance(rng, 0.05);
            let email = match language {
                Language::Chinese => format!("{local_part}@example.cn"),
                Language::English => format!("{local_part}@example.com"),
            };
            let phone = format!("+86138{index:08}");
            let chat = format!("visitor-{index:06}");
            let primary = rng.random_range(0..100);
            let mut addresses = if primary < 50 {
                vec![(Channel::Email, email)]
            } else if primary < 85 {
                let mut addresses = vec![(Channel::Chat, chat)];
                if chance(rng, 0.2) {
                    addresses.push((Channel::Email, email));
                }
                addresses
            } else {
                vec![(Channel::Phone, phone.clone())]
            };
            if addresses[0].0 != Channel::Phone && chance(rng, 0.35) {
                addresses.push((Channel::Phone, phone));
            }
            CustomerProfile {
                name,
                language,
                vip,
                addresses,
            }
        })
        .collect()
}

/// Relative ticket volume per local hour of the day, midnight first.
const HOUR_WEIGHTS: [u32; 24] = [
    1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 9, 11, 13, 13, 12, 10, 8, 7, 6, 5, 3, 2,
];

/// Draws the instants the tickets' customers first write, sorted. Days
/// are drawn evenly over the history, with about half as many tickets on
/// Saturdays and Sundays, and hours by [`HOUR_WEIGHTS`].
pub(super) fn ticket_starts(
    rng: &mut impl Rng,
    options: &DemoOptions,
    time_zone: Tz,
) -> Vec<DateTime<Utc>> {
    let start = options.end - Duration::days(i64::from(options.days));
    let first_day = start.with_timezone(&time_zone).date_naive();
    let total_weight: u32 = HOUR_WEIGHTS.iter().sum();
    let mut starts: Vec<DateTime<Utc>> = (0..options.tickets)
        .map(|_| {
            let mut date = first_day;
            for _ in 0..3 {
                date = first_day + Duration::days(rng.random_range(0..i64::from(options.days)));
                if date.weekday().num_days_from_monday() < 5 || chance(rng, 0.45) {
                    break;
                }
            }
            let mut pick = rng.random_range(0..total_weight);
            let mut hour = 0;
            while pick >= HOUR_WEIGHTS[hour] {
                pick -= HOUR_WEIGHTS[hour];
                hour += 1;
            }
            let minute = hour as u32 * 60 + rng.random_range(0..60);
            let at =
                local_instant(date, minute, time_zone) + Duration::seconds(rng.random_range(0..60));
            // The first and last local days are cut at the history's ends.
            if at < start {
                at + Duration::days(1)
            } else if at >= options.end {
                at - Duration::days(1)
            } else {
                at
            }
        })
        .collect();
    starts.sort();
    starts
}

/// One thing that happens to a ticket.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Step {
    pub at: DateTime<Utc>,
    pub kind: StepKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum StepKind {
    /// A message; the first inbound one opens the ticket, and a later one
    /// is a customer reply for the lifecycle.
    Message {
        direction: Direction,
        /// `customer` or the agent's name.
        sender: String,
        text: String,
        call: Option<Call>,
    },
    /// A customer's message on a resolved ticket, which reopens it.
    Reopen {
        text: String,
    },
    /// A customer's message that is only a rating.
    Rating {
        score: u8,
        text: String,
    },
    Assign {
        agent: String,
    },
    Status {
        status: String,
        actor: String,
    },
}

impl StepKind {
    /// The message text of a step that stores a message.
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Self::Message { text, .. } | Self::Reopen { text } | Self::Rating { text, .. } => {
                Some(text)
            }
            Self::Assign { .. } | Self::Status { .. } => None,
        }
    }

    /// Who wrote a message: `customer` or the agent's name.
    pub(super) fn sender(&self) -> &str {
        match self {
            Self::Message { sender, .. } => sender,
            _ => "customer",
        }
    }
}

/// A planned ticket with every step, also those after the history's end.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TicketPlan {
    pub number: usize,
    /// Index of the customer in the customer plan.
    pub customer: usize,
    pub channel: Channel,
    /// The customer's address on the channel.
    pub address: String,
    pub subject: String,
    pub ticket_type: String,
    pub priority: String,
    pub opened: DateTime<Utc>,
    /// In time order.
    pub steps: Vec<Step>,
}

/// The hotline customers call and agents call back from.
const HOTLINE: &str = "4008208820";

/// Draws a duration between `min` and `max` minutes, skewed towards `min`
/// by `skew` (1 is even; 3 puts about 70% in the lower third).
fn minutes(rng: &mut impl Rng, min: f64, max: f64, skew: i32) -> Duration {
    let share: f64 = rng.random::<f64>().powi(skew);
    Duration::seconds(((min + (max - min) * share) * 60.0) as i64)
}

/// Plans ticket `number`, whose customer first writes at `opened`.
pub(super) fn ticket(
    rng: &mut impl Rng,
    number: usize,
    opened: DateTime<Utc>,
    customers: &[CustomerProfile],
    agents: &[AgentProfile],
    time_zone: Tz,
) -> TicketPlan {
    // A few customers write much more often than most.
    let customer = ((customers.len() as f64) * rng.random::<f64>().powf(1.6)) as usize;
    let customer = customer.min(customers.len() - 1);
    let profile = &customers[customer];
    let (channel, address) = if chance(rng, 0.75) {
        profile.addresses[0].clone()
    } else {
        profile
            .addresses
            .choose(rng)
            .expect("every customer has an address")
            .clone()
    };

    let mut pick = rng.random_range(0..100);
    let ticket_type = TICKET_TYPES
        .iter()
        .find(|(_, share)| {
            let found = pick < *share;
            pick = pick.saturating_sub(*share);
            found
        })
        .map_or("pre-sales", |(name, _)| name);
    let urgent_share = if profile.vip || ticket_type == "complaint" {
        0.15
    } else {
        0.04
    };
    let priority = if chance(rng, urgent_share) {
        "urgent"
    } else if chance(rng, 0.2) {
        "high"
    } else {
        "normal"
    };
    let skilled: Vec<&AgentProfile> = agents
        .iter()
        .filter(|agent| agent.skills.iter().any(|skill| skill == ticket_type))
        .collect();
    let agent = match skilled.choose(rng) {
        Some(agent) => *agent,
        None => agents.choose(rng).expect("at least one agent"),
    };
    let local_date = opened.with_timezone(&time_zone).format("%Y%m%d");
    let order = format!("DD{local_date}{:05}", number % 100_000);
    let (subject, body) = text::opening(rng, profile.language, ticket_type, &order);

    let mut planner = Planner {
        rng,
        steps: Vec::new(),
        channel,
        agent,
        vip: profile.vip,
        time_zone,
        address: &address,
    };
    let opening_text = match channel {
        Channel::Email => text::mail_body(&body, &profile.name),
        Channel::Chat => body,
        Channel::Phone => String::new(),
    };
    planner.customer_message(opened, opening_text);
    let mut at = opened + minutes(planner.rng, 1.0, 10.0, 1);
    planner.push(
        at,
        StepKind::Assign {
            agent: agent.name.clone(),
        },
    );

    at = planner.agent_reply(at, true, profile.language);
    let first_response_hours = (at - opened).num_minutes() as f64 / 60.0;
    let exchanges = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4]
        .choose(planner.rng)
        .copied()
        .unwrap_or(0);
    for _ in 0..exchanges {
        if chance(planner.rng, 0.35) {
            planner.status(at, "waiting-on-customer", &format!("agent:{}", agent.name));
        }
        at += planner.customer_delay();
        let follow_up = text::customer_follow_up(planner.rng, profile.language).to_string();
        planner.customer_message(at, follow_up);
        at = planner.agent_reply(at, false, profile.language);
    }
    if chance(planner.rng, 0.92) {
        at += planner.resolve_delay();
        planner.status(at, "resolved", &format!("agent:{}", agent.name));
        if chance(planner.rng, 0.08) {
            at += minutes(planner.rng, 60.0, 5.0 * 24.0 * 60.0, 2);
            let text = text::reopen_message(planner.rng, profile.language).to_string();
            planner.push(at, StepKind::Reopen { text });
            at = planner.agent_reply(at, false, profile.language);
            at += planner.resolve_delay();
            planner.status(at, "resolved", &format!("agent:{}", agent.name));
        }
        if chance(planner.rng, 0.4) {
            let score = planner.score(first_response_hours);
            let rated = at + minutes(planner.rng, 5.0, 2.0 * 24.0 * 60.0, 2);
            let text = text::rating_message(profile.language, score);
            planner.push(rated, StepKind::Rating { score, text });
        }
        if chance(planner.rng, 0.3) {
            let closed = at + minutes(planner.rng, 3.0 * 24.0 * 60.0, 7.0 * 24.0 * 60.0, 1);
            planner.status(closed, "closed", "system");
        }
    }
    let mut steps = planner.steps;
    // Ratings and closing are drawn from the resolution; a stable sort keeps
    // steps of the same instant in the order they were planned.
    steps.sort_by_key(|step| step.at);
    TicketPlan {
        number,
        customer,
        channel,
        address,
        subject,
        ticket_type: ticket_type.to_string(),
        priority: priority.to_string(),
        opened,
        steps,
    }
}

/// Builds the steps of one ticket.
struct Planner<'a, R: Rng> {
    rng: &'a mut R,
    steps: Vec<Step>,
    channel: Channel,
    agent: &'a AgentProfile,
    vip: bool,
    time_zone: Tz,
    /// The customer's address on the channel.
    address: &'a str,
}

impl<R: Rng> Planner<'_, R> {
    fn push(&mut self, at: DateTime<Utc>, kind: StepKind) {
        self.steps.push(Step { at, kind });
    }

    fn status(&mut self, at: DateTime<Utc>, status: &str, actor: &str) {
        self.push(
            at,
            StepKind::Status {
                status: status.to_string(),
                actor: actor.to_string(),
            },
        );
    }

    /// Plans a customer's message: on the phone a call to the hotline,
    /// missed one time in five, else `text`.
    fn customer_message(&mut self, at: DateTime<Utc>, text: String) {
        let (text, call) = if self.channel == Channel::Phone {
            let answered = chance(self.rng, 0.8);
            let seconds = if answered {
                self.rng.random_range(40..900)
            } else {
                0
            };
            let disposition = if answered { "ANSWERED" } else { "NO ANSWER" };
            let call = Call {
                destination: HOTLINE.to_string(),
                duration_seconds: seconds + 8,
                billed_seconds: seconds,
                disposition: disposition.to_string(),
                answered,
            };
            (
                text::call_text(self.address, HOTLINE, disposition, seconds),
                Some(call),
            )
        } else {
            (text, None)
        };
        self.push(
            at,
            StepKind::Message {
                direction: Direction::Inbound,
                sender: "customer".to_string(),
                text,
                call,
            },
        );
    }

    /// Plans the agent's reply to a message at `after`, once on duty, and
    /// returns its time. The first reply also moves the ticket in
    /// progress. VIP customers get a reply in about half the time.
    fn agent_reply(
        &mut self,
        after: DateTime<Utc>,
        first: bool,
        language: Language,
    ) -> DateTime<Utc> {
        let on_duty = self.agent.shift.next_on_duty(after, self.time_zone);
        let delay = match (self.channel, first) {
            (Channel::Chat, true) => minutes(self.rng, 1.0, 25.0, 3),
            (Channel::Chat, false) => minutes(self.rng, 0.5, 10.0, 2),
            (Channel::Email, _) => minutes(self.rng, 15.0, 10.0 * 60.0, 3),
            (Channel::Phone, _) => minutes(self.rng, 10.0, 6.0 * 60.0, 3),
        };
        let delay = if self.vip { delay / 2 } else { delay };
        let at = on_duty + delay;
        let actor = format!("agent:{}", self.agent.name);
        if first {
            self.status(at, "in-progress", &actor);
        }
        let (text, call) = if self.channel == Channel::Phone {
            let seconds = self.rng.random_range(30..600);
            let call = Call {
                destination: self.address.to_string(),
                duration_seconds: seconds + 5,
                billed_seconds: seconds,
                disposition: "ANSWERED".to_string(),
                answered: true,
            };
            (
                text::call_text(HOTLINE, self.address, "ANSWERED", seconds),
                Some(call),
            )
        } else {
            (
                text::agent_reply(self.rng, language, &self.agent.display_name),
                None,
            )
        };
        self.push(
            at,
            StepKind::Message {
                direction: Direction::Outbound,
                sender: self.agent.name.clone(),
                text,
                call,
            },
        );
        at
    }

    /// Time a customer takes to answer an agent.
    fn customer_delay(&mut self) -> Duration {
        match self.channel {
            Channel::Chat => minutes(self.rng, 1.0, 15.0, 2),
            Channel::Email => minutes(self.rng, 30.0, 48.0 * 60.0, 2),
            Channel::Phone => minutes(self.rng, 60.0, 24.0 * 60.0, 2),
        }
    }

    /// Time from the last reply to the resolution.
    fn resolve_delay(&mut self) -> Duration {
        match self.channel {
            Channel::Chat => minutes(self.rng, 2.0, 40.0, 1),
            _ => minutes(self.rng, 10.0, 8.0 * 60.0, 2),
        }
    }

    /// Draws a rating from 1 to 5; customers answered after more than 8
    /// hours rate lower.
    fn score(&mut self, first_response_hours: f64) -> u8 {
        let weights: [u32; 5] = if first_response_hours > 8.0 {
            [15, 15, 20, 30, 20]
        } else {
            [4, 6, 12, 35, 43]
        };
        let mut pick = self.rng.random_range(0..weights.iter().sum::<u32>());
        for (index, weight) in weights.iter().enumerate() {
            if pick < *weight {
                return index as u8 + 1;
            }
            pick -= weight;
        }
        5
    }
}
