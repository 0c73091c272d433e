//! A small namespace-resolved element tree, read with quick-xml's `NsReader`.
//!
//! Every element is known by (namespace URI, local name), never by its prefix (SPEC 3.1).
//! Hostile input is refused while reading (SPEC 7.3): DTDs (so no entity expansion can exist),
//! processing instructions, undeclared entities, nesting deeper than `MAX_DEPTH`.

use std::sync::Arc;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// The deepest nesting a valid request needs is 7 (Envelope/Body/SubmitReadings/Reading/Work/
/// Description, or the WS-Security header); anything much deeper is an attack or a mistake.
pub const MAX_DEPTH: usize = 16;

/// A name or namespace URI, shared by every element and attribute of the document that has
/// it: a 1000-reading request has 14,000 elements but about 20 distinct names.
pub type Name = Arc<str>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub namespace: Option<Name>,
    pub name: Name,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    /// The character data directly inside this element, concatenated. Between child elements,
    /// whitespace alone is layout, not content, and is left out.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub namespace: Option<Name>,
    pub name: Name,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the request is not UTF-8 text (invalid byte at offset {0}); send UTF-8 encoded XML")]
    NotUtf8(usize),
    #[error("the XML declares encoding '{0}'; only UTF-8 is accepted")]
    UnsupportedEncoding(String),
    #[error("a DOCTYPE is not allowed in a SOAP message (SOAP forbids DTDs); remove it")]
    DoctypeForbidden,
    #[error("processing instructions are not allowed in a SOAP message; remove '<?{0}?>'")]
    ProcessingInstruction(String),
    #[error("the entity '&{0};' is not defined; only &lt; &gt; &amp; &apos; &quot; and character references are allowed")]
    UndefinedEntity(String),
    #[error("the XML nests deeper than {MAX_DEPTH} elements")]
    TooDeep,
    #[error("the prefix of '{0}' is not bound to a namespace; declare it with xmlns")]
    UnboundPrefix(String),
    #[error("the request body is empty; send a SOAP envelope")]
    Empty,
    #[error("the character U+{0:04X} is not allowed in XML 1.0; remove it (control characters cannot travel in XML)")]
    ForbiddenCharacter(u32),
    #[error("the XML is not well-formed: {0}")]
    Malformed(String),
}

impl Element {
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        &*self.name == name && self.namespace.as_deref() == Some(namespace)
    }

    /// The value of an attribute in no namespace, or in the given one.
    pub fn attribute(&self, namespace: Option<&str>, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| &*a.name == name && a.namespace.as_deref() == namespace)
            .map(|a| a.value.as_str())
    }

    pub fn child(&self, namespace: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(namespace, name))
    }

    pub fn children_named<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(namespace, name))
    }

    /// `{namespace}name`, the way faults name an element unambiguously.
    pub fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.to_string(),
        }
    }
}

/// Parses a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8(e.valid_up_to()))?;
    // Stored values are echoed in receipts: a control character would make them unreadable.
    check_chars(text)?;
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    config.check_comments = true;

    let mut names = Names::default();
    let mut text = Text::default();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        match event {
            Event::Start(start) => {
                text.open();
                if root.is_some() {
                    return Err(XmlError::Malformed("content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let namespace = names.namespace_of(resolved, start.name().0)?;
                let name = names.get(start.local_name().into_inner())?;
                let mut attributes = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
                    let key = attr.key;
                    if key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (resolved, local) = reader.resolve_attribute(key);
                    let namespace = names.namespace_of(resolved, key.0)?;
                    let value = attr.unescape_value().map_err(entity_error)?.into_owned();
                    check_chars(&value)?;
                    attributes.push(Attribute {
                        namespace,
                        name: names.get(local.into_inner())?,
                        value,
                    });
                }
                stack.push(Element {
                    namespace,
                    name,
                    attributes,
                    children: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(_) => {
                let mut done = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("unexpected end tag".into()))?;
                text.end(&mut done);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let content = t
                    .xml10_content()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                text.push(&mut stack, &content)?;
            }
            Event::CData(c) => {
                let content = c.decode().map_err(|e| XmlError::Malformed(e.to_string()))?;
                text.push(&mut stack, &content)?;
            }
            Event::GeneralRef(r) => {
                let resolved = if let Some(ch) = r
                    .resolve_char_ref()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?
                {
                    check_chars(ch.encode_utf8(&mut [0; 4]))?;
                    ch.to_string()
                } else {
                    let name = utf8(&r)?;
                    quick_xml::escape::resolve_predefined_entity(name)
                        .ok_or_else(|| XmlError::UndefinedEntity(name.to_owned()))?
                        .to_owned()
                };
                text.push(&mut stack, &resolved)?;
            }
            Event::Decl(_) if root.is_some() || !stack.is_empty() => {
                return Err(XmlError::Malformed(
                    "an XML declaration may only open the document".into(),
                ))
            }
            Event::Decl(decl) => {
                if let Some(encoding) = decl.encoding() {
                    let encoding = encoding.map_err(|e| XmlError::Malformed(e.to_string()))?;
                    let encoding = String::from_utf8_lossy(&encoding).into_owned();
                    if !encoding.eq_ignore_ascii_case("utf-8") {
                        return Err(XmlError::UnsupportedEncoding(encoding));
                    }
                }
            }
            Event::DocType(_) => return Err(XmlError::DoctypeForbidden),
            Event::PI(pi) => {
                return Err(XmlError::ProcessingInstruction(
                    String::from_utf8_lossy(pi.target()).into_owned(),
                ))
            }
            Event::Comment(_) => {}
            Event::Empty(_) => unreachable!("expand_empty_elements is on"),
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed(format!(
            "the document ends inside <{}>",
            stack.last().map(|e| &*e.name).unwrap_or_default()
        )));
    }
    root.ok_or(XmlError::Empty)
}

/// XML 1.0's Char production: tab, newline, carriage return, and from U+0020 on, without
/// U+FFFE and U+FFFF (Rust's char already excludes surrogates). Scanned as bytes: the
/// forbidden characters are ASCII controls and the UTF-8 sequences EF BF BE and EF BF BF, and a
/// byte scan costs a fraction of decoding every character.
fn check_chars(text: &str) -> Result<(), XmlError> {
    let bytes = text.as_bytes();
    // Almost no document has a byte that could start a forbidden character: one branch-free
    // pass, which the compiler vectorises, says so; the search below runs only when it must.
    let suspect = bytes.iter().fold(false, |seen, &b| {
        seen | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF)
    });
    if !suspect {
        return Ok(());
    }
    let forbidden = bytes.iter().enumerate().find_map(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => None,
        0..=0x1F => Some(u32::from(b)),
        0xEF if bytes.get(i + 1) == Some(&0xBF) => match bytes.get(i + 2) {
            Some(0xBE) => Some(0xFFFE),
            Some(0xBF) => Some(0xFFFF),
            _ => None,
        },
        _ => None,
    });
    match forbidden {
        Some(c) => Err(XmlError::ForbiddenCharacter(c)),
        None => Ok(()),
    }
}

/// Where character data goes. Whitespace alone at the start of an element is held back until
/// the element shows whether it holds elements (the whitespace is layout, and dropped) or is a
/// leaf (the whitespace is its value): the containers of a request then allocate no text.
#[derive(Default)]
struct Text {
    /// The whitespace held back for the innermost open element; emptied at each tag.
    blank: String,
}

impl Text {
    fn push(&mut self, stack: &mut [Element], content: &str) -> Result<(), XmlError> {
        let Some(current) = stack.last_mut() else {
            return match content.trim().is_empty() {
                true => Ok(()),
                false => Err(XmlError::Malformed("text outside the root element".into())),
            };
        };
        let blank = content
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        if blank && !current.children.is_empty() {
            // layout between child elements
        } else if blank && current.text.is_empty() {
            self.blank.push_str(content);
        } else {
            current.text.push_str(&self.blank);
            self.blank.clear();
            current.text.push_str(content);
        }
        Ok(())
    }

    /// A child element opens: what was held back was layout.
    fn open(&mut self) {
        self.blank.clear();
    }

    /// A leaf keeps its whitespace-only value.
    fn end(&mut self, element: &mut Element) {
        if element.children.is_empty() {
            element.text.push_str(&self.blank);
        }
        self.blank.clear();
    }
}

/// The names and namespaces of one document, each allocated once. A list, not a map: a
/// document has a few dozen, and comparing short names beats hashing them.
#[derive(Default)]
struct Names(Vec<Name>);

impl Names {
    fn get(&mut self, bytes: &[u8]) -> Result<Name, XmlError> {
        if let Some(name) = self.0.iter().find(|n| n.as_bytes() == bytes) {
            return Ok(name.clone());
        }
        let name = Name::from(utf8(bytes)?);
        self.0.push(name.clone());
        Ok(name)
    }

    fn namespace_of(
        &mut self,
        resolved: ResolveResult<'_>,
        qname: &[u8],
    ) -> Result<Option<Name>, XmlError> {
        match resolved {
            ResolveResult::Bound(ns) => Ok(Some(self.get(ns.into_inner())?)),
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Unknown(_) => Err(XmlError::UnboundPrefix(
                String::from_utf8_lossy(qname).into_owned(),
            )),
        }
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, XmlError> {
    std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8(e.valid_up_to()))
}

fn entity_error(e: quick_xml::Error) -> XmlError {
    match e {
        quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => {
            XmlError::UndefinedEntity(name)
        }
        other => XmlError::Malformed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_known_by_namespace_whatever_the_prefix() {
        for doc in [
            r#"<a:Root xmlns:a="urn:x"><a:Child>1</a:Child></a:Root>"#,
            r#"<Root xmlns="urn:x"><Child>1</Child></Root>"#,
            r#"<zz:Root xmlns:zz="urn:x"><Child xmlns="urn:x">1</Child></zz:Root>"#,
        ] {
            let root = parse(doc.as_bytes()).unwrap();
            assert!(root.is("urn:x", "Root"), "{doc}");
            assert_eq!(root.child("urn:x", "Child").unwrap().text, "1", "{doc}");
        }
    }

    #[test]
    fn a_doctype_is_refused_so_no_entity_can_be_expanded() {
        let doc =
            r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert_eq!(parse(doc.as_bytes()), Err(XmlError::DoctypeForbidden));
    }

    #[test]
    fn an_undeclared_entity_is_refused_and_predefined_ones_are_resolved() {
        assert_eq!(
            parse(b"<a>&ext;</a>"),
            Err(XmlError::UndefinedEntity("ext".into()))
        );
        let root = parse(b"<a x='&lt;&#65;'>&amp;&#x42;&gt;</a>").unwrap();
        assert_eq!(root.text, "&B>");
        assert_eq!(root.attribute(None, "x"), Some("<A"));
    }

    #[test]
    fn processing_instructions_and_deep_nesting_are_refused() {
        assert!(matches!(
            parse(b"<a><?php echo 1 ?></a>"),
            Err(XmlError::ProcessingInstruction(_))
        ));
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn non_utf8_bytes_and_other_encodings_are_refused() {
        assert_eq!(parse(b"<a>\xff</a>"), Err(XmlError::NotUtf8(3)));
        assert!(matches!(
            parse(br#"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#),
            Err(XmlError::UnsupportedEncoding(_))
        ));
        assert!(parse(br#"<?xml version="1.0" encoding="utf-8"?><a/>"#).is_ok());
    }

    #[test]
    fn characters_xml_forbids_are_refused_raw_or_as_references() {
        for doc in [
            "<a>P-\u{1}-2</a>",
            "<a>&#1;</a>",
            "<a>&#xFFFE;</a>",
            "<a x='&#31;'/>",
            "<a\u{1}b/>",
            "<a>\u{FFFF}</a>",
        ] {
            assert!(
                matches!(parse(doc.as_bytes()), Err(XmlError::ForbiddenCharacter(_))),
                "{doc:?}"
            );
        }
        assert_eq!(
            parse("<a>\t\n\r&#9;&#xA;</a>".as_bytes()).unwrap().text,
            "\t\n\n\t\n"
        );
    }

    #[test]
    fn a_forbidden_character_is_found_wherever_it_is_in_a_long_document() {
        // The first pass reads the bytes in blocks: every place in a block, and the tail.
        for at in 0..200 {
            for forbidden in ["\u{1}", "\u{FFFE}"] {
                let doc = format!(
                    "<a>{}{forbidden}{}</a>",
                    "x".repeat(at),
                    "y".repeat(200 - at)
                );
                assert!(
                    matches!(parse(doc.as_bytes()), Err(XmlError::ForbiddenCharacter(_))),
                    "{forbidden:?} after {at} bytes"
                );
            }
        }
    }

    #[test]
    fn the_last_characters_before_the_forbidden_ones_are_accepted() {
        // U+FFFD (EF BF BD) is the last character before U+FFFE; U+10000 follows U+FFFF.
        let root = parse("<a>\u{FFFD}\u{10000}\u{20}\u{7F}</a>".as_bytes()).unwrap();
        assert_eq!(root.text, "\u{FFFD}\u{10000} \u{7F}");
        assert_eq!(
            parse("<a>\u{1F}</a>".as_bytes()),
            Err(XmlError::ForbiddenCharacter(0x1F))
        );
        assert_eq!(
            parse("<a>x\u{FFFF}</a>".as_bytes()),
            Err(XmlError::ForbiddenCharacter(0xFFFF))
        );
    }

    #[test]
    fn whitespace_is_a_leaf_value_but_layout_between_elements() {
        let root =
            parse(b"<a>\n  <b>  </b>\n  <c> x </c>\n  <d>  &amp;</d><e>&amp;  </e>\n</a>").unwrap();
        assert_eq!(root.text, "");
        let text = |name| {
            root.children
                .iter()
                .find(|e| &*e.name == name)
                .unwrap()
                .text
                .as_str()
        };
        assert_eq!(text("b"), "  ");
        assert_eq!(text("c"), " x ");
        assert_eq!(text("d"), "  &");
        assert_eq!(text("e"), "&  ");
        // Text beside elements stays, so that a schema can refuse it.
        assert_eq!(parse(b"<a> x <b/> </a>").unwrap().text, " x ");
    }

    #[test]
    fn an_xml_declaration_inside_the_document_is_malformed() {
        assert!(matches!(
            parse(br#"<a><?xml version="1.0"?></a>"#),
            Err(XmlError::Malformed(_))
        ));
    }

    #[test]
    fn broken_documents_are_malformed() {
        for doc in ["", "<a>", "<a></b>", "<a/><b/>", "text", "<p:a/>"] {
            assert!(parse(doc.as_bytes()).is_err(), "{doc:?}");
        }
    }
}
