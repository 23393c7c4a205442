//! Staff password hashing with argon2id. Both calls are slow on purpose: run them off async threads.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// The PHC string for a new password.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches a stored PHC string; a malformed hash never matches.
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_others_do_not() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse battery staple"));
        assert!(!password_matches(&hash, "Correct horse battery staple"));
        assert!(!password_matches("!disabled", "anything"));
    }

    #[test]
    fn the_sign_in_dummy_hash_is_well_formed_so_unknown_emails_cost_the_same() {
        assert!(PasswordHash::new(crate::console::DUMMY_HASH).is_ok());
    }
}
