//! Management information: where in the week a contact falls, which contacts are
//! avoidable, what each channel costs, and what moving contacts between channels would
//! save. The store keeps the counts; this is the arithmetic managers ask of them.

pub mod report;

pub use report::{Cell, Filter, Headline, Inputs, Report, Table};

use crate::Channel;
use crate::calendar::london;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Hours in a day and days in a week: the shape of the peak-times heat map.
pub const HOURS: usize = 24;
pub const WEEKDAYS: usize = 7;
pub const WEEKDAY_NAMES: [&str; WEEKDAYS] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// When a contact happened, in the council's own time (UK clocks, summer time included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub day: Date,
    /// 0 is Monday.
    pub weekday: usize,
    pub hour: usize,
}

impl Slot {
    pub fn of(at: Timestamp) -> Slot {
        // Looking the zone up for each of millions of contacts would dominate a rebuild.
        static LONDON: LazyLock<TimeZone> = LazyLock::new(london);
        let local = at.to_zoned_datetime(LONDON.clone());
        Slot {
            day: local.date(),
            weekday: local.weekday().to_monday_zero_offset() as usize,
            hour: local.hour() as usize,
        }
    }

    /// Index into a weekday × hour heat map laid out Monday 00:00 first.
    pub fn heat_index(self) -> usize {
        self.weekday * HOURS + self.hour
    }
}

/// What the rollups count for one day or month, service and channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Measures {
    /// Every inbound contact.
    pub contacts: i64,
    /// Contacts that opened a case: the transactions.
    pub opened: i64,
    /// Further contacts on a case already open: avoidable contact.
    pub repeats: i64,
    /// Repeats that chase progress ("where is my …").
    pub chasers: i64,
    /// Contacts with a recorded handling time, and their minutes.
    pub timed: i64,
    pub minutes: i64,
    /// Cases closed, and how many of those by their due date.
    pub closed: i64,
    pub on_time: i64,
    /// Satisfaction survey answers and the sum of their 1-5 scores.
    pub surveys: i64,
    pub score: i64,
}

impl Measures {
    pub const ONE_CLOSURE: Measures = Measures {
        contacts: 0,
        opened: 0,
        repeats: 0,
        chasers: 0,
        timed: 0,
        minutes: 0,
        closed: 1,
        on_time: 0,
        surveys: 0,
        score: 0,
    };

    /// The counts for one inbound contact.
    pub fn contact(opened: bool, chaser: bool, minutes: Option<u32>) -> Measures {
        Measures {
            contacts: 1,
            opened: i64::from(opened),
            repeats: i64::from(!opened),
            chasers: i64::from(!opened && chaser),
            timed: i64::from(minutes.is_some()),
            minutes: minutes.map(i64::from).unwrap_or(0),
            ..Measures::default()
        }
    }

    /// The counts for one case closing, on time or not.
    pub fn closure(on_time: bool) -> Measures {
        Measures {
            on_time: i64::from(on_time),
            ..Measures::ONE_CLOSURE
        }
    }

    /// The counts for one survey answer.
    pub fn survey(score: u8) -> Measures {
        Measures {
            surveys: 1,
            score: i64::from(score),
            ..Measures::default()
        }
    }

    /// The same counts taken away, for a reopened case or a rerouted contact.
    pub fn negated(self) -> Measures {
        Measures {
            contacts: -self.contacts,
            opened: -self.opened,
            repeats: -self.repeats,
            chasers: -self.chasers,
            timed: -self.timed,
            minutes: -self.minutes,
            closed: -self.closed,
            on_time: -self.on_time,
            surveys: -self.surveys,
            score: -self.score,
        }
    }

    /// The counts in the order the store keeps them.
    pub fn to_array(self) -> [i64; 10] {
        [
            self.contacts,
            self.opened,
            self.repeats,
            self.chasers,
            self.timed,
            self.minutes,
            self.closed,
            self.on_time,
            self.surveys,
            self.score,
        ]
    }

    pub fn from_array(a: [i64; 10]) -> Measures {
        Measures {
            contacts: a[0],
            opened: a[1],
            repeats: a[2],
            chasers: a[3],
            timed: a[4],
            minutes: a[5],
            closed: a[6],
            on_time: a[7],
            surveys: a[8],
            score: a[9],
        }
    }
}

impl std::ops::AddAssign for Measures {
    fn add_assign(&mut self, other: Measures) {
        let mut a = self.to_array();
        for (x, y) in a.iter_mut().zip(other.to_array()) {
            *x += y;
        }
        *self = Measures::from_array(a);
    }
}

/// Contacts by weekday and hour of day (UK time), Monday 00:00 first.
pub type Heat = [i64; WEEKDAYS * HOURS];

/// One rollup row as the dashboard reads it: a month, or a single day at the edge of a
/// date range that does not cover the whole month.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub year: i16,
    pub month: i8,
    pub service: String,
    pub channel: Channel,
    pub measures: Measures,
    /// Absent when the caller asked for counts only.
    pub heat: Option<Box<Heat>>,
}

/// Cases open now of one age band (an index into `AGE_BUCKETS`), service and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCount {
    pub age: usize,
    pub service: String,
    pub channel: Channel,
    pub open: i64,
}

/// Words residents use when they are chasing something already reported: contact the
/// council caused by not keeping them informed ("where is my …").
const CHASER_PHRASES: [&str; 22] = [
    "any update",
    "an update",
    "where is my",
    "where is the",
    "where are we",
    "still waiting",
    "still not",
    "still no ",
    "still hasn't",
    "still has not",
    "chasing",
    "chase up",
    "heard nothing",
    "not heard back",
    "haven't heard",
    "have not heard",
    "no response",
    "no reply",
    "what is happening",
    "what's happening",
    "when will",
    "following up",
];

/// Whether a further contact on an open case is the resident chasing progress.
pub fn is_chaser(text: &str) -> bool {
    let text = text.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    CHASER_PHRASES.iter().any(|p| text.contains(p))
}

/// Channels where the resident serves themselves, with no member of staff handling it.
pub fn is_self_service(channel: Channel) -> bool {
    matches!(channel, Channel::Web | Channel::Api)
}

/// What one contact costs the council and how long an agent spends on it, by channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCost {
    pub pounds: f64,
    pub agent_minutes: f64,
    /// Where the figure comes from, shown beside it on the dashboard.
    pub source: String,
}

/// Unit costs per channel. The defaults are published benchmarks where one exists and
/// say plainly where they are an assumption; a council sets its own in the settings file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCosts(pub BTreeMap<Channel, ChannelCost>);

const SOCITM: &str =
    "Socitm Insight, Channel Value Benchmarking (2012): average cost per transaction";
const ASSUMED: &str = "Front Door assumption (no published benchmark): set your own";

impl Default for UnitCosts {
    fn default() -> Self {
        let cost = |pounds, agent_minutes, source: &str| ChannelCost {
            pounds,
            agent_minutes,
            source: source.to_owned(),
        };
        UnitCosts(BTreeMap::from([
            (Channel::FaceToFace, cost(8.62, 12.0, SOCITM)),
            (Channel::Phone, cost(2.83, 6.0, SOCITM)),
            (Channel::Web, cost(0.15, 0.0, SOCITM)),
            (Channel::Api, cost(0.15, 0.0, ASSUMED)),
            (Channel::Email, cost(2.50, 5.0, ASSUMED)),
            (Channel::Chat, cost(1.80, 8.0, ASSUMED)),
            (Channel::Social, cost(1.50, 4.0, ASSUMED)),
            (Channel::Sms, cost(0.60, 2.0, ASSUMED)),
        ]))
    }
}

impl UnitCosts {
    pub fn get(&self, channel: Channel) -> ChannelCost {
        self.0.get(&channel).cloned().unwrap_or(ChannelCost {
            pounds: 0.0,
            agent_minutes: 0.0,
            source: ASSUMED.to_owned(),
        })
    }

    /// Pounds for a number of contacts on each channel.
    pub fn cost(&self, contacts: &BTreeMap<Channel, f64>) -> f64 {
        contacts.iter().map(|(c, n)| n * self.get(*c).pounds).sum()
    }

    /// Agent hours for a number of contacts on each channel.
    pub fn agent_hours(&self, contacts: &BTreeMap<Channel, f64>) -> f64 {
        contacts
            .iter()
            .map(|(c, n)| n * self.get(*c).agent_minutes)
            .sum::<f64>()
            / 60.0
    }
}

/// "If X % of phone contacts moved online": the question the simulator answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    pub from: Channel,
    pub to: Channel,
    pub percent: f64,
}

/// One side of a simulation: contacts, agent hours and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    pub contacts: BTreeMap<Channel, f64>,
    pub total_contacts: f64,
    pub agent_hours: f64,
    pub cost: f64,
}

impl Projection {
    pub fn of(contacts: BTreeMap<Channel, f64>, costs: &UnitCosts) -> Projection {
        Projection {
            total_contacts: contacts.values().sum(),
            agent_hours: costs.agent_hours(&contacts),
            cost: costs.cost(&contacts),
            contacts,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("Enter a percentage between 0 and 100")]
    Percent,
    #[error("Choose two different channels")]
    SameChannel,
}

impl Shift {
    pub fn new(from: Channel, to: Channel, percent: f64) -> Result<Shift, ShiftError> {
        if !(0.0..=100.0).contains(&percent) || percent.is_nan() {
            return Err(ShiftError::Percent);
        }
        if from == to {
            return Err(ShiftError::SameChannel);
        }
        Ok(Shift { from, to, percent })
    }

    /// Today's contacts and the contacts after the shift, each with hours and cost.
    pub fn simulate(
        self,
        contacts: &BTreeMap<Channel, f64>,
        costs: &UnitCosts,
    ) -> (Projection, Projection) {
        let mut after = contacts.clone();
        let moved = contacts.get(&self.from).copied().unwrap_or(0.0) * self.percent / 100.0;
        *after.entry(self.from).or_default() -= moved;
        *after.entry(self.to).or_default() += moved;
        (
            Projection::of(contacts.clone(), costs),
            Projection::of(after, costs),
        )
    }
}

/// Savings from channel shift: what this period's contacts would have cost had each
/// service kept the channel mix of the baseline period, less what they did cost.
/// Services with no baseline contacts are left out (there is no mix to compare).
pub fn channel_shift_saving(
    current: &BTreeMap<String, BTreeMap<Channel, f64>>,
    baseline: &BTreeMap<String, BTreeMap<Channel, f64>>,
    costs: &UnitCosts,
) -> f64 {
    current
        .iter()
        .filter_map(|(service, now)| {
            let before = baseline.get(service)?;
            let before_total: f64 = before.values().sum();
            if before_total <= 0.0 {
                return None;
            }
            let volume: f64 = now.values().sum();
            let unit_before = costs.cost(before) / before_total;
            Some(volume * unit_before - costs.cost(now))
        })
        .sum()
}

/// Open cases by how long ago they were opened, in the buckets a manager reads.
pub const AGE_BUCKETS: [(&str, i64); 6] = [
    ("Under 1 week", 7),
    ("1 to 2 weeks", 14),
    ("2 to 4 weeks", 28),
    ("1 to 3 months", 91),
    ("3 to 12 months", 365),
    ("Over a year", i64::MAX),
];

/// The first day of each age band but the last, counting back from `today`: a case opened
/// after `starts[i]`'s day is in band `i` or a younger one.
pub fn age_band_starts(today: Date) -> Vec<Date> {
    AGE_BUCKETS[..AGE_BUCKETS.len() - 1]
        .iter()
        .map(|(_, under)| {
            today
                .checked_sub(jiff::Span::new().days(*under))
                .unwrap_or(today)
        })
        .collect()
}

/// The bucket for a case opened `days` days ago.
pub fn age_bucket(days: i64) -> usize {
    AGE_BUCKETS
        .iter()
        .position(|(_, under)| days < *under)
        .unwrap_or(AGE_BUCKETS.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_use_uk_time_with_summer_time() {
        // 08:30 UTC on a Monday in July is 09:30 in London.
        let summer = Slot::of("2026-07-06T08:30:00Z".parse().unwrap());
        assert_eq!((summer.weekday, summer.hour), (0, 9));
        // In January London is on UTC.
        let winter = Slot::of("2026-01-04T23:10:00Z".parse().unwrap());
        assert_eq!((winter.weekday, winter.hour), (6, 23));
        assert_eq!(winter.heat_index(), 6 * 24 + 23);
    }

    #[test]
    fn chasers_are_recognised_and_new_reports_are_not() {
        assert!(is_chaser(
            "Hi, any update on my bin? It’s still not been collected"
        ));
        assert!(is_chaser(
            "I haven’t heard anything back since I reported it"
        ));
        assert!(is_chaser("Where is my blue badge?"));
        assert!(!is_chaser(
            "My bin was missed on Tuesday, please collect it"
        ));
        assert!(!is_chaser("There is a pothole outside number 4"));
    }

    #[test]
    fn moving_phone_contacts_online_cuts_cost_and_agent_hours() {
        let costs = UnitCosts::default();
        let now = BTreeMap::from([(Channel::Phone, 1000.0), (Channel::Web, 1000.0)]);
        let shift = Shift::new(Channel::Phone, Channel::Web, 30.0).unwrap();
        let (before, after) = shift.simulate(&now, &costs);
        assert_eq!(before.total_contacts, after.total_contacts);
        assert_eq!(after.contacts[&Channel::Phone], 700.0);
        assert!((before.cost - (2830.0 + 150.0)).abs() < 1e-9);
        assert!((before.cost - after.cost - 300.0 * (2.83 - 0.15)).abs() < 1e-9);
        assert!((before.agent_hours - after.agent_hours - 30.0).abs() < 1e-9);
        assert_eq!(
            Shift::new(Channel::Phone, Channel::Phone, 10.0),
            Err(ShiftError::SameChannel)
        );
        assert_eq!(
            Shift::new(Channel::Phone, Channel::Web, 101.0),
            Err(ShiftError::Percent)
        );
    }

    #[test]
    fn channel_shift_saving_compares_with_the_baseline_mix() {
        let costs = UnitCosts::default();
        let baseline = BTreeMap::from([(
            "missed-bin".to_owned(),
            BTreeMap::from([(Channel::Phone, 80.0), (Channel::Web, 20.0)]),
        )]);
        let current = BTreeMap::from([(
            "missed-bin".to_owned(),
            BTreeMap::from([(Channel::Phone, 40.0), (Channel::Web, 160.0)]),
        )]);
        // At the old mix 200 contacts cost 200 × (0.8 × 2.83 + 0.2 × 0.15).
        let expected = 200.0 * (0.8 * 2.83 + 0.2 * 0.15) - (40.0 * 2.83 + 160.0 * 0.15);
        let saving = channel_shift_saving(&current, &baseline, &costs);
        assert!((saving - expected).abs() < 1e-9);
    }

    #[test]
    fn ages_fall_into_buckets() {
        assert_eq!(age_bucket(0), 0);
        assert_eq!(age_bucket(7), 1);
        assert_eq!(age_bucket(30), 3);
        assert_eq!(age_bucket(4000), 5);
        let today = jiff::civil::date(2026, 11, 25);
        assert_eq!(age_band_starts(today)[0], jiff::civil::date(2026, 11, 18));
    }
}
