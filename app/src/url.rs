//! Building links: the one percent-encoding of Roster's query strings.

/// `value` as a query-string value: unreserved characters and `/` (allowed in a query,
/// and readable in `?next=/organization`) stay, every other byte is `%XX`.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_what_a_query_value_cannot_hold() {
        assert_eq!(super::encode("/organization"), "/organization");
        assert_eq!(super::encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(super::encode("Zoë"), "Zo%C3%AB");
    }
}
