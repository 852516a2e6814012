//! A small, defensive XML layer: a reader that builds an element tree under
//! limits (no DTD, no entities beyond the five predefined ones, bounded
//! attribute and text sizes, bounded depth and element count), and the
//! escaping used by the writer.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::Limits;
use super::error::{RefiError, Result};

/// An element: local name (namespace prefix dropped), attributes by local
/// name, children in order, and its own text (character data directly
/// inside it, concatenated).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The value of an attribute, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this name, if present.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Decodes the bytes of an XML or text file: UTF-8 with or without a
/// byte-order mark, or UTF-16 (either order) with one. The mark is removed.
pub(crate) fn decode_text(file: &str, bytes: &[u8]) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(file, rest);
    }
    let utf16 = |rest: &[u8], big_endian: bool| -> Result<String> {
        if !rest.len().is_multiple_of(2) {
            return Err(RefiError::Encoding {
                file: file.to_owned(),
                reason: "UTF-16 text with an odd number of bytes".to_owned(),
            });
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|p| {
                if big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| RefiError::Encoding {
            file: file.to_owned(),
            reason: "invalid UTF-16 (unpaired surrogate)".to_owned(),
        })
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    utf8(file, bytes)
}

fn utf8(file: &str, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| RefiError::Encoding {
        file: file.to_owned(),
        reason: format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Parses a whole XML document into its root element, refusing DTDs,
/// undeclared entities and anything past the limits.
pub(crate) fn parse(file: &str, text: &str, limits: &Limits) -> Result<Element> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let xml_error = |reader: &Reader<&[u8]>, reason: String| RefiError::Xml {
        file: file.to_owned(),
        position: reader.error_position(),
        reason,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(&reader, e.to_string()))?;
        match event {
            Event::DocType(_) => {
                return Err(RefiError::DocType {
                    file: file.to_owned(),
                    position: reader.buffer_position(),
                });
            }
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                return Err(xml_error(
                    &reader,
                    "content after the root element".to_owned(),
                ));
            }
            Event::Start(start) => {
                count += 1;
                check_count(file, count, stack.len() + 1, limits)?;
                stack.push(element(file, &start, limits)?);
            }
            Event::Empty(start) => {
                count += 1;
                check_count(file, count, stack.len() + 1, limits)?;
                let element = element(file, &start, limits)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(xml_error(&reader, "unexpected closing tag".to_owned()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                push_text(file, &mut stack, &content, limits)?;
            }
            Event::CData(data) => {
                let content = data.xml10_content();
                push_text(file, &mut stack, &content, limits)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = reference.into_inner();
                        match predefined(&name) {
                            Some(c) => c.to_owned(),
                            None => {
                                return Err(RefiError::Entity {
                                    file: file.to_owned(),
                                    position: reader.buffer_position(),
                                    name: name.chars().take(64).collect(),
                                });
                            }
                        }
                    }
                    Err(e) => return Err(xml_error(&reader, e.to_string())),
                };
                push_text(file, &mut stack, &resolved, limits)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(RefiError::Xml {
            file: file.to_owned(),
            position: reader.buffer_position(),
            reason: "the document ends inside an element".to_owned(),
        });
    }
    root.ok_or_else(|| RefiError::Xml {
        file: file.to_owned(),
        position: 0,
        reason: "no root element".to_owned(),
    })
}

fn predefined(name: &str) -> Option<&'static str> {
    match name {
        "amp" => Some("&"),
        "lt" => Some("<"),
        "gt" => Some(">"),
        "quot" => Some("\""),
        "apos" => Some("'"),
        _ => None,
    }
}

fn check_count(file: &str, count: usize, depth: usize, limits: &Limits) -> Result<()> {
    if depth > limits.max_depth {
        return Err(RefiError::TooComplex {
            file: file.to_owned(),
            reason: format!("elements nest deeper than {} levels", limits.max_depth),
        });
    }
    if count > limits.max_elements {
        return Err(RefiError::TooComplex {
            file: file.to_owned(),
            reason: format!("more than {} elements", limits.max_elements),
        });
    }
    Ok(())
}

/// Text may only be long inside elements that hold source text.
fn text_limit(element: &str, limits: &Limits) -> usize {
    if element == "PlainTextContent" {
        usize::try_from(limits.max_entry_bytes).unwrap_or(usize::MAX)
    } else {
        limits.max_text_bytes
    }
}

fn push_text(file: &str, stack: &mut [Element], text: &str, limits: &Limits) -> Result<()> {
    let Some(current) = stack.last_mut() else {
        // Whitespace (or a stray reference) outside the root element.
        if text.trim().is_empty() {
            return Ok(());
        }
        return Err(RefiError::Xml {
            file: file.to_owned(),
            position: 0,
            reason: "text outside the root element".to_owned(),
        });
    };
    let limit = text_limit(&current.name, limits);
    if current.text.len() + text.len() > limit {
        return Err(RefiError::TextTooLong {
            file: file.to_owned(),
            element: current.name.clone(),
            limit,
        });
    }
    current.text.push_str(text);
    Ok(())
}

fn element(file: &str, start: &BytesStart<'_>, limits: &Limits) -> Result<Element> {
    let name = start.local_name().into_inner().to_owned();
    if name.len() > 256 {
        return Err(RefiError::TooComplex {
            file: file.to_owned(),
            reason: "an element name is longer than 256 bytes".to_owned(),
        });
    }
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| RefiError::Xml {
            file: file.to_owned(),
            position: 0,
            reason: format!("attribute of <{name}>: {e}"),
        })?;
        let qualified = attribute.key.into_inner();
        let key = attribute.key.local_name().into_inner().to_owned();
        if attribute.value.len() > limits.max_attribute_bytes {
            return Err(RefiError::AttributeTooLong {
                file: file.to_owned(),
                element: name,
                attribute: key.chars().take(64).collect(),
                limit: limits.max_attribute_bytes,
            });
        }
        if qualified == "xmlns" || qualified.starts_with("xmlns:") {
            // Namespace declarations keep their qualified name.
            attributes.push((qualified.to_owned(), attribute.value.into_owned()));
            continue;
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| match e {
                quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                    _,
                    entity,
                )) => RefiError::Entity {
                    file: file.to_owned(),
                    position: 0,
                    name: entity.chars().take(64).collect(),
                },
                other => RefiError::Xml {
                    file: file.to_owned(),
                    position: 0,
                    reason: format!("attribute {key} of <{name}>: {other}"),
                },
            })?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

/// Whether a character may appear in an XML 1.0 document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for an attribute value in double quotes. Tabs and line
/// breaks are written as character references so that attribute-value
/// normalisation keeps them; characters XML cannot carry are dropped.
pub(crate) fn attr_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes element text; carriage returns become references so that
/// end-of-line normalisation keeps them.
pub(crate) fn text_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Element> {
        parse("test.xml", text, &Limits::default())
    }

    #[test]
    fn builds_a_tree_with_references_resolved() {
        let root = parse_str(
            "<?xml version=\"1.0\"?>\r\n<a xmlns=\"urn:x\" n=\"x &amp; y&#10;z\"><b>1 &lt; 2 &#x1F642;</b><c/></a>",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("n"), Some("x & y\nz"));
        assert_eq!(root.child_text("b"), Some("1 < 2 🙂"));
        assert!(root.child("c").is_some());
    }

    #[test]
    fn refuses_doctype_and_unknown_entities() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>";
        assert!(matches!(parse_str(bomb), Err(RefiError::DocType { .. })));
        let undeclared = "<a>&x;</a>";
        assert!(matches!(
            parse_str(undeclared),
            Err(RefiError::Entity { .. })
        ));
        let in_attribute = "<a b=\"&x;\"/>";
        assert!(matches!(
            parse_str(in_attribute),
            Err(RefiError::Entity { .. })
        ));
    }

    #[test]
    fn refuses_malformed_and_deep_documents() {
        assert!(matches!(
            parse_str("<a><b></a>"),
            Err(RefiError::Xml { .. })
        ));
        assert!(parse_str("<a></a><b/>").is_err());
        let deep = "<a>".repeat(200) + &"</a>".repeat(200);
        assert!(matches!(
            parse_str(&deep),
            Err(RefiError::TooComplex { .. })
        ));
    }

    #[test]
    fn escaping_round_trips_through_the_parser() {
        let tricky = "a\"b<c>&d\te\r\nf";
        let doc = format!(
            "<a v=\"{}\">{}</a>",
            attr_escape(tricky),
            text_escape(tricky)
        );
        let root = parse_str(&doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(root.attr("v"), Some(tricky));
        assert_eq!(root.text, tricky);
    }

    #[test]
    fn decodes_boms_and_utf16() {
        assert_eq!(
            decode_text("f", b"\xEF\xBB\xBFabc").ok().as_deref(),
            Some("abc")
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é🙂".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text("f", &utf16).ok().as_deref(), Some("é🙂"));
        assert!(matches!(
            decode_text("f", b"ab\xFF"),
            Err(RefiError::Encoding { .. })
        ));
    }
}
