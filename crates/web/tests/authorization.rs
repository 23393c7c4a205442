//! The authorization matrix: every role, in its own team and in others, against every staff
//! route and the kinds of thing those routes act on, through the real router. Each route
//! lists exactly who may use it; everyone else must get 403, and everyone listed must not.
//!
//! Allowed requests are sent with empty or impossible form fields, so they stop at
//! validation (422) or "not found" after the permission check, and change little.

mod support;

use reqwest::StatusCode;
use support::{Browser, TestApp, pothole, safeguarding_concern, spawn_app};

const ROLES: [&str; 5] = ["agent", "officer", "team-lead", "manager", "admin"];
/// The unrestricted case is a pothole (highways); the restricted one a safeguarding concern.
const TEAMS: [&str; 3] = ["highways", "safeguarding", "customer-services"];
const EVERYONE: &str = "agent officer team-lead manager admin";
const EVERYONE_IN_SAFEGUARDING: &str = "agent@safeguarding officer@safeguarding \
    team-lead@safeguarding manager@safeguarding admin@safeguarding";
const CASEWORKERS_IN_SAFEGUARDING: &str =
    "agent@safeguarding officer@safeguarding team-lead@safeguarding";

/// One request, and who may make it: a role alone means in any team, `role@team` only in
/// that team.
struct Rule {
    method: &'static str,
    path: String,
    fields: Vec<(&'static str, &'static str)>,
    allowed: &'static str,
    /// The thing is hidden from those not allowed: "not found" is their refusal too.
    hidden: bool,
}

impl Rule {
    fn allows(&self, role: &str, team: &str) -> bool {
        let scoped = format!("{role}@{team}");
        self.allowed
            .split_whitespace()
            .any(|who| who == role || who == scoped)
    }
}

fn get(path: impl Into<String>, allowed: &'static str) -> Rule {
    Rule {
        method: "GET",
        path: path.into(),
        fields: vec![],
        allowed,
        hidden: false,
    }
}

fn post(
    path: impl Into<String>,
    fields: &[(&'static str, &'static str)],
    allowed: &'static str,
) -> Rule {
    Rule {
        method: "POST",
        path: path.into(),
        fields: fields.to_vec(),
        allowed,
        hidden: false,
    }
}

struct Subjects {
    street_case: String,
    restricted_case: String,
    person: i64,
    /// Known only through the restricted case.
    hidden_person: i64,
    quarantined: i64,
}

/// Who may do what to one resident's record.
struct PersonAccess {
    view: &'static str,
    change: &'static str,
    merge: &'static str,
    hidden: bool,
}

/// A resident known through a pothole: any member of staff may find them.
const STREET_PERSON: PersonAccess = PersonAccess {
    view: EVERYONE,
    change: "agent officer team-lead",
    merge: "team-lead admin",
    hidden: false,
};

/// A resident known only through a safeguarding concern: Safeguarding's alone, and the
/// administrator's, who answers subject-access requests.
const RESTRICTED_PERSON: PersonAccess = PersonAccess {
    view: "agent@safeguarding officer@safeguarding team-lead@safeguarding \
        manager@safeguarding admin",
    change: CASEWORKERS_IN_SAFEGUARDING,
    merge: "team-lead@safeguarding admin",
    hidden: true,
};

fn person_rules(id: i64, who: PersonAccess) -> Vec<Rule> {
    let person = |rest: &str| format!("/console/residents/{id}{rest}");
    let rules = vec![
        get(person(""), who.view),
        get(person("/subject-access.json"), "admin"),
        get(person("/erase"), "admin"),
        post(person("/erase"), &[], "admin"),
        post(person("/flags"), &[], who.change),
        post(person("/tell-us-once"), &[], who.change),
        post(person("/merge"), &[("other", "")], who.merge),
        post(person("/undo-merge"), &[("event", "0")], who.merge),
        post(person("/split"), &[("record", "0")], who.merge),
    ];
    rules
        .into_iter()
        .map(|rule| Rule {
            hidden: who.hidden,
            ..rule
        })
        .collect()
}

fn console_rules(s: &Subjects) -> Vec<Rule> {
    let quarantine = |rest: &str| format!("/console/quarantine/{}{rest}", s.quarantined);
    vec![
        get("/console/queues", EVERYONE),
        get("/console/queues/highways", EVERYONE),
        get("/console/triage", "agent team-lead"),
        get("/console/risk", EVERYONE),
        get("/console/contacts/new", "agent officer team-lead"),
        post("/console/contacts/new", &[], "agent officer team-lead"),
        get("/console/residents?q=Pat", EVERYONE),
        get("/console/quarantine", "team-lead admin"),
        get(quarantine("/raw"), "team-lead admin"),
        post(quarantine("/release"), &[], "team-lead admin"),
        get(
            "/console/tasks/highways",
            "agent@highways officer@highways team-lead@highways",
        ),
        post(
            "/console/tasks/highways/999/done",
            &[],
            "agent@highways officer@highways team-lead@highways",
        ),
        get("/console/dashboard", "manager admin"),
        get("/console/dashboard/overdue.csv", "manager admin"),
        get("/console/audit", "admin"),
        get("/console/audit/audit-trail.csv", "admin"),
    ]
}

/// Who may do what on one case: read it, work it (assign, status), route it, add to it.
struct CaseAccess {
    view: &'static str,
    work: &'static str,
    route: &'static str,
    add: &'static str,
}

fn case_rules(reference: &str, who: CaseAccess) -> Vec<Rule> {
    let case = |rest: &str| format!("/console/cases/{reference}{rest}");
    vec![
        get(case(""), who.view),
        get(case("/attachments/999"), who.view),
        post(case("/reason"), &[], who.view),
        post(case("/assign"), &[], who.work),
        post(case("/status"), &[("status", "")], who.work),
        post(case("/route"), &[("service", "")], who.route),
        post(case("/risk"), &[("decision", "")], who.route),
        post(case("/notes"), &[("note", "")], who.add),
        post(case("/reply"), &[("reply", "")], who.add),
        post(case("/referrals"), &[("service", "")], who.add),
    ]
}

/// A pothole: highways' own, not restricted.
const STREET_CASE: CaseAccess = CaseAccess {
    view: EVERYONE,
    work: "officer@highways team-lead@highways",
    route: "agent officer@highways team-lead@highways",
    add: "agent officer team-lead",
};

/// A safeguarding concern: restricted, so Safeguarding's alone whatever the role.
const RESTRICTED_CASE: CaseAccess = CaseAccess {
    view: EVERYONE_IN_SAFEGUARDING,
    work: "officer@safeguarding team-lead@safeguarding",
    route: CASEWORKERS_IN_SAFEGUARDING,
    add: CASEWORKERS_IN_SAFEGUARDING,
};

fn api_rules(s: &Subjects) -> Vec<Rule> {
    vec![
        get(format!("/api/v1/cases/{}", s.street_case), EVERYONE),
        get(
            format!("/api/v1/cases/{}", s.restricted_case),
            EVERYONE_IN_SAFEGUARDING,
        ),
        get("/api/v1/services/pothole-report/cases", EVERYONE),
        get(
            "/api/v1/services/safeguarding-concern/cases",
            EVERYONE_IN_SAFEGUARDING,
        ),
        get("/api/v1/dashboard", "manager admin"),
    ]
}

async fn subjects(app: &TestApp) -> Subjects {
    let street_case = app.open_case(pothole("pat@example.org")).await;
    let restricted_case = app.open_case(safeguarding_concern("lee@example.org")).await;
    let person = app.person_of(&street_case).await;
    let hidden_person = app.person_of(&restricted_case).await;
    let unreadable = app
        .post_signed("/intake/sms", "application/json", b"{not json")
        .await;
    assert_eq!(unreadable.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let quarantined = app.store.quarantined(true).await.unwrap()[0].id;
    Subjects {
        street_case,
        restricted_case,
        person,
        hidden_person,
        quarantined,
    }
}

async fn send(browser: &Browser, csrf: &str, rule: &Rule) -> StatusCode {
    if rule.method == "GET" {
        return browser.get(&rule.path).await.status;
    }
    let mut pairs = vec![("csrf_token", csrf)];
    pairs.extend(rule.fields.iter().copied());
    browser.post(&rule.path, &pairs).await.status
}

async fn send_api(app: &TestApp, token: &str, rule: &Rule) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{}{}", app.address, rule.path))
        .bearer_auth(token)
        // Restricted reads need a reason (tested in audit.rs); the matrix is about who.
        .header("x-access-reason", "Checking the authorization matrix")
        .send()
        .await
        .unwrap()
        .status()
}

/// Whether resident search shows the hidden person exactly to those who may open them.
async fn search_surprise(
    browser: &Browser,
    role: &str,
    team: &str,
    s: &Subjects,
) -> Option<String> {
    let found = browser.get("/console/residents?q=lee%40example").await;
    let shown = found
        .body
        .contains(&format!("/console/residents/{}\"", s.hidden_person));
    let may = get("", RESTRICTED_PERSON.view).allows(role, team);
    (shown != may).then(|| format!("{role}@{team} search: shown {shown}, expected {may}"))
}

/// What one member of staff saw that the matrix did not expect.
fn judge(role: &str, team: &str, rule: &Rule, status: StatusCode) -> Option<String> {
    let expected = rule.allows(role, team);
    let refused =
        status == StatusCode::FORBIDDEN || (rule.hidden && status == StatusCode::NOT_FOUND);
    let broken = status.is_server_error() || status == StatusCode::UNAUTHORIZED;
    (expected == refused || broken).then(|| {
        format!(
            "{role}@{team} {} {}: got {status}, expected {}",
            rule.method,
            rule.path,
            if expected { "allowed" } else { "403" }
        )
    })
}

#[tokio::test]
async fn every_role_gets_exactly_the_routes_and_cases_the_policy_allows() {
    let app = spawn_app().await;
    let s = subjects(&app).await;
    let mut rules = console_rules(&s);
    rules.extend(person_rules(s.person, STREET_PERSON));
    rules.extend(person_rules(s.hidden_person, RESTRICTED_PERSON));
    rules.extend(case_rules(&s.street_case, STREET_CASE));
    rules.extend(case_rules(&s.restricted_case, RESTRICTED_CASE));
    let api = api_rules(&s);
    let mut wrong = Vec::new();
    let (mut allowed, mut refused) = (0, 0);
    for role in ROLES {
        for team in TEAMS {
            let email = format!("{role}.{team}@demo-council.example");
            let browser = support::sign_in_with_role(&app, &email, team, role).await;
            let csrf = browser.get("/console/queues").await.csrf();
            wrong.extend(search_surprise(&browser, role, team, &s).await);
            for rule in &rules {
                let status = send(&browser, &csrf, rule).await;
                wrong.extend(judge(role, team, rule, status));
                if rule.allows(role, team) {
                    allowed += 1;
                } else {
                    refused += 1;
                }
            }
            let staff = app.store.staff_by_email(&email).await.unwrap().unwrap();
            let token = app.api_token(staff.id).await;
            for rule in &api {
                let status = send_api(&app, &token, rule).await;
                wrong.extend(judge(role, team, rule, status));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} surprises:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        allowed > 100 && refused > 100,
        "{allowed} allowed, {refused} refused"
    );
}

#[tokio::test]
async fn a_restricted_case_is_left_off_the_resident_page_and_queues_of_other_teams() {
    let app = spawn_app().await;
    let restricted = app.open_case(safeguarding_concern("lee@example.org")).await;
    let street = app.open_case(pothole("lee@example.org")).await;
    let person = app.one_person(&street, &restricted).await;
    let page = format!("/console/residents/{person}");

    let agent = support::sign_in_with_role(
        &app,
        "agent@demo-council.example",
        "customer-services",
        "agent",
    )
    .await;
    let seen = agent.get(&page).await;
    seen.assert_contains(&street);
    assert!(!seen.body.contains(&restricted), "{}", seen.body);
    assert!(!seen.body.contains("shouts for help"), "{}", seen.body);
    let queue = agent.get("/console/queues/safeguarding").await;
    assert!(!queue.body.contains(&restricted), "{}", queue.body);

    let own_team = support::sign_in_as(&app, "sg@demo-council.example", "safeguarding").await;
    own_team.get(&page).await.assert_contains(&restricted);
    own_team
        .get("/console/queues/safeguarding")
        .await
        .assert_contains(&restricted);
}

#[tokio::test]
async fn an_agent_who_records_a_restricted_contact_is_told_who_has_it_not_shown_it() {
    let app = spawn_app().await;
    let agent = support::sign_in_with_role(
        &app,
        "agent@demo-council.example",
        "customer-services",
        "agent",
    )
    .await;
    let form = agent
        .get("/console/contacts/new?service=safeguarding-concern")
        .await;
    let recorded = agent
        .submit(
            &form,
            "/console/contacts/new?service=safeguarding-concern",
            &[
                ("channel", "phone"),
                ("about", "A child or young person"),
                ("concern", "A child next door is left alone all night"),
                ("immediate-danger", "no"),
                ("contact-name", "Pat Caller"),
                ("contact-email", "pat.caller@example.org"),
                ("contact-reply-by", "email"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let back = recorded.location.unwrap();
    assert!(
        back.starts_with("/console/contacts/new?recorded="),
        "{back}"
    );
    let page = agent.get(&back).await;
    page.assert_contains("for Safeguarding");
    page.assert_contains("only that team can open it");
}
