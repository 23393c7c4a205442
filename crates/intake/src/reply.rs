//! Finding the resident's new words in a message: quoted reply chains, attributions and
//! signatures are cut, forwarded text is kept, HTML becomes plain text.

/// Lines that end what the resident wrote and start a quoted reply or a signature.
const SIGN_OFFS: &[&str] = &[
    "sent from my iphone",
    "sent from my ipad",
    "sent from my samsung",
    "sent from my galaxy",
    "sent from my android",
    "sent from my huawei",
    "sent from my mobile",
    "sent from outlook",
    "sent from yahoo mail",
    "sent from mail for windows",
    "sent from the all new aol app",
    "get outlook for ios",
    "get outlook for android",
];

/// Lines that introduce a forwarded message, whose text is the resident's point.
const FORWARD_MARKERS: &[&str] = &[
    "---------- forwarded message",
    "begin forwarded message:",
    "-------- forwarded message --------",
];

/// Header lines inside a quoted or forwarded block.
const QUOTED_HEADERS: &[&str] = &["from:", "sent:", "date:", "to:", "cc:", "subject:"];

/// The new text of a plain-text message.
pub fn strip_reply(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let lower = line.trim().to_lowercase();
        if is_forward_marker(&lower) {
            i = skip_headers(&lines, i + 1);
            continue;
        }
        if ends_message(&lines, i, &lower) {
            break;
        }
        if !line.trim_start().starts_with('>') {
            kept.push(line.trim_end());
        }
        i += 1;
    }
    tidy(&kept)
}

fn is_forward_marker(lower: &str) -> bool {
    FORWARD_MARKERS.iter().any(|m| lower.starts_with(m))
}

fn skip_headers(lines: &[&str], mut i: usize) -> usize {
    while i < lines.len() {
        let lower = lines[i].trim().to_lowercase();
        let header = QUOTED_HEADERS.iter().any(|h| lower.starts_with(h));
        if !header && !lower.is_empty() {
            break;
        }
        i += 1;
    }
    i
}

fn ends_message(lines: &[&str], i: usize, lower: &str) -> bool {
    let line = lines[i];
    line == "-- "
        || line.trim() == "--"
        || lower.starts_with("-----original message-----")
        || lower.starts_with("----- original message -----")
        // Samsung Email's reply separator.
        || lower.starts_with("-------- original message --------")
        || lower.starts_with("________________________________")
        || SIGN_OFFS.iter().any(|s| lower.starts_with(s))
        || is_attribution(lines, i, lower)
        || is_outlook_header_block(lines, i, lower)
}

/// "On Mon, 3 Nov 2025 at 10:02, Council <a@b> wrote:", which clients wrap over two lines.
fn is_attribution(lines: &[&str], i: usize, lower: &str) -> bool {
    let wrote = |l: &str| {
        let l = l.trim_end().to_lowercase();
        l.ends_with("wrote:") || l.ends_with("a écrit :") || l.ends_with("schrieb:")
    };
    (lower.starts_with("on ") || lower.starts_with("le ") || lower.starts_with("am "))
        && (wrote(lower) || lines.get(i + 1).is_some_and(|next| wrote(next)))
}

/// Outlook's "From: … Sent: … To: … Subject: …" block above the quoted message.
fn is_outlook_header_block(lines: &[&str], i: usize, lower: &str) -> bool {
    if !lower.starts_with("from:") {
        return false;
    }
    lines[i + 1..]
        .iter()
        .take(4)
        .any(|l| matches!(l.trim().to_lowercase(), s if s.starts_with("sent:") || s.starts_with("date:")))
}

fn tidy(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut blank_run = 0;
    for line in lines {
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// Markers, inside an HTML body, of where a mail client put the quoted message.
const HTML_QUOTE_MARKERS: &[&str] = &[
    "class=\"gmail_quote",
    "<blockquote",
    "id=\"divrplyfwdmsg\"",
    "id=\"appendonsend\"",
    "class=\"moz-cite-prefix\"",
    "class=\"yahoo_quoted",
    "class=\"gmail_signature\"",
];

/// Plain text from HTML. With `cut_quotes`, everything from the quoted block on is dropped.
pub fn html_to_text(html: &str, cut_quotes: bool) -> String {
    let html = if cut_quotes { before_quote(html) } else { html };
    let text = strip_tags(html);
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    if cut_quotes {
        strip_reply(&refs.join("\n"))
    } else {
        tidy(&refs)
    }
}

fn before_quote(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    let cut = HTML_QUOTE_MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .map(|at| lower[..at].rfind('<').unwrap_or(at));
    match cut {
        Some(at) => &html[..at],
        None => html,
    }
}

/// Elements whose content is never text a person reads.
const HIDDEN: &[&str] = &["style", "script", "head", "title"];
/// Elements that end a line.
const BREAKS: &[&str] = &[
    "br",
    "/p",
    "p",
    "/div",
    "/li",
    "/tr",
    "/h1",
    "/h2",
    "/h3",
    "/h4",
    "/table",
    "/blockquote",
];

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[..close].trim().to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!')
            .collect();
        rest = &after[close + 1..];
        if HIDDEN.contains(&name.as_str()) {
            rest = skip_element(rest, &name);
        } else if BREAKS.contains(&name.as_str()) {
            out.push('\n');
        } else if name == "li" {
            out.push_str("\n- ");
        } else if name == "td" || name == "/td" {
            out.push(' ');
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

fn skip_element<'a>(rest: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    let lower = rest.to_ascii_lowercase();
    match lower.find(&closing) {
        Some(at) => match rest[at..].find('>') {
            Some(end) => &rest[at + end + 1..],
            None => "",
        },
        None => rest,
    }
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|e| *e <= 10);
        match end.and_then(|e| entity(&after[..e]).map(|c| (c, e))) {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        "pound" => Some('£'),
        "euro" => Some('€'),
        "rsquo" | "lsquo" => Some('\''),
        "ldquo" | "rdquo" => Some('"'),
        "ndash" => Some('–'),
        "mdash" => Some('—'),
        _ => None,
    };
    named.or_else(|| {
        let num = name.strip_prefix('#')?;
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_reply_keeps_only_the_new_text() {
        let text = "Still not collected.\n\nOn Mon, 3 Nov 2025 at 10:02, Council <help@council.gov.uk>\nwrote:\n> Your reference is HX7M-2KQ9\n> Thanks";
        assert_eq!(strip_reply(text), "Still not collected.");
    }

    #[test]
    fn outlook_reply_and_signature_are_cut() {
        let text = "Any update please?\n\nKind regards\nAnn\n\n________________________________\nFrom: Council <help@council.gov.uk>\nSent: 03 November 2025 10:02\nSubject: Your report";
        assert_eq!(strip_reply(text), "Any update please?\n\nKind regards\nAnn");
        let text = "Here it is\n-- \nAnn Smith\n07700 900123";
        assert_eq!(strip_reply(text), "Here it is");
        let text = "Pothole on Hill Road\n\nSent from my iPhone";
        assert_eq!(strip_reply(text), "Pothole on Hill Road");
    }

    #[test]
    fn forwarded_text_is_kept_without_its_headers() {
        let text = "See below from my neighbour\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\nDate: Mon, 3 Nov 2025\nSubject: fly tipping\nTo: Ann <ann@example.org>\n\nThere is a mattress dumped in the lane.";
        assert_eq!(
            strip_reply(text),
            "See below from my neighbour\n\nThere is a mattress dumped in the lane."
        );
    }

    #[test]
    fn html_loses_tags_styles_and_quotes() {
        let html = "<html><head><style>p{color:red}</style></head><body><p>Bin&nbsp;missed &amp; not returned</p><div>Flat&nbsp;2</div><div class=\"gmail_quote\">On Mon wrote:<blockquote>old</blockquote></div></body></html>";
        assert_eq!(
            html_to_text(html, true),
            "Bin missed & not returned\nFlat 2"
        );
        assert!(html_to_text(html, false).contains("old"));
    }

    #[test]
    fn entities_decode_and_stray_ampersands_survive() {
        assert_eq!(decode_entities("&pound;5 &#163; &#xA3; A&B"), "£5 £ £ A&B");
    }
}
