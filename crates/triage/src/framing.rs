//! The layout both of triage's files share: a magic line naming the kind of file, the
//! length of a JSON header as eight little-endian bytes, the header, then binary data.

/// A file split into its header and data, or why it could not be.
pub(crate) enum Framing<'a> {
    /// The magic line is missing: another kind of file.
    Foreign,
    Damaged(&'static str),
    Parts {
        header: &'a [u8],
        data: &'a [u8],
    },
}

pub(crate) fn split<'a>(bytes: &'a [u8], magic: &[u8]) -> Framing<'a> {
    let Some(rest) = bytes.strip_prefix(magic) else {
        return Framing::Foreign;
    };
    let Some((len, rest)) = rest.split_at_checked(8) else {
        return Framing::Damaged("too short");
    };
    let len = u64::from_le_bytes(len.try_into().expect("eight bytes")) as usize;
    match rest.split_at_checked(len) {
        Some((header, data)) => Framing::Parts { header, data },
        None => Framing::Damaged("header cut short"),
    }
}

/// The magic line and the header, ready for the data to be appended.
pub(crate) fn start(magic: &[u8], header: &[u8], data_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(magic.len() + 8 + header.len() + data_len);
    out.extend_from_slice(magic);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header);
    out
}
