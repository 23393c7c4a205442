//! Who on the council's staff may do what: roles, the permissions each carries, and the rule
//! that restricted services (social care, safeguarding, early help) are seen only by the team
//! that owns them.
//!
//! One table, [`Role::grants`], holds the whole policy, so the authorization matrix test and
//! the documentation can be read against the same place.

use std::fmt;

/// A member of staff's role. Everyone also belongs to one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Customer services: takes contacts on every channel, routes them, passes things on.
    Agent,
    /// Works the cases of their own team.
    Officer,
    /// Leads a team: works its cases and keeps the resident index and inbound mail tidy.
    TeamLead,
    /// Reads the council's management information.
    Manager,
    /// Runs the system, and acts for the data-protection officer.
    Admin,
}

/// Something a member of staff asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// The list of team queues and any one queue.
    ViewQueues,
    /// A case page, its attachments and its history.
    ViewCase,
    /// Notes, replies to the resident and referrals to another service.
    AddToCase,
    /// Assign a case and move its status on. Own team only.
    WorkCase,
    /// Send a case to another service. Agents for any case; others for their own team's.
    RouteCase,
    /// Record a phone or face-to-face contact.
    RecordContact,
    /// The queue of contacts triage was not sure of.
    ReviewTriage,
    /// A resident's record: search, their page.
    ViewResident,
    /// Vulnerability flags and Tell Us Once on a resident's behalf.
    ChangeResident,
    /// Merge, undo a merge, or separate residents' records.
    MergeResidents,
    /// A team's Tell Us Once tasks. Own team only.
    WorkTasks,
    /// Messages that could not be read, and their raw bytes.
    ManageQuarantine,
    /// The dashboard and its CSV exports.
    ViewDashboard,
    /// The audit trail and its export.
    ViewAudit,
    /// Everything held on a resident, for a subject-access request, restricted cases included.
    SubjectAccess,
    /// Erase a resident on request, keeping what the law requires.
    EraseResident,
}

/// Whose the thing acted on is: the team that owns it, and whether its service is restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner<'a> {
    pub team: &'a str,
    pub restricted: bool,
    /// A contact triage was not sure of: whoever reviews triage must read it to route it,
    /// even when triage's guess was a restricted service.
    pub awaiting_triage: bool,
}

/// Why a member of staff was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Their role does not carry the permission.
    Role,
    /// The thing belongs to another team, and the permission is for one's own team only.
    OtherTeam,
    /// The thing is in a restricted service of another team.
    Restricted,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Role => "Your role does not allow this",
            Refusal::OtherTeam => "Only the team that owns this can do that",
            Refusal::Restricted => {
                "This is a restricted service: only the team that owns it can see it"
            }
        })
    }
}

/// How far a role's permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Everywhere,
    OwnTeam,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Agent,
        Role::Officer,
        Role::TeamLead,
        Role::Manager,
        Role::Admin,
    ];

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Officer => "officer",
            Role::TeamLead => "team-lead",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Agent => "Agent",
            Role::Officer => "Service officer",
            Role::TeamLead => "Team lead",
            Role::Manager => "Manager",
            Role::Admin => "Administrator",
        }
    }

    /// The policy: which permissions a role carries, and how far each reaches.
    fn grants(self, permission: Permission) -> Option<Reach> {
        use Permission::*;
        use Reach::*;
        use Role::*;
        match (self, permission) {
            (_, ViewQueues | ViewCase | ViewResident) => Some(Everywhere),
            (Agent | Officer | TeamLead, AddToCase | RecordContact | ChangeResident) => {
                Some(Everywhere)
            }
            (Officer | TeamLead, WorkCase | RouteCase) => Some(OwnTeam),
            (Agent, RouteCase) => Some(Everywhere),
            (Agent | TeamLead, ReviewTriage) => Some(Everywhere),
            (TeamLead | Admin, MergeResidents | ManageQuarantine) => Some(Everywhere),
            (Agent | Officer | TeamLead, WorkTasks) => Some(OwnTeam),
            (Manager | Admin, ViewDashboard) => Some(Everywhere),
            (Admin, ViewAudit | SubjectAccess | EraseResident) => Some(Everywhere),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member of staff as the policy sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staffer<'a> {
    pub role: Role,
    pub team: &'a str,
}

impl Staffer<'_> {
    /// Whether this member of staff may use `permission` at all (on something of their own
    /// team's, where the permission needs an owner).
    pub fn has(&self, permission: Permission) -> bool {
        self.role.grants(permission).is_some()
    }

    /// Whether this member of staff may use `permission` on something `owner` holds.
    /// A restricted service's things are its own team's alone, whatever the role.
    pub fn may(&self, permission: Permission, owner: Owner<'_>) -> Result<(), Refusal> {
        let reach = self.role.grants(permission).ok_or(Refusal::Role)?;
        let own_team = owner.team == self.team;
        let reviewing = owner.awaiting_triage
            && self.has(Permission::ReviewTriage)
            && matches!(permission, Permission::ViewCase | Permission::RouteCase);
        if reviewing {
            return Ok(());
        }
        if owner.restricted && !own_team {
            return Err(Refusal::Restricted);
        }
        if reach == Reach::OwnTeam && !own_team {
            return Err(Refusal::OtherTeam);
        }
        Ok(())
    }

    /// Whether this member of staff may see what `owner` holds (a case on a list, say).
    pub fn sees(&self, owner: Owner<'_>) -> bool {
        self.may(Permission::ViewCase, owner).is_ok()
    }

    /// Whether this member of staff may know a person exists, given the owners of the
    /// person's cases and whether the person is known some other way (a life event they
    /// told us of). A person known only through restricted services of other teams is
    /// invisible, as their cases are: not found, rather than refused. Whoever answers
    /// subject-access requests must find anyone who asks, so sees every person (never the
    /// restricted cases themselves).
    pub fn sees_person<'o>(
        &self,
        cases: impl IntoIterator<Item = Owner<'o>>,
        known_otherwise: bool,
    ) -> bool {
        if self.has(Permission::SubjectAccess) {
            return true;
        }
        let mut any_case = false;
        for owner in cases {
            if self.sees(owner) {
                return true;
            }
            any_case = true;
        }
        known_otherwise || !any_case
    }
}

/// The reasons offered before a restricted case is opened: (value, what the trail records).
pub const VIEW_REASONS: [(&str, &str); 4] = [
    ("working", "Working on this case"),
    (
        "supervising",
        "Supervising or checking the work on this case",
    ),
    (
        "enquiry",
        "Answering an enquiry from the resident or another agency",
    ),
    ("other", "Other"),
];

/// The longest reason written down, so the trail stays readable.
pub const MAX_REASON: usize = 500;

/// Reads why a member of staff is opening a restricted case. "Other" needs the details.
pub fn view_reason(choice: &str, details: &str) -> Result<String, &'static str> {
    let (_, said) = VIEW_REASONS
        .iter()
        .find(|(value, _)| *value == choice)
        .ok_or("Select why you need to open this case")?;
    let details = details.trim();
    if details.chars().count() > MAX_REASON {
        return Err("Details must be 500 characters or fewer");
    }
    match (choice, details.is_empty()) {
        ("other", true) => Err("Enter why you need to open this case"),
        (_, true) => Ok((*said).to_owned()),
        (_, false) => Ok(format!("{said}: {details}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOCIAL_CARE: Owner = Owner {
        team: "adult-social-care",
        restricted: true,
        awaiting_triage: false,
    };
    const WASTE: Owner = Owner {
        team: "waste",
        restricted: false,
        awaiting_triage: false,
    };

    fn staff(role: Role, team: &str) -> Staffer<'_> {
        Staffer { role, team }
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn a_restricted_case_is_hidden_from_every_role_outside_its_team() {
        for role in Role::ALL {
            assert_eq!(
                staff(role, "waste").may(Permission::ViewCase, SOCIAL_CARE),
                Err(Refusal::Restricted)
            );
            assert!(staff(role, "adult-social-care").sees(SOCIAL_CARE));
        }
    }

    #[test]
    fn triage_reviewers_may_read_and_route_an_unsure_restricted_contact_but_not_work_it() {
        let unsure = Owner {
            awaiting_triage: true,
            ..SOCIAL_CARE
        };
        let agent = staff(Role::Agent, "customer-services");
        assert!(agent.may(Permission::ViewCase, unsure).is_ok());
        assert!(agent.may(Permission::RouteCase, unsure).is_ok());
        assert_eq!(
            agent.may(Permission::AddToCase, unsure),
            Err(Refusal::Restricted)
        );
        assert!(!staff(Role::Officer, "waste").sees(unsure));
    }

    #[test]
    fn a_person_known_only_through_restricted_services_is_invisible_outside_them() {
        let officer = staff(Role::Officer, "waste");
        assert!(!officer.sees_person([SOCIAL_CARE], false));
        assert!(!officer.sees_person([SOCIAL_CARE, SOCIAL_CARE], false));
        assert!(officer.sees_person([SOCIAL_CARE, WASTE], false));
        assert!(officer.sees_person([SOCIAL_CARE], true));
        assert!(officer.sees_person([], false));
        assert!(staff(Role::Officer, "adult-social-care").sees_person([SOCIAL_CARE], false));
        assert!(!staff(Role::Manager, "it").sees_person([SOCIAL_CARE], false));
        assert!(staff(Role::Admin, "it").sees_person([SOCIAL_CARE], false));
    }

    #[test]
    fn a_reason_is_one_of_the_offered_choices_and_other_needs_words() {
        assert_eq!(
            view_reason("working", " "),
            Ok("Working on this case".into())
        );
        assert_eq!(
            view_reason("other", "Court order 123"),
            Ok("Other: Court order 123".into())
        );
        assert!(view_reason("other", "  ").is_err());
        assert!(view_reason("curious", "").is_err());
        assert!(view_reason("working", &"x".repeat(501)).is_err());
    }

    #[test]
    fn officers_work_only_their_own_teams_cases() {
        let officer = staff(Role::Officer, "highways");
        assert_eq!(
            officer.may(Permission::WorkCase, WASTE),
            Err(Refusal::OtherTeam)
        );
        assert!(
            staff(Role::Officer, "waste")
                .may(Permission::WorkCase, WASTE)
                .is_ok()
        );
        assert!(officer.may(Permission::AddToCase, WASTE).is_ok());
    }

    #[test]
    fn only_administrators_read_the_audit_trail() {
        let allowed: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| staff(*r, "any").has(Permission::ViewAudit))
            .collect();
        assert_eq!(allowed, vec![Role::Admin]);
    }
}
