//! Whether an email really comes from the address in its `From:`.
//!
//! Anyone can write any `From:`. Front Door treats an address as proven only on an
//! *aligned pass*: a DKIM signature that verifies for the From domain (or a parent or child
//! of it), or, where the council's own relay checks mail and says so in an
//! `Authentication-Results` header (RFC 8601), a DMARC pass, or a DKIM or SPF pass aligned
//! with the From domain. Only the relay's own header is read: the one named in settings,
//! and of those the topmost, which the relay added last; a sender can write an
//! `Authentication-Results` header too.
//!
//! SPF needs the address that handed the message over, which only the council's border
//! relay sees, so Front Door checks DKIM itself and leaves SPF and DMARC to the relay.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::hickory_resolver::config::{NameServerConfigGroup, ResolverConfig};
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, Txt};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the checks found about a message's sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderProof {
    /// The From address is proven; how, in words for staff.
    Proven(String),
    /// Not proven; why, in words for staff.
    NotProven(String),
}

impl SenderProof {
    pub fn is_proven(&self) -> bool {
        matches!(self, SenderProof::Proven(_))
    }

    pub fn explain(&self) -> &str {
        match self {
            SenderProof::Proven(how) | SenderProof::NotProven(how) => how,
        }
    }
}

/// How this server proves senders: the relay it trusts, and its own DKIM check.
pub struct SenderCheck {
    /// The `authserv-id` of the council's relay, whose `Authentication-Results` are trusted.
    relay: Option<String>,
    /// Looks DKIM keys up: in DNS, or, with DNS turned off, nowhere but `keys`.
    authenticator: Option<MessageAuthenticator>,
    keys: KeyTable,
}

impl SenderCheck {
    /// `relay`: trust that relay's `Authentication-Results` alone. Otherwise DKIM is checked
    /// here, with keys from DNS when `dns` is true.
    pub fn new(relay: Option<String>, dns: bool) -> Self {
        let relay = relay
            .map(|r| r.trim().to_ascii_lowercase())
            .filter(|r| !r.is_empty());
        Self {
            authenticator: resolver(dns && relay.is_none()),
            relay,
            keys: KeyTable::default(),
        }
    }

    /// A DKIM key to use instead of asking DNS, as published at `name`
    /// (`selector._domainkey.example.org`): for tests, and for a council checking its
    /// set-up before its DNS is live.
    pub fn add_key(&self, name: &str, record: &str) -> Result<(), String> {
        let key = DomainKey::parse(record.as_bytes())
            .map_err(|e| format!("the DKIM key for {name} could not be read: {e}"))?;
        let fqdn = format!(
            "{}.",
            name.trim().trim_end_matches('.').to_ascii_lowercase()
        );
        self.keys.insert_key(fqdn, Txt::from(key));
        Ok(())
    }

    /// Checks a raw message whose From address is `from`.
    pub async fn check(&self, raw: &[u8], from: &str) -> SenderProof {
        let Some(domain) = from.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()) else {
            return SenderProof::NotProven("the sender address has no domain".into());
        };
        match &self.relay {
            Some(relay) => relay_verdict(raw, relay, &domain),
            None => self.dkim_verdict(raw, &domain).await,
        }
    }

    async fn dkim_verdict(&self, raw: &[u8], domain: &str) -> SenderProof {
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return SenderProof::NotProven("the message could not be read for DKIM".into());
        };
        if message.dkim_headers.is_empty() {
            return SenderProof::NotProven("the message has no DKIM signature".into());
        }
        let Some(authenticator) = &self.authenticator else {
            return SenderProof::NotProven("DKIM keys could not be looked up".into());
        };
        let outputs = authenticator
            .verify_dkim(Parameters::new(&message).with_txt_cache(&self.keys))
            .await;
        let mut other = None;
        for output in &outputs {
            let Some(signature) = output.signature() else {
                continue;
            };
            match output.result() {
                DkimResult::Pass if aligned(&signature.d, domain) => {
                    return SenderProof::Proven(format!(
                        "DKIM signature by {} verified",
                        signature.d
                    ));
                }
                DkimResult::Pass => other = Some(signature.d.clone()),
                _ => {}
            }
        }
        SenderProof::NotProven(match other {
            Some(d) => format!("signed by {d}, not by the sender's domain {domain}"),
            None => "the DKIM signature did not verify".into(),
        })
    }
}

/// The system's resolver, giving up quickly: a message waits on it, and a missing key only
/// means the sender is not proven. Without DNS, a resolver with no servers, which finds
/// only the keys given.
fn resolver(dns: bool) -> Option<MessageAuthenticator> {
    let system = dns.then(read_system_conf).and_then(Result::ok);
    let (config, mut options) = system.unwrap_or_else(|| {
        let nowhere = NameServerConfigGroup::with_capacity(0);
        (
            ResolverConfig::from_parts(None, vec![], nowhere),
            Default::default(),
        )
    });
    options.timeout = Duration::from_secs(2);
    options.attempts = 1;
    MessageAuthenticator::new(config, options).ok()
}

/// DMARC's relaxed alignment, without the public-suffix list: the signing domain is the
/// From domain or a parent or child of it. Signing for a domain needs control of its DNS,
/// so a parent that signs controls the From domain too.
fn aligned(signer: &str, from: &str) -> bool {
    let signer = signer.trim_end_matches('.').to_ascii_lowercase();
    let child_of = |a: &str, b: &str| a.ends_with(&format!(".{b}"));
    !signer.is_empty()
        && signer.contains('.')
        && (signer == from || child_of(from, &signer) || child_of(&signer, from))
}

/// The verdict of the relay's topmost `Authentication-Results` header.
fn relay_verdict(raw: &[u8], relay: &str, domain: &str) -> SenderProof {
    let Some(results) = header_values(raw, "authentication-results")
        .into_iter()
        .map(|v| parse_results(&v))
        .find(|r| r.authserv_id == relay)
    else {
        return SenderProof::NotProven(format!(
            "no Authentication-Results from the council's relay ({relay})"
        ));
    };
    for method in &results.methods {
        if method.result != "pass" {
            continue;
        }
        let property = |name: &str| method.properties.get(name).map(String::as_str);
        let proven_by = match method.name.as_str() {
            "dmarc" => property("header.from").is_none_or(|d| d.eq_ignore_ascii_case(domain)),
            "dkim" => property("header.d")
                .or_else(|| property("header.i").and_then(|i| i.rsplit_once('@').map(|p| p.1)))
                .is_some_and(|d| aligned(d, domain)),
            "spf" => property("smtp.mailfrom")
                .map(|m| m.rsplit_once('@').map_or(m, |p| p.1))
                .is_some_and(|d| aligned(d, domain)),
            _ => false,
        };
        if proven_by {
            return SenderProof::Proven(format!("{} pass, said by {relay}", method.name));
        }
    }
    let said: Vec<String> = results
        .methods
        .iter()
        .map(|m| format!("{}={}", m.name, m.result))
        .collect();
    SenderProof::NotProven(match said.is_empty() {
        true => format!("{relay} checked nothing"),
        false => format!("no aligned pass from {relay} ({})", said.join(", ")),
    })
}

/// Every value of the header `name` in the message's header block, unfolded, in order.
fn header_values(raw: &[u8], name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut values: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(value) = current.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        values.extend(current.take());
        current = line
            .split_once(':')
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned());
    }
    values.extend(current);
    values
}

/// One `Authentication-Results` header, read.
#[derive(Debug, PartialEq, Eq)]
struct Results {
    authserv_id: String,
    methods: Vec<Method>,
}

#[derive(Debug, PartialEq, Eq)]
struct Method {
    name: String,
    result: String,
    properties: HashMap<String, String>,
}

/// RFC 8601: `authserv-id [version]; method=result [reason=…] ptype.property=value …; …`
/// with comments in parentheses anywhere.
fn parse_results(value: &str) -> Results {
    let text = without_comments(value);
    let mut parts = text.split(';');
    let authserv_id = parts
        .next()
        .and_then(|p| p.split_whitespace().next())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let methods = parts.filter_map(parse_method).collect();
    Results {
        authserv_id,
        methods,
    }
}

fn parse_method(part: &str) -> Option<Method> {
    let mut words = part.split_whitespace();
    let (name, result) = words.next()?.split_once('=')?;
    let name = name.split('/').next()?.to_ascii_lowercase();
    let properties = words
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_owned()))
        .collect();
    Some(Method {
        name,
        result: result.to_ascii_lowercase(),
        properties,
    })
}

fn without_comments(value: &str) -> String {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// DKIM keys given up front, looked up before DNS.
#[derive(Default)]
struct KeyTable(Mutex<HashMap<String, Txt>>);

impl KeyTable {
    fn insert_key(&self, name: String, txt: Txt) {
        if let Ok(mut keys) = self.0.lock() {
            keys.insert(name, txt);
        }
    }
}

impl mail_auth::ResolverCache<String, Txt> for KeyTable {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.get(name).cloned()
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Keys given in settings stay for the server's life.
        None
    }

    fn insert(&self, _: String, _: Txt, _: Instant) {
        // DNS answers are cached by the resolver itself; this table holds only given keys.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(headers: &str) -> SenderProof {
        let raw = format!("{headers}From: jo@residents.example\r\nSubject: hi\r\n\r\nHello\r\n");
        relay_verdict(
            raw.as_bytes(),
            "mx.demo-council.example",
            "residents.example",
        )
    }

    #[test]
    fn a_dmarc_pass_from_the_councils_relay_proves_the_sender() {
        let proof = relay(
            "Authentication-Results: mx.demo-council.example;\r\n\tspf=fail smtp.mailfrom=x@other.example;\r\n\tdmarc=pass (p=reject) header.from=residents.example\r\n",
        );
        assert!(proof.is_proven(), "{proof:?}");
    }

    #[test]
    fn only_an_aligned_pass_counts() {
        let unaligned = relay(
            "Authentication-Results: mx.demo-council.example; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=bounce@attacker.example; dmarc=fail header.from=residents.example\r\n",
        );
        assert!(!unaligned.is_proven(), "{unaligned:?}");
        assert!(unaligned.explain().contains("dmarc=fail"), "{unaligned:?}");
        let aligned_dkim = relay(
            "Authentication-Results: mx.demo-council.example; dkim=pass (good signature) header.d=mail.residents.example header.s=s1\r\n",
        );
        assert!(aligned_dkim.is_proven());
        let aligned_spf = relay(
            "Authentication-Results: mx.demo-council.example; spf=pass smtp.mailfrom=residents.example\r\n",
        );
        assert!(aligned_spf.is_proven());
    }

    #[test]
    fn a_header_the_sender_wrote_or_another_server_added_is_not_trusted() {
        let forged_below = relay(
            "Authentication-Results: mx.demo-council.example; dmarc=fail header.from=residents.example\r\nAuthentication-Results: mx.demo-council.example; dmarc=pass header.from=residents.example\r\n",
        );
        assert!(
            !forged_below.is_proven(),
            "the topmost header is the relay's"
        );
        let other_server = relay(
            "Authentication-Results: mx.attacker.example; dmarc=pass header.from=residents.example\r\n",
        );
        assert!(!other_server.is_proven());
        assert!(!relay("").is_proven());
        let in_body = "From: jo@residents.example\r\n\r\nAuthentication-Results: mx.demo-council.example; dmarc=pass\r\n";
        assert!(
            !relay_verdict(
                in_body.as_bytes(),
                "mx.demo-council.example",
                "residents.example"
            )
            .is_proven()
        );
    }

    #[test]
    fn comments_and_versions_are_read_past() {
        let results = parse_results(
            "mx.example 1; (checked at the edge) dkim/1=pass (2048-bit key) header.d=\"example.org\"; none",
        );
        assert_eq!(results.authserv_id, "mx.example");
        assert_eq!(results.methods[0].name, "dkim");
        assert_eq!(results.methods[0].properties["header.d"], "example.org");
    }

    #[test]
    fn alignment_is_the_domain_or_a_parent_or_child_of_it() {
        assert!(aligned("residents.example", "residents.example"));
        assert!(aligned("residents.example", "mail.residents.example"));
        assert!(aligned("mail.residents.example", "residents.example"));
        assert!(!aligned("attacker.example", "residents.example"));
        assert!(!aligned("sidents.example", "residents.example"));
        assert!(!aligned("example", "residents.example"));
    }
}
