//! The AT parameter list of a set command (`AT+X=<p0>,<p1>,...`).
//!
//! ESP-AT reference §3 "Parameters": strings are double-quoted, integers bare, an omitted
//! parameter still keeps its comma, and inside strings `\\`, `\,`, `\"` and `\<any>` drop the backslash.

/// One comma-separated parameter, as written on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// Nothing between the commas (`,,`).
    Omitted,
    /// A double-quoted string, already unescaped.
    Quoted(Vec<u8>),
    /// Unquoted text, e.g. an integer.
    Bare(Vec<u8>),
    /// Begins with a quote but is no string: no closing quote, or text after it.
    Malformed,
}

/// The parsed parameters of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params(Vec<Param>);

impl Params {
    /// Splits the text after `=` into parameters.
    pub fn parse(text: &[u8]) -> Self {
        let mut items = Vec::new();
        let mut rest = text;
        loop {
            let (param, tail) = parse_one(rest);
            items.push(param);
            match tail {
                Some(t) => rest = t,
                None => return Self(items),
            }
        }
    }

    /// How many parameters the line carried (an omitted one counts).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no parameters at all (never true for parsed input: `=` alone is one omitted parameter).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parameter at `index`, if present.
    pub fn get(&self, index: usize) -> Option<&Param> {
        self.0.get(index)
    }

    /// The unescaped bytes of a quoted string; `None` when missing, omitted, bare or malformed.
    pub fn string(&self, index: usize) -> Option<&[u8]> {
        match self.get(index) {
            Some(Param::Quoted(bytes)) => Some(bytes),
            _ => None,
        }
    }

    /// Whether the parameter at `index` begins with a quote but is no string (ESP-AT's core cannot parse it).
    pub fn is_malformed(&self, index: usize) -> bool {
        matches!(self.get(index), Some(Param::Malformed))
    }

    /// A quoted string that is valid UTF-8 (topics, ids, host names).
    pub fn text(&self, index: usize) -> Option<&str> {
        self.string(index).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// A bare decimal integer; `None` when missing, omitted, quoted or not a number.
    pub fn int(&self, index: usize) -> Option<i64> {
        match self.get(index) {
            Some(Param::Bare(bytes)) => std::str::from_utf8(bytes).ok()?.parse().ok(),
            _ => None,
        }
    }
}

/// Parses one parameter; returns it and the text after its separator (`None` at the end of the line).
///
/// ESP-AT splits at every comma that no backslash escapes, inside quotes too: `"a,b"` is two
/// parameters, `"a` and `b"`, neither of them a string (esp-at#246, #364, #647). Only then is each
/// piece read as a quoted string or a bare value.
fn parse_one(text: &[u8]) -> (Param, Option<&[u8]>) {
    let end = separator(text);
    let (token, tail) = match end {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let param = match token {
        [] => Param::Omitted,
        [b'"', inner @ ..] => parse_quoted(inner),
        _ => Param::Bare(token.to_vec()),
    };
    (param, tail)
}

/// The index of the first comma not escaped by a backslash.
fn separator(text: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b',' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Reads the inside of a quoted parameter (the opening quote already consumed): the closing quote
/// must be its last byte.
fn parse_quoted(text: &[u8]) -> Param {
    let mut value = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            // ESP-AT reference §3: `\<any>` → `<any>` covers `\\`, `\,` and `\"` too.
            b'\\' if i + 1 < text.len() => {
                value.push(text[i + 1]);
                i += 2;
            }
            // A backslash as the last byte escapes nothing: the quote is never closed.
            b'\\' => return Param::Malformed,
            b'"' if i + 1 == text.len() => return Param::Quoted(value),
            // A quote that is not the last byte: text follows the closing quote.
            b'"' => return Param::Malformed,
            byte => {
                value.push(byte);
                i += 1;
            }
        }
    }
    Param::Malformed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Param {
        Param::Quoted(s.as_bytes().to_vec())
    }

    fn b(s: &str) -> Param {
        Param::Bare(s.as_bytes().to_vec())
    }

    #[test]
    fn splits_strings_and_integers() {
        let p = Params::parse(br#"0,"topic","data",1,0"#);
        assert_eq!(p.0, vec![b("0"), q("topic"), q("data"), b("1"), b("0")]);
        assert_eq!(p.int(0), Some(0));
        assert_eq!(p.text(1), Some("topic"));
        assert_eq!(p.int(3), Some(1));
    }

    #[test]
    fn unescapes_backslash_comma_quote_and_any() {
        let p = Params::parse(br#""a\\b\,c\"d\xe""#);
        assert_eq!(p.string(0), Some(&br#"a\b,c"dxe"#[..]));
    }

    #[test]
    fn escaped_comma_does_not_split() {
        let p = Params::parse(br#"0,"t","1\,2",0,0"#);
        assert_eq!(p.len(), 5);
        assert_eq!(p.string(2), Some(&b"1,2"[..]));
    }

    #[test]
    fn spec_json_example_unescapes() {
        // ESP-AT reference §3 example payload.
        let p = Params::parse(br#"0,"topic","\"{\"sensor\":012}\"",1,0"#);
        assert_eq!(p.string(2), Some(&br#""{"sensor":012}""#[..]));
    }

    #[test]
    fn empty_string_is_not_omitted() {
        let p = Params::parse(br#"0,"",,1"#);
        assert_eq!(p.0, vec![b("0"), q(""), Param::Omitted, b("1")]);
        assert_eq!(p.string(1), Some(&b""[..]));
        assert_eq!(p.string(2), None);
        assert_eq!(p.int(2), None);
    }

    #[test]
    fn missing_parameters_read_as_none() {
        let p = Params::parse(b"0");
        assert_eq!(p.len(), 1);
        assert_eq!(p.string(1), None);
        assert_eq!(p.int(5), None);
    }

    #[test]
    fn empty_text_is_one_omitted_parameter() {
        assert_eq!(Params::parse(b"").0, vec![Param::Omitted]);
        assert_eq!(Params::parse(b"0,").0, vec![b("0"), Param::Omitted]);
    }

    #[test]
    fn extra_parameters_are_counted() {
        let p = Params::parse(br#"0,"t",1,5000,7"#);
        assert_eq!(p.len(), 5);
    }

    #[test]
    fn type_mismatch_reads_as_none() {
        let p = Params::parse(br#""0",x1,1"#);
        assert_eq!(p.int(0), None, "a quoted integer is not an integer");
        assert_eq!(p.int(1), None);
        assert_eq!(p.string(2), None, "a bare value is not a string");
    }

    #[test]
    fn unterminated_or_trailing_text_is_malformed() {
        assert_eq!(Params::parse(br#"0,"abc"#).0, vec![b("0"), Param::Malformed]);
        let p = Params::parse(br#""ab"c,1"#);
        assert_eq!(p.0, vec![Param::Malformed, b("1")]);
    }

    #[test]
    fn unescaped_comma_splits_even_inside_quotes() {
        // esp-at#647: `"765933, 94875095"` is two parameters, neither a string.
        let p = Params::parse(br#"0,"t","765933, 94875095",0,0"#);
        assert_eq!(p.len(), 6);
        assert_eq!(p.0[2], Param::Malformed);
        assert_eq!(p.0[3], b(r#" 94875095""#));
        assert_eq!(p.int(4), Some(0));
    }

    #[test]
    fn escaped_closing_quote_or_trailing_backslash_leaves_the_string_open() {
        let p = Params::parse(br#"0,"abc\",0"#);
        assert_eq!(p.0, vec![b("0"), Param::Malformed, b("0")]);
        assert_eq!(Params::parse(br#"0,"abc\"#).0, vec![b("0"), Param::Malformed]);
        assert!(Params::parse(br#"0,"a"b""#).is_malformed(1));
        assert_eq!(Params::parse(br#""abc\\""#).string(0), Some(&br"abc\"[..]));
    }

    #[test]
    fn escape_of_any_byte_keeps_the_byte() {
        assert_eq!(Params::parse(br#""\n\0\x41""#).string(0), Some(&b"n0x41"[..]));
    }

    #[test]
    fn negative_integers_parse() {
        assert_eq!(Params::parse(b"-1").int(0), Some(-1));
    }
}
