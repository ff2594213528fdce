//! Turning the bytes people upload into text: UTF-8 with or without a byte-order mark,
//! or Excel's Windows-1252 (detected, and said), and `,`, Excel's `;` or a tab as separator.

/// A file's text, ready for the CSV reader. `text` holds valid UTF-8 from `start` on (a
/// byte-order mark before it is skipped, not copied away: a million-row file is 100 MB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: Vec<u8>,
    pub start: usize,
    pub encoding: Encoding,
    pub delimiter: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8WithBom,
    Windows1252,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The characters Windows-1252 puts at 0x80..=0x9F (where Latin-1 has control codes).
/// Undefined positions map to the replacement character.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
    '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}',
    'ž', 'Ÿ',
];

/// Appends `bytes`, read as Windows-1252, to `out`. Any piece of a file can be decoded on
/// its own (one byte is one character), so the page decodes a big file a piece at a time.
pub fn decode_windows_1252(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len());
    out.extend(bytes.iter().map(|&b| match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }));
}

/// The end of the piece of `bytes` that starts at `from` and is about `len` long, moved
/// back so that it does not cut a UTF-8 character in two. Checking a file piece by piece
/// cut this way finds exactly what checking it whole finds.
pub fn piece_end(bytes: &[u8], from: usize, len: usize) -> usize {
    let mut end = from.saturating_add(len).min(bytes.len());
    // At most three continuation bytes (10xxxxxx) follow a character's first byte.
    for _ in 0..3 {
        if end > from && end < bytes.len() && bytes[end] & 0xC0 == 0x80 {
            end -= 1;
        }
    }
    if end == from {
        from.saturating_add(len).min(bytes.len())
    } else {
        end
    }
}

impl Decoded {
    /// A file already known to be UTF-8 (`utf8`) or not, without another pass over it.
    /// When it is not, `bytes` must be the Windows-1252 text already decoded (see
    /// [`decode_windows_1252`]); `encoding` says which it was for the notice.
    pub fn new(bytes: Vec<u8>, encoding: Encoding) -> Self {
        let start = if encoding == Encoding::Utf8WithBom && bytes.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let delimiter = detect_delimiter(&bytes[start..]);
        Decoded {
            text: bytes,
            start,
            encoding,
            delimiter,
        }
    }

    /// The text after any byte-order mark.
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text[self.start..]).unwrap_or("")
    }
}

/// Whether a file is read as Windows-1252: it is not UTF-8 (spreadsheets on Windows save
/// "CSV" in the ANSI code page) and does not claim to be (no UTF-8 byte-order mark).
pub fn reads_as_windows_1252(bytes: &[u8], utf8: bool) -> bool {
    !utf8 && !bytes.starts_with(BOM)
}

/// Reads a whole file whose bytes are known to be (`utf8`) or not to be valid UTF-8.
/// UTF-8 (with or without a byte-order mark) is used as it is, without a copy; a file
/// that starts with the UTF-8 mark but breaks it later is read as UTF-8 with the broken
/// bytes replaced; anything else is read as Windows-1252.
pub fn decode_known(bytes: Vec<u8>, utf8: bool) -> Decoded {
    if reads_as_windows_1252(&bytes, utf8) {
        let mut text = String::new();
        decode_windows_1252(&bytes, &mut text);
        Decoded::new(text.into_bytes(), Encoding::Windows1252)
    } else if !utf8 {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Decoded::new(text.into_bytes(), Encoding::Utf8WithBom)
    } else if bytes.starts_with(BOM) {
        Decoded::new(bytes, Encoding::Utf8WithBom)
    } else {
        Decoded::new(bytes, Encoding::Utf8)
    }
}

/// [`decode_known`] for a file not checked yet.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    let utf8 = std::str::from_utf8(&bytes).is_ok();
    decode_known(bytes, utf8)
}

/// The separator the header line uses most outside quotes: `,`, Excel's `;` (locales that
/// write decimals with a comma) or a tab (tab-separated text, Excel's "Unicode Text");
/// `,` on a tie.
fn detect_delimiter(text: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut tabs, mut quoted) = (0, 0, 0, false);
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            b'\t' if !quoted => tabs += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    if tabs > commas && tabs > semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("email\nzoë@example.com\n".into());
        assert_eq!(plain.encoding, Encoding::Utf8);
        let bom = decode(b"\xEF\xBB\xBFemail\r\n".to_vec());
        assert_eq!(bom.encoding, Encoding::Utf8WithBom);
        assert_eq!(bom.as_str(), "email\r\n");
    }

    #[test]
    fn windows_1252_is_detected_and_read_right() {
        // "Zoë Müller – €" as Excel on Windows writes it.
        let bytes = b"first_name\nZo\xEB M\xFCller \x96 \x80\n";
        let decoded = decode(bytes.to_vec());
        assert_eq!(decoded.encoding, Encoding::Windows1252);
        assert_eq!(decoded.as_str(), "first_name\nZoë Müller – €\n");
    }

    #[test]
    fn semicolons_are_detected_from_the_header() {
        assert_eq!(
            decode(b"user_id;first_name;email\n".to_vec()).delimiter,
            b';'
        );
        assert_eq!(
            decode(b"user_id,first_name,email\n".to_vec()).delimiter,
            b','
        );
        assert_eq!(decode(b"\"a;b\",c\n".to_vec()).delimiter, b',');
        assert_eq!(decode(b"user_id\tfirst_name\n".to_vec()).delimiter, b'\t');
    }

    #[test]
    fn pieces_never_cut_a_character() {
        let text = "aé€😀b".repeat(50);
        let bytes = text.as_bytes();
        for len in 1..9 {
            let mut from = 0;
            let mut whole = String::new();
            while from < bytes.len() {
                let end = piece_end(bytes, from, len);
                assert!(end > from);
                whole.push_str(std::str::from_utf8(&bytes[from..end]).unwrap_or_else(|_| {
                    // A piece shorter than one character is the only excuse.
                    assert!(len < 4);
                    ""
                }));
                from = end;
            }
            if len >= 4 {
                assert_eq!(whole, text);
            }
        }
    }
}
