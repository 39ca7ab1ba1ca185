//! A small XML tree for UBL documents, built with limits that refuse hostile input.
//!
//! DIAN documents never need a DTD, so any `<!DOCTYPE` is refused: that closes entity
//! expansion ("billion laughs") and external entities at once. Only the five predefined
//! entities and character references are accepted. Nesting depth, attribute count and size,
//! text size, element count and document size are bounded, and the input must be UTF-8.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::InvoiceError;

/// Namespace ids fixed for the namespaces the readers look elements up in; others are
/// interned after these.
pub(crate) mod ns {
    /// No namespace.
    pub const NONE: u16 = 0;
    /// `cbc`.
    pub const CBC: u16 = 1;
    /// `cac`.
    pub const CAC: u16 = 2;
    /// `ext`.
    pub const EXT: u16 = 3;
    /// `sts` (DIAN's structures).
    pub const STS: u16 = 4;
    /// The UBL namespace URIs, in id order from [`CBC`].
    pub const KNOWN: [&str; 4] = [
        "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
        "dian:gov:co:facturaelectronica:Structures-2-1",
    ];
}

/// The bounds a document must stay within.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest document, in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most elements in a document.
    pub max_elements: usize,
    /// Most attributes on one element (namespace declarations included).
    pub max_attributes: usize,
    /// Longest attribute value, in bytes.
    pub max_attribute_len: usize,
    /// Longest text of one element, in bytes (an embedded invoice in an `AttachedDocument`
    /// is one text).
    pub max_text_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 64 << 20,
            max_depth: 64,
            max_elements: 4_000_000,
            max_attributes: 64,
            max_attribute_len: 16 << 10,
            max_text_len: 48 << 20,
        }
    }
}

/// One element: its namespace id, local name, attributes (by local name), children and text.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub ns: u16,
    pub name: Box<str>,
    pub attrs: Vec<(Box<str>, Box<str>)>,
    pub children: Vec<Element>,
    pub text: String,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// The first child `ns:name`.
    pub fn child(&self, ns: u16, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.ns == ns && &*c.name == name)
    }

    /// Every child `ns:name`.
    pub fn children<'a>(&'a self, ns: u16, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| c.ns == ns && &*c.name == name)
    }

    /// Follows a path of `(ns, name)` steps, taking the first match at each.
    pub fn path(&self, steps: &[(u16, &str)]) -> Option<&Element> {
        steps
            .iter()
            .try_fold(self, |element, (ns, name)| element.child(*ns, name))
    }

    /// The attribute `name` (no namespace), if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| &**v)
    }

    /// The text, trimmed of surrounding white space.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// A parsed document: its root element and the namespace URIs by id.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Element,
    pub namespaces: Vec<Box<str>>,
}

impl Document {
    /// The namespace URI of an element.
    pub fn namespace_of(&self, element: &Element) -> &str {
        self.namespaces
            .get(usize::from(element.ns))
            .map_or("", |s| s)
    }
}

/// Parses `bytes` into a tree, refusing what the limits and the DTD rule forbid.
pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Document, InvoiceError> {
    if bytes.len() > limits.max_bytes {
        return Err(InvoiceError::Refused {
            line: 1,
            column: 1,
            reason: format!(
                "the document has {} bytes; at most {} are read",
                bytes.len(),
                limits.max_bytes
            ),
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let (line, column) = line_column(bytes, offset);
        InvoiceError::NotUtf8 {
            line,
            column,
            offset,
        }
    })?;
    Builder::new(text, limits).run()
}

/// 1-based line and column (in characters) of byte `offset`.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

struct Builder<'a> {
    text: &'a str,
    limits: &'a Limits,
    reader: NsReader<&'a [u8]>,
    namespaces: Vec<Box<str>>,
    stack: Vec<Element>,
    root: Option<Element>,
    elements: usize,
    /// Line counting is incremental: the offset counted up to and the line it is on.
    counted: usize,
    line: usize,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: &'a Limits) -> Builder<'a> {
        let mut namespaces: Vec<Box<str>> = vec!["".into()];
        namespaces.extend(ns::KNOWN.iter().map(|s| Box::<str>::from(*s)));
        Builder {
            text,
            limits,
            reader: NsReader::from_str(text),
            namespaces,
            stack: Vec::new(),
            root: None,
            elements: 0,
            counted: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset > self.counted {
            self.line += self.text.as_bytes()[self.counted..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.counted = offset;
        }
        self.line
    }

    fn refused(&self, offset: usize, reason: String) -> InvoiceError {
        let (line, column) = line_column(self.text.as_bytes(), offset);
        InvoiceError::Refused {
            line,
            column,
            reason,
        }
    }

    fn malformed(&self, offset: usize, message: String) -> InvoiceError {
        let (line, column) = line_column(self.text.as_bytes(), offset);
        InvoiceError::Malformed {
            line,
            column,
            message,
        }
    }

    fn intern(&mut self, uri: &str) -> u16 {
        if let Some(i) = self.namespaces.iter().position(|n| &**n == uri) {
            return u16::try_from(i).unwrap_or(u16::MAX);
        }
        self.namespaces.push(uri.into());
        u16::try_from(self.namespaces.len() - 1).unwrap_or(u16::MAX)
    }

    fn run(mut self) -> Result<Document, InvoiceError> {
        loop {
            let before = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
            let (resolved, event) = match self.reader.read_resolved_event() {
                Ok(pair) => pair,
                Err(e) => {
                    let at = usize::try_from(self.reader.error_position()).unwrap_or(before);
                    return Err(self.malformed(at, e.to_string()));
                }
            };
            let ns = match resolved {
                ResolveResult::Bound(n) => Some(n.0.to_string()),
                ResolveResult::Unbound => None,
                ResolveResult::Unknown(prefix) => {
                    return Err(self.malformed(
                        before,
                        format!("namespace prefix {prefix:?} is not declared"),
                    ));
                }
            };
            match event {
                Event::DocType(_) => {
                    return Err(self.refused(
                        before,
                        "a DOCTYPE (DTD) is not allowed in a DIAN document; entity \
                         declarations and external entities are refused"
                            .into(),
                    ));
                }
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding() {
                        let encoding = encoding.to_ascii_lowercase();
                        if encoding != "utf-8" && encoding != "utf8" {
                            return Err(self.refused(
                                before,
                                format!(
                                    "the declared encoding is {encoding:?}; DIAN documents are UTF-8"
                                ),
                            ));
                        }
                    }
                }
                Event::Start(start) => {
                    let element = self.open(&start, ns, before)?;
                    self.stack.push(element);
                }
                Event::Empty(start) => {
                    let element = self.open(&start, ns, before)?;
                    self.close(element);
                }
                Event::End(_) => {
                    if let Some(element) = self.stack.pop() {
                        self.close(element);
                    }
                }
                Event::Text(t) => {
                    let content = t.xml10_content();
                    self.push_text(&content, before)?;
                }
                Event::CData(c) => {
                    let content = c.xml10_content();
                    self.push_text(&content, before)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => match &*r.xml10_content() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "apos" => '\'',
                            "quot" => '"',
                            other => {
                                return Err(self.refused(
                                    before,
                                    format!(
                                        "the entity &{other}; is not one of XML's five predefined \
                                         entities (DTDs are refused, so none can be declared)"
                                    ),
                                ));
                            }
                        },
                        Err(e) => return Err(self.malformed(before, e.to_string())),
                    };
                    let mut buf = [0u8; 4];
                    let s: &str = resolved.encode_utf8(&mut buf);
                    self.push_text(s, before)?;
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        if let Some(open) = self.stack.last() {
            return Err(self.malformed(
                self.text.len(),
                format!(
                    "the document ends inside <{}> (opened at line {})",
                    open.name, open.line
                ),
            ));
        }
        match self.root {
            Some(root) => Ok(Document {
                root,
                namespaces: self.namespaces,
            }),
            None => Err(self.malformed(0, "there is no root element".into())),
        }
    }

    fn open(
        &mut self,
        start: &quick_xml::events::BytesStart<'_>,
        ns: Option<String>,
        offset: usize,
    ) -> Result<Element, InvoiceError> {
        if self.root.is_some() && self.stack.is_empty() {
            return Err(self.malformed(offset, "a second root element".into()));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.refused(
                offset,
                format!("elements nest deeper than {}", self.limits.max_depth),
            ));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(self.refused(
                offset,
                format!("more than {} elements", self.limits.max_elements),
            ));
        }
        let ns = match ns {
            Some(uri) => self.intern(&uri),
            None => ns::NONE,
        };
        let name: Box<str> = start.local_name().as_ref().into();
        let mut attrs = Vec::new();
        for (count, attr) in start.attributes().enumerate() {
            if count >= self.limits.max_attributes {
                return Err(self.refused(
                    offset,
                    format!(
                        "<{name}> has more than {} attributes",
                        self.limits.max_attributes
                    ),
                ));
            }
            let attr = attr.map_err(|e| self.malformed(offset, e.to_string()))?;
            if attr.value.len() > self.limits.max_attribute_len {
                return Err(self.refused(
                    offset,
                    format!(
                        "an attribute of <{name}> has {} bytes; at most {} are read",
                        attr.value.len(),
                        self.limits.max_attribute_len
                    ),
                ));
            }
            let key = attr.key;
            if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| {
                    self.refused(
                        offset,
                        format!("attribute {:?} of <{name}>: {e}", key.as_ref()),
                    )
                })?;
            attrs.push((key.local_name().as_ref().into(), value.as_ref().into()));
        }
        let line = self.line_at(offset);
        Ok(Element {
            ns,
            name,
            attrs,
            children: Vec::new(),
            text: String::new(),
            line,
        })
    }

    fn close(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
    }

    fn push_text(&mut self, content: &str, offset: usize) -> Result<(), InvoiceError> {
        let limit = self.limits.max_text_len;
        match self.stack.last_mut() {
            Some(element) => {
                // White space between child elements is layout, not content.
                if !element.children.is_empty() && content.trim().is_empty() {
                    return Ok(());
                }
                if element.text.len() + content.len() > limit {
                    let name = element.name.clone();
                    return Err(self.refused(
                        offset,
                        format!("the text of <{name}> is longer than {limit} bytes"),
                    ));
                }
                element.text.push_str(content);
                Ok(())
            }
            None if content.trim().is_empty() => Ok(()),
            None => Err(self.malformed(offset, "text outside the root element".into())),
        }
    }
}
