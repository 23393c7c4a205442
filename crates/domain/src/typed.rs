//! Text as people type it, made safe to keep and show. A name or an address line with a
//! NUL in it breaks exports and other systems; zero-width characters make two names that
//! look the same compare different; a right-to-left override makes a name read backwards
//! in the console. Which is which comes from the Unicode general category, not a list.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Typed text held a control character (a NUL, an escape, a backspace…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the text holds a control character")]
pub struct ControlCharacter;

/// One line (a name, an address line, a short answer): invisible formatting characters
/// (general category Cf: zero-width spaces and joiners, direction marks and overrides, the
/// byte-order mark) removed, any whitespace, line and paragraph separators included, made
/// one space, and the ends trimmed. Other control characters (Cc) are refused.
pub fn one_line(input: &str) -> Result<String, ControlCharacter> {
    let mut line = String::with_capacity(input.len());
    let mut space = false;
    for c in input.chars() {
        match c.general_category() {
            GeneralCategory::Format => {}
            _ if c.is_whitespace() || is_separator(c) => space = !line.is_empty(),
            GeneralCategory::Control => return Err(ControlCharacter),
            _ => {
                if space {
                    line.push(' ');
                    space = false;
                }
                line.push(c);
            }
        }
    }
    Ok(line)
}

/// Several lines (a message, a description): as [`one_line`], but line breaks and tabs
/// are kept, and line and paragraph separators become line breaks.
pub fn many_lines(input: &str) -> Result<String, ControlCharacter> {
    let mut text = String::with_capacity(input.len());
    for c in input.chars() {
        match c.general_category() {
            GeneralCategory::Format => {}
            _ if is_separator(c) => text.push('\n'),
            GeneralCategory::Control if !matches!(c, '\n' | '\r' | '\t') => {
                return Err(ControlCharacter);
            }
            _ => text.push(c),
        }
    }
    Ok(text)
}

/// What a channel tells us that nobody can be asked to type again (an email's display
/// name, a social handle): cleaned as [`one_line`], control characters dropped.
pub fn one_line_lossy(input: &str) -> String {
    one_line(&without_controls(input)).unwrap_or_default()
}

/// A message a channel sent (an email body, a text): cleaned as [`many_lines`], control
/// characters dropped rather than the message refused.
pub fn many_lines_lossy(input: &str) -> String {
    many_lines(&without_controls(input)).unwrap_or_default()
}

/// Control characters dropped, whitespace ones kept for the cleaning to judge.
fn without_controls(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.general_category() != GeneralCategory::Control || c.is_whitespace())
        .collect()
}

fn is_separator(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn invisible_formatting_is_removed_and_spacing_made_plain() {
        assert_eq!(one_line("  Jo\u{200B} Bloggs ").unwrap(), "Jo Bloggs");
        assert_eq!(one_line("\u{202E}sggolB oJ").unwrap(), "sggolB oJ");
        assert_eq!(one_line("\u{FEFF}Ann\u{2060}\u{00AD}").unwrap(), "Ann");
        assert_eq!(
            one_line("Ann\u{2028}Lee\u{00A0}Smith").unwrap(),
            "Ann Lee Smith"
        );
        assert_eq!(one_line("\u{200B}\u{200D}").unwrap(), "");
    }

    #[test]
    fn control_characters_are_refused_wherever_they_are() {
        for bad in ["Jo\u{0}", "\u{1B}[31mJo", "J\u{7F}o", "Jo\u{8}"] {
            assert_eq!(one_line(bad), Err(ControlCharacter), "{bad:?}");
        }
        assert_eq!(many_lines("Hello\u{0}"), Err(ControlCharacter));
    }

    #[test]
    fn a_message_keeps_its_lines() {
        assert_eq!(
            many_lines("Line one\r\n\tLine\u{200B} two\u{2029}Three").unwrap(),
            "Line one\r\n\tLine two\nThree"
        );
    }

    #[test]
    fn what_a_channel_sends_is_cleaned_not_refused() {
        assert_eq!(one_line_lossy("Jo\u{0} \u{202E}Bloggs"), "Jo Bloggs");
        assert_eq!(
            many_lines_lossy("Bin\u{0}\r\nmissed\u{200B}"),
            "Bin\r\nmissed"
        );
    }

    proptest! {
        #[test]
        fn a_cleaned_line_has_no_controls_or_formatting_and_cleans_to_itself(s in "\\PC*|.*") {
            if let Ok(line) = one_line(&s) {
                prop_assert!(line.chars().all(|c| !matches!(
                    c.general_category(),
                    GeneralCategory::Control | GeneralCategory::Format
                )));
                prop_assert_eq!(one_line(&line).unwrap(), line.clone());
            }
        }
    }
}
