//! Turning the bytes people upload into text: UTF-8 with or without a byte-order mark,
//! or Excel's Windows-1252 (detected, and said), and `,`, Excel's `;` or a tab as separator.

/// A file's text, ready for the CSV reader: UTF-8, a byte-order mark at `start` skipped
/// rather than copied away (a million-row file is 100 MB, and the rows read from it are
/// kept as places in this text, see `parse::RowCells`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
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
    /// A file's text, decoded from `encoding` (said in a notice when it is not UTF-8).
    pub fn new(text: String, encoding: Encoding) -> Self {
        let start = if text.starts_with('\u{feff}') {
            BOM.len()
        } else {
            0
        };
        let encoding = match encoding {
            Encoding::Utf8 | Encoding::Utf8WithBom if start > 0 => Encoding::Utf8WithBom,
            other => other,
        };
        let delimiter = detect_delimiter(&text.as_bytes()[start..]);
        Decoded {
            text,
            start,
            encoding,
            delimiter,
        }
    }

    /// The text after any byte-order mark.
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.text[self.start..]
    }
}

/// A file's bytes checked for UTF-8 a piece at a time: the page pauses between pieces, so
/// that a 100 MB file never holds it for long, and the text is then used where it lies.
pub struct Utf8Pieces {
    bytes: Vec<u8>,
    /// How far the bytes were checked, from the start, and whether all of that was UTF-8.
    checked: usize,
    valid: bool,
}

impl Utf8Pieces {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            checked: 0,
            valid: true,
        }
    }

    /// How many bytes, from the first, are checked.
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Checks the next piece of about `len` bytes (never cutting a character) and returns
    /// it; an empty piece once every byte is checked.
    pub fn check_next(&mut self, len: usize) -> &[u8] {
        let from = self.checked;
        let end = piece_end(&self.bytes, from, len);
        let piece = &self.bytes[from..end];
        self.valid = self.valid && std::str::from_utf8(piece).is_ok();
        self.checked = end;
        piece
    }

    /// The text, when every piece was UTF-8; otherwise the bytes, to be read another way.
    #[allow(unsafe_code)]
    pub fn finish(self) -> Result<String, Vec<u8>> {
        if self.valid && self.checked == self.bytes.len() {
            // SAFETY: `check_next` checked every byte with `str::from_utf8`, in pieces that
            // follow one another from the first byte to the last (`checked` only moves to
            // the end of the piece it checked, and equals the length here); valid UTF-8
            // pieces put together are valid UTF-8. Checking again would be a second pass
            // over up to 100 MB, in one task the page cannot pause.
            Ok(unsafe { String::from_utf8_unchecked(self.bytes) })
        } else {
            Err(self.bytes)
        }
    }
}

/// Whether a file that is not UTF-8 is read as Windows-1252 (spreadsheets on Windows save
/// "CSV" in the ANSI code page): when it does not claim to be UTF-8 (no byte-order mark).
pub fn reads_as_windows_1252(bytes: &[u8]) -> bool {
    !bytes.starts_with(BOM)
}

/// Reads a file that is not valid UTF-8: as UTF-8 with the broken bytes replaced when it
/// starts with the UTF-8 mark, otherwise as Windows-1252.
pub fn decode_not_utf8(bytes: Vec<u8>) -> Decoded {
    if reads_as_windows_1252(&bytes) {
        let mut text = String::new();
        decode_windows_1252(&bytes, &mut text);
        Decoded::new(text, Encoding::Windows1252)
    } else {
        Decoded::new(
            String::from_utf8_lossy(&bytes).into_owned(),
            Encoding::Utf8WithBom,
        )
    }
}

/// Reads a whole file: UTF-8 (with or without a byte-order mark) as it is, without a copy;
/// anything else as [`decode_not_utf8`] says.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    match String::from_utf8(bytes) {
        Ok(text) => Decoded::new(text, Encoding::Utf8),
        Err(e) => decode_not_utf8(e.into_bytes()),
    }
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
    fn utf8_checked_in_pieces_is_the_text_only_when_every_piece_is() {
        let check = |bytes: &[u8], len: usize| {
            let mut pieces = Utf8Pieces::new(bytes.to_vec());
            let mut seen = Vec::new();
            loop {
                let piece = pieces.check_next(len);
                if piece.is_empty() {
                    break;
                }
                seen.extend_from_slice(piece);
            }
            assert_eq!(seen, bytes, "the pieces are the file, in order");
            pieces.finish()
        };
        let text = "Zoë, Müller – €😀\n".repeat(40);
        // Pieces shorter than a character cut it: the check then says no, never wrongly yes.
        for len in [1, 3] {
            assert!(check(text.as_bytes(), len).is_err());
        }
        for len in [4, 7, 64, 1 << 20] {
            assert_eq!(check(text.as_bytes(), len), Ok(text.clone()));
            // One broken byte anywhere, even in the last piece, and it is not.
            for at in [0, text.len() / 2, text.len() - 1] {
                let mut broken = text.clone().into_bytes();
                broken[at] = 0xFF;
                assert_eq!(check(&broken, len), Err(broken.clone()));
            }
        }
        assert_eq!(check(b"", 8), Ok(String::new()));
        // Nothing checked yet is not UTF-8 yet.
        assert!(Utf8Pieces::new(b"abc".to_vec()).finish().is_err());
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
