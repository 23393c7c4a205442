//! The dashboard's tables, worked out from rollup buckets. Every figure a chart shows is
//! a cell in one of these tables, and the same tables go out as CSV and JSON.

use super::{
    AGE_BUCKETS, Bucket, HOURS, Heat, Measures, OpenCount, Projection, Shift, UnitCosts,
    WEEKDAY_NAMES, WEEKDAYS, channel_shift_saving, is_self_service,
};
use crate::catalogue::Feedback;
use crate::{Catalogue, Channel};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One cell: text, or a number that keeps its kind so CSV gets the bare value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Count(i64),
    Pounds(f64),
    /// A share from 0 to 100; absent when there is nothing to divide by.
    Percent(Option<f64>),
    Decimal(Option<f64>),
}

impl Cell {
    /// As shown on the page.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => group_thousands(*n),
            Cell::Pounds(p) if *p < 0.0 => format!("-£{}", pounds(-p)),
            Cell::Pounds(p) => format!("£{}", pounds(*p)),
            Cell::Percent(Some(p)) => format!("{p:.1}%"),
            Cell::Decimal(Some(d)) => format!("{d:.2}"),
            Cell::Percent(None) | Cell::Decimal(None) => "–".into(),
        }
    }

    /// As written to CSV: plain numbers, no symbols.
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Pounds(p) => format!("{p:.2}"),
            Cell::Percent(Some(v)) | Cell::Decimal(Some(v)) => format!("{v:.2}"),
            Cell::Percent(None) | Cell::Decimal(None) => String::new(),
        }
    }

    /// The value a chart plots.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Text(_) => None,
            Cell::Count(n) => Some(*n as f64),
            Cell::Pounds(v) => Some(*v),
            Cell::Percent(v) | Cell::Decimal(v) => *v,
        }
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn pounds(p: f64) -> String {
    let whole = p.trunc() as i64;
    let pence = ((p - p.trunc()).abs() * 100.0).round() as i64;
    if pence == 100 {
        return format!("{}.00", group_thousands(whole + p.signum() as i64));
    }
    format!("{}.{pence:02}", group_thousands(whole))
}

fn percent(part: i64, whole: i64) -> Cell {
    Cell::Percent((whole != 0).then(|| part as f64 * 100.0 / whole as f64))
}

fn average(sum: i64, count: i64) -> Cell {
    Cell::Decimal((count != 0).then(|| sum as f64 / count as f64))
}

/// A table with its caption; `id` names it in URLs (`/console/dashboard/{id}.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub id: &'static str,
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(id: &'static str, caption: &str, headers: &[&str]) -> Table {
        Table {
            id,
            caption: caption.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV, headers first.
    pub fn to_csv(&self) -> String {
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = line(self.headers.clone());
        out.push_str("\r\n");
        for row in &self.rows {
            out.push_str(&line(row.iter().map(Cell::raw).collect()));
            out.push_str("\r\n");
        }
        out
    }
}

/// Quotes a CSV field where needed, and defuses text a spreadsheet would run as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Which services and channels the manager asked to see. `None` keeps everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub services: Option<BTreeSet<String>>,
    pub channels: Option<BTreeSet<Channel>>,
}

impl Filter {
    pub fn keeps(&self, service: &str, channel: Channel) -> bool {
        self.services.as_ref().is_none_or(|s| s.contains(service))
            && self.channels.as_ref().is_none_or(|c| c.contains(&channel))
    }
}

/// The headline figures above the charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Headline {
    pub contacts: i64,
    pub transactions: i64,
    pub digital_take_up: Option<f64>,
    pub avoidable_contact: Option<f64>,
    pub closed_on_time: Option<f64>,
    pub satisfaction: Option<f64>,
    pub cost: f64,
    /// Against the same period a year earlier; absent with no earlier data.
    pub channel_shift_saving: Option<f64>,
    pub open_cases: i64,
}

/// Everything the report is worked out from.
pub struct Inputs<'a> {
    pub catalogue: &'a Catalogue,
    pub filter: &'a Filter,
    pub costs: &'a UnitCosts,
    /// The chosen date range: totals per service and channel.
    pub range: &'a [Bucket],
    /// The chosen date range by month and channel, for the monthly profile, already
    /// narrowed to the filter's services and channels (like `history`).
    pub range_months: &'a [Bucket],
    /// Contacts in the chosen range by weekday and hour.
    pub heat: &'a Heat,
    /// The same range a year earlier, for channel-shift savings.
    pub baseline: &'a [Bucket],
    /// Every month there is, for the trend and year-on-year, already narrowed to the
    /// filter's services and channels (so it may be totals per month and channel).
    pub history: &'a [Bucket],
    pub open: &'a [OpenCount],
    /// A channel-shift question, for one service or all.
    pub shift: Option<(Shift, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub headline: Headline,
    pub tables: Vec<Table>,
}

impl Report {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Sums of measures keyed by anything.
fn sum_by<K: Ord>(buckets: &[&Bucket], key: impl Fn(&Bucket) -> K) -> BTreeMap<K, Measures> {
    let mut out: BTreeMap<K, Measures> = BTreeMap::new();
    for b in buckets {
        *out.entry(key(b)).or_default() += b.measures;
    }
    out
}

impl Report {
    pub fn build(inputs: &Inputs) -> Report {
        let keep = |b: &&Bucket| inputs.filter.keeps(&b.service, b.channel);
        let range: Vec<&Bucket> = inputs.range.iter().filter(keep).collect();
        let history: Vec<&Bucket> = inputs.history.iter().collect();
        let baseline: Vec<&Bucket> = inputs.baseline.iter().filter(keep).collect();
        let open: Vec<&OpenCount> = inputs
            .open
            .iter()
            .filter(|o| inputs.filter.keeps(&o.service, o.channel))
            .collect();
        let by_channel = sum_by(&range, |b| b.channel);
        let by_service = sum_by(&range, |b| b.service.clone());
        let heat = inputs.heat;
        let range_months: Vec<&Bucket> = inputs.range_months.iter().collect();
        let tables = vec![
            channels_table(&by_channel),
            services_table(inputs.catalogue, &by_service),
            hours_table(heat),
            weekdays_table(heat),
            heat_table(heat),
            months_table(&range_months),
            year_on_year_table(&history),
            trend_table(&history),
            take_up_table(inputs.catalogue, &range),
            sla_services_table(inputs.catalogue, &by_service),
            sla_teams_table(inputs.catalogue, &by_service),
            open_age_table(&open),
            costs_table(inputs.costs, &by_channel),
            satisfaction_table(inputs.catalogue, &by_service),
            satisfaction_channels_table(&by_channel),
            feedback_table(inputs.catalogue, &by_service),
            simulator_table(inputs, &range),
        ];
        let headline = headline(inputs, &range, &baseline, &open);
        Report { headline, tables }
    }
}

fn total(measures: &BTreeMap<impl Ord, Measures>) -> Measures {
    let mut all = Measures::default();
    for m in measures.values() {
        all += *m;
    }
    all
}

fn contacts_by_service_channel(buckets: &[&Bucket]) -> BTreeMap<String, BTreeMap<Channel, f64>> {
    let mut out: BTreeMap<String, BTreeMap<Channel, f64>> = BTreeMap::new();
    for b in buckets {
        *out.entry(b.service.clone())
            .or_default()
            .entry(b.channel)
            .or_default() += b.measures.contacts as f64;
    }
    out
}

fn contacts_by_channel(by_channel: &BTreeMap<Channel, Measures>) -> BTreeMap<Channel, f64> {
    by_channel
        .iter()
        .map(|(c, m)| (*c, m.contacts as f64))
        .collect()
}

fn headline(
    inputs: &Inputs,
    range: &[&Bucket],
    baseline: &[&Bucket],
    open: &[&OpenCount],
) -> Headline {
    let all = total(&sum_by(range, |_| ()));
    let self_served: i64 = range
        .iter()
        .filter(|b| is_self_service(b.channel))
        .map(|b| b.measures.opened)
        .sum();
    let current = contacts_by_service_channel(range);
    let before = contacts_by_service_channel(baseline);
    let rate = |part: i64, whole: i64| (whole != 0).then(|| part as f64 * 100.0 / whole as f64);
    Headline {
        contacts: all.contacts,
        transactions: all.opened,
        digital_take_up: rate(self_served, all.opened),
        avoidable_contact: rate(all.repeats, all.contacts),
        closed_on_time: rate(all.on_time, all.closed),
        satisfaction: (all.surveys != 0).then(|| all.score as f64 / all.surveys as f64),
        cost: inputs
            .costs
            .cost(&contacts_by_channel(&sum_by(range, |b| b.channel))),
        channel_shift_saving: (!before.is_empty())
            .then(|| channel_shift_saving(&current, &before, inputs.costs)),
        open_cases: open.iter().map(|o| o.open).sum(),
    }
}

fn service_name(catalogue: &Catalogue, slug: &str) -> String {
    catalogue
        .service(slug)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| slug.to_owned())
}

fn team_of(catalogue: &Catalogue, service: &str) -> Option<(String, String)> {
    let team = catalogue.team(&catalogue.service(service)?.team)?;
    Some((team.name.clone(), team.department.clone()))
}

fn channels_table(by_channel: &BTreeMap<Channel, Measures>) -> Table {
    let mut t = Table::new(
        "channels",
        "Contacts by channel",
        &[
            "Channel",
            "Contacts",
            "Share of contacts",
            "Transactions",
            "Repeat contacts",
            "Chasers",
        ],
    );
    let all = total(by_channel).contacts;
    for (channel, m) in by_channel.iter().filter(|(_, m)| m.contacts != 0) {
        t.rows.push(vec![
            Cell::Text(channel.label().to_owned()),
            Cell::Count(m.contacts),
            percent(m.contacts, all),
            Cell::Count(m.opened),
            Cell::Count(m.repeats),
            Cell::Count(m.chasers),
        ]);
    }
    t
}

fn by_contacts_desc(by_service: &BTreeMap<String, Measures>) -> Vec<(&String, &Measures)> {
    let mut rows: Vec<_> = by_service.iter().collect();
    rows.sort_by(|a, b| b.1.contacts.cmp(&a.1.contacts).then(a.0.cmp(b.0)));
    rows
}

fn services_table(catalogue: &Catalogue, by_service: &BTreeMap<String, Measures>) -> Table {
    let mut t = Table::new(
        "services",
        "Contacts by service",
        &[
            "Service",
            "Department",
            "Contacts",
            "Transactions",
            "Repeat contacts",
            "Chasers",
            "Avoidable contact",
        ],
    );
    for (service, m) in by_contacts_desc(by_service) {
        if m.contacts == 0 {
            continue;
        }
        let department = team_of(catalogue, service).map(|t| t.1).unwrap_or_default();
        t.rows.push(vec![
            Cell::Text(service_name(catalogue, service)),
            Cell::Text(department),
            Cell::Count(m.contacts),
            Cell::Count(m.opened),
            Cell::Count(m.repeats),
            Cell::Count(m.chasers),
            percent(m.repeats, m.contacts),
        ]);
    }
    t
}

fn hours_table(heat: &Heat) -> Table {
    let mut t = Table::new(
        "hours",
        "Daily profile: contacts by hour of day",
        &["Hour", "Contacts"],
    );
    for hour in 0..HOURS {
        let n: i64 = (0..WEEKDAYS).map(|d| heat[d * HOURS + hour]).sum();
        t.rows
            .push(vec![Cell::Text(format!("{hour:02}:00")), Cell::Count(n)]);
    }
    t
}

fn weekdays_table(heat: &Heat) -> Table {
    let mut t = Table::new(
        "weekdays",
        "Weekly profile: contacts by day of the week",
        &["Day", "Contacts"],
    );
    for (d, name) in WEEKDAY_NAMES.iter().enumerate() {
        let n: i64 = heat[d * HOURS..(d + 1) * HOURS].iter().sum();
        t.rows
            .push(vec![Cell::Text((*name).to_owned()), Cell::Count(n)]);
    }
    t
}

fn heat_table(heat: &Heat) -> Table {
    let hours: Vec<String> = (0..HOURS).map(|h| format!("{h:02}")).collect();
    let mut headers = vec!["Day"];
    headers.extend(hours.iter().map(String::as_str));
    let mut t = Table::new("heat", "Peak times: contacts by day and hour", &headers);
    for (d, name) in WEEKDAY_NAMES.iter().enumerate() {
        let mut row = vec![Cell::Text((*name).to_owned())];
        row.extend(
            heat[d * HOURS..(d + 1) * HOURS]
                .iter()
                .map(|n| Cell::Count(*n)),
        );
        t.rows.push(row);
    }
    t
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_label(year: i16, month: i8) -> String {
    format!("{} {year}", MONTHS[(month - 1) as usize])
}

fn channels_present(buckets: &[&Bucket]) -> Vec<Channel> {
    let present: BTreeSet<Channel> = buckets
        .iter()
        .filter(|b| b.measures.contacts != 0)
        .map(|b| b.channel)
        .collect();
    present.into_iter().collect()
}

fn months_table(range: &[&Bucket]) -> Table {
    let channels = channels_present(range);
    let mut headers = vec!["Month"];
    headers.extend(channels.iter().map(|c| c.label()));
    headers.push("Total");
    let mut t = Table::new(
        "months",
        "Monthly profile: contacts by month and channel",
        &headers,
    );
    let by_month = sum_by(range, |b| (b.year, b.month, b.channel));
    let months: BTreeSet<(i16, i8)> = by_month.keys().map(|(y, m, _)| (*y, *m)).collect();
    for (year, month) in months {
        let mut row = vec![Cell::Text(month_label(year, month))];
        let mut sum = 0;
        for channel in &channels {
            let n = by_month
                .get(&(year, month, *channel))
                .map(|m| m.contacts)
                .unwrap_or(0);
            sum += n;
            row.push(Cell::Count(n));
        }
        row.push(Cell::Count(sum));
        t.rows.push(row);
    }
    t
}

fn year_on_year_table(history: &[&Bucket]) -> Table {
    let by_month = sum_by(history, |b| (b.year, b.month));
    let years: BTreeSet<i16> = by_month.keys().map(|(y, _)| *y).collect();
    let year_names: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let mut headers = vec!["Month"];
    headers.extend(year_names.iter().map(String::as_str));
    let mut t = Table::new(
        "year-on-year",
        "Year-on-year: contacts each month",
        &headers,
    );
    for (m, name) in MONTHS.iter().enumerate() {
        let mut row = vec![Cell::Text((*name).to_owned())];
        for year in &years {
            let n = by_month.get(&(*year, m as i8 + 1)).map(|x| x.contacts);
            row.push(n.map(Cell::Count).unwrap_or(Cell::Decimal(None)));
        }
        t.rows.push(row);
    }
    t
}

fn trend_table(history: &[&Bucket]) -> Table {
    let mut t = Table::new(
        "trend",
        "Three-year trend: contacts and digital take-up by month",
        &[
            "Month",
            "Contacts",
            "12-month average",
            "Transactions",
            "Self-served online",
            "Digital take-up",
        ],
    );
    let by_month = sum_by(history, |b| (b.year, b.month));
    let online = sum_by(history, |b| (b.year, b.month, is_self_service(b.channel)));
    let months: Vec<_> = by_month.iter().collect();
    for (i, ((year, month), m)) in months.iter().enumerate() {
        let window = &months[i.saturating_sub(11)..=i];
        let rolling = (window.len() == 12)
            .then(|| window.iter().map(|(_, m)| m.contacts as f64).sum::<f64>() / 12.0);
        let self_served = online
            .get(&(*year, *month, true))
            .map(|m| m.opened)
            .unwrap_or(0);
        t.rows.push(vec![
            Cell::Text(month_label(*year, *month)),
            Cell::Count(m.contacts),
            Cell::Decimal(rolling),
            Cell::Count(m.opened),
            Cell::Count(self_served),
            percent(self_served, m.opened),
        ]);
    }
    t
}

fn take_up_table(catalogue: &Catalogue, range: &[&Bucket]) -> Table {
    let mut t = Table::new(
        "take-up",
        "Digital take-up by service: transactions self-served online",
        &[
            "Service",
            "Transactions",
            "Self-served online",
            "Digital take-up",
        ],
    );
    let by_service = sum_by(range, |b| b.service.clone());
    let online = sum_by(range, |b| (b.service.clone(), is_self_service(b.channel)));
    for (service, m) in by_contacts_desc(&by_service) {
        if m.opened == 0 {
            continue;
        }
        let n = online
            .get(&(service.clone(), true))
            .map(|m| m.opened)
            .unwrap_or(0);
        t.rows.push(vec![
            Cell::Text(service_name(catalogue, service)),
            Cell::Count(m.opened),
            Cell::Count(n),
            percent(n, m.opened),
        ]);
    }
    t
}

fn sla_row(name: String, m: &Measures) -> Vec<Cell> {
    vec![
        Cell::Text(name),
        Cell::Count(m.closed),
        Cell::Count(m.on_time),
        Cell::Count(m.closed - m.on_time),
        percent(m.on_time, m.closed),
    ]
}

const SLA_HEADERS: [&str; 5] = ["", "Closed", "Within SLA", "Past SLA", "SLA compliance"];

fn sla_services_table(catalogue: &Catalogue, by_service: &BTreeMap<String, Measures>) -> Table {
    let mut headers = SLA_HEADERS;
    headers[0] = "Service";
    let mut t = Table::new(
        "sla-services",
        "SLA compliance by service: cases closed",
        &headers,
    );
    for (service, m) in by_service.iter().filter(|(_, m)| m.closed != 0) {
        t.rows.push(sla_row(service_name(catalogue, service), m));
    }
    t
}

fn sla_teams_table(catalogue: &Catalogue, by_service: &BTreeMap<String, Measures>) -> Table {
    let mut headers = SLA_HEADERS;
    headers[0] = "Team";
    let mut t = Table::new(
        "sla-teams",
        "SLA compliance by team: cases closed",
        &headers,
    );
    let mut by_team: BTreeMap<String, Measures> = BTreeMap::new();
    for (service, m) in by_service {
        let team = team_of(catalogue, service)
            .map(|t| t.0)
            .unwrap_or_else(|| "Other".into());
        *by_team.entry(team).or_default() += *m;
    }
    for (team, m) in by_team.iter().filter(|(_, m)| m.closed != 0) {
        t.rows.push(sla_row(team.clone(), m));
    }
    t
}

fn open_age_table(open: &[&OpenCount]) -> Table {
    let mut t = Table::new("open-age", "Open cases by age", &["Age", "Open cases"]);
    let mut counts = [0i64; AGE_BUCKETS.len()];
    for o in open {
        counts[o.age.min(AGE_BUCKETS.len() - 1)] += o.open;
    }
    for ((label, _), n) in AGE_BUCKETS.iter().zip(counts) {
        t.rows
            .push(vec![Cell::Text((*label).to_owned()), Cell::Count(n)]);
    }
    t
}

fn costs_table(costs: &UnitCosts, by_channel: &BTreeMap<Channel, Measures>) -> Table {
    let mut t = Table::new(
        "costs",
        "Cost to serve by channel",
        &[
            "Channel",
            "Cost per contact",
            "Agent minutes per contact",
            "Measured minutes per contact",
            "Contacts",
            "Cost",
            "Agent hours",
            "Source of unit cost",
        ],
    );
    for (channel, m) in by_channel.iter().filter(|(_, m)| m.contacts != 0) {
        let unit = costs.get(*channel);
        t.rows.push(vec![
            Cell::Text(channel.label().to_owned()),
            Cell::Pounds(unit.pounds),
            Cell::Decimal(Some(unit.agent_minutes)),
            average(m.minutes, m.timed),
            Cell::Count(m.contacts),
            Cell::Pounds(unit.pounds * m.contacts as f64),
            Cell::Decimal(Some(unit.agent_minutes * m.contacts as f64 / 60.0)),
            Cell::Text(unit.source),
        ]);
    }
    t
}

fn satisfaction_table(catalogue: &Catalogue, by_service: &BTreeMap<String, Measures>) -> Table {
    let mut t = Table::new(
        "satisfaction",
        "Satisfaction by service: survey answers when a case closes (1 to 5)",
        &["Service", "Answers", "Average score"],
    );
    for (service, m) in by_service.iter().filter(|(_, m)| m.surveys != 0) {
        t.rows.push(vec![
            Cell::Text(service_name(catalogue, service)),
            Cell::Count(m.surveys),
            average(m.score, m.surveys),
        ]);
    }
    t
}

fn satisfaction_channels_table(by_channel: &BTreeMap<Channel, Measures>) -> Table {
    let mut t = Table::new(
        "satisfaction-channels",
        "Satisfaction by the channel the case came in on",
        &["Channel", "Answers", "Average score"],
    );
    for (channel, m) in by_channel.iter().filter(|(_, m)| m.surveys != 0) {
        t.rows.push(vec![
            Cell::Text(channel.label().to_owned()),
            Cell::Count(m.surveys),
            average(m.score, m.surveys),
        ]);
    }
    t
}

fn feedback_table(catalogue: &Catalogue, by_service: &BTreeMap<String, Measures>) -> Table {
    let mut t = Table::new(
        "feedback",
        "Complaints, compliments and survey answers",
        &["Kind", "Count"],
    );
    let kind_total = |kind: Feedback| -> i64 {
        by_service
            .iter()
            .filter(|(s, _)| catalogue.service(s).and_then(|s| s.feedback) == Some(kind))
            .map(|(_, m)| m.opened)
            .sum()
    };
    let surveys: i64 = by_service.values().map(|m| m.surveys).sum();
    t.rows.push(vec![
        Cell::Text("Complaints".into()),
        Cell::Count(kind_total(Feedback::Complaint)),
    ]);
    t.rows.push(vec![
        Cell::Text("Compliments".into()),
        Cell::Count(kind_total(Feedback::Compliment)),
    ]);
    t.rows.push(vec![
        Cell::Text("Survey answers".into()),
        Cell::Count(surveys),
    ]);
    t
}

fn simulator_table(inputs: &Inputs, range: &[&Bucket]) -> Table {
    let mut t = Table::new(
        "simulator",
        "Channel-shift simulator",
        &["", "Now", "After the shift", "Difference"],
    );
    let Some((shift, service)) = &inputs.shift else {
        return t;
    };
    let chosen: Vec<&Bucket> = range
        .iter()
        .filter(|b| service.as_ref().is_none_or(|s| *s == b.service))
        .copied()
        .collect();
    let now = contacts_by_channel(&sum_by(&chosen, |b| b.channel));
    let (before, after) = shift.simulate(&now, inputs.costs);
    let mut channels: BTreeSet<Channel> = before.contacts.keys().copied().collect();
    channels.extend([shift.from, shift.to]);
    let count = |p: &Projection, c: Channel| p.contacts.get(&c).copied().unwrap_or(0.0);
    for channel in channels {
        let (a, b) = (count(&before, channel), count(&after, channel));
        t.rows.push(vec![
            Cell::Text(format!("{} contacts", channel.label())),
            Cell::Count(a.round() as i64),
            Cell::Count(b.round() as i64),
            Cell::Count((b - a).round() as i64),
        ]);
    }
    t.rows.push(vec![
        Cell::Text("Agent hours".into()),
        Cell::Decimal(Some(before.agent_hours)),
        Cell::Decimal(Some(after.agent_hours)),
        Cell::Decimal(Some(after.agent_hours - before.agent_hours)),
    ]);
    t.rows.push(vec![
        Cell::Text("Cost".into()),
        Cell::Pounds(before.cost),
        Cell::Pounds(after.cost),
        Cell::Pounds(after.cost - before.cost),
    ]);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(Cell::Count(1234567).display(), "1,234,567");
        assert_eq!(Cell::Count(-1200).display(), "-1,200");
        assert_eq!(Cell::Pounds(2830.5).display(), "£2,830.50");
        assert_eq!(Cell::Pounds(0.999).display(), "£1.00");
        assert_eq!(Cell::Pounds(-5.36).display(), "-£5.36");
        assert_eq!(percent(1, 3).display(), "33.3%");
        assert_eq!(percent(1, 0).display(), "–");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let mut t = Table::new("x", "X", &["Name", "Count"]);
        t.rows
            .push(vec![Cell::Text("Bins, black".into()), Cell::Count(3)]);
        t.rows.push(vec![
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Count(-2),
        ]);
        assert_eq!(
            t.to_csv(),
            "Name,Count\r\n\"Bins, black\",3\r\n\"'=HYPERLINK(\"\"x\"\")\",-2\r\n"
        );
    }
}
