//! One response tree written as either of the formats GeoReport v2 offers: JSON, or XML
//! whose lists are wrapped in a plural element (`<services><service>…`).

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `services.json` into `("services", Json)`; `None` for any other extension.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        let format = match ext {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        Some((name, format))
    }
}

/// A value in a response.
#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    Object(Vec<(&'static str, Node)>),
    /// A list, and the XML element name of each item.
    List(&'static str, Vec<Node>),
}

impl Node {
    pub fn text(value: impl Into<String>) -> Node {
        Node::Text(value.into())
    }

    pub fn opt(value: Option<impl Into<String>>) -> Node {
        value.map(|v| Node::Text(v.into())).unwrap_or(Node::Null)
    }

    fn to_json(&self) -> Value {
        match self {
            Node::Text(t) => Value::String(t.clone()),
            Node::Number(n) => serde_json::Number::from_f64(*n)
                .map(|n| {
                    // Whole numbers (codes, orders) are written without a decimal point.
                    if n.as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    {
                        Value::from(n.as_f64().unwrap_or_default() as i64)
                    } else {
                        Value::Number(n)
                    }
                })
                .unwrap_or(Value::Null),
            Node::Bool(b) => Value::Bool(*b),
            Node::Null => Value::Null,
            Node::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
            Node::List(_, items) => Value::Array(items.iter().map(Node::to_json).collect()),
        }
    }

    fn write_xml(&self, name: &str, out: &mut String) {
        out.push('<');
        out.push_str(name);
        out.push('>');
        match self {
            Node::Text(t) => escape_into(t, out),
            Node::Number(n) => out.push_str(&n.to_string()),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Null => {}
            Node::Object(fields) => {
                for (k, v) in fields {
                    v.write_xml(k, out);
                }
            }
            Node::List(item, items) => {
                for v in items {
                    v.write_xml(item, out);
                }
            }
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }

    /// The response body: JSON as is, or XML under the root element `root`.
    pub fn respond(&self, format: Format, root: &str, status: StatusCode) -> Response {
        match format {
            Format::Json => (
                status,
                [(CONTENT_TYPE, "application/json; charset=utf-8")],
                self.to_json().to_string(),
            )
                .into_response(),
            Format::Xml => {
                let mut body = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
                self.write_xml(root, &mut body);
                (status, [(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
            }
        }
    }
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped rather than break the document.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_wrap_items_in_xml_and_are_arrays_in_json() {
        let node = Node::List(
            "service",
            vec![Node::Object(vec![
                ("service_code", Node::text("a<b")),
                ("metadata", Node::Bool(true)),
                ("order", Node::Number(2.0)),
                ("lat", Node::Number(53.25)),
                ("group", Node::Null),
            ])],
        );
        let mut xml = String::new();
        node.write_xml("services", &mut xml);
        assert_eq!(
            xml,
            "<services><service><service_code>a&lt;b</service_code><metadata>true</metadata><order>2</order><lat>53.25</lat><group></group></service></services>"
        );
        assert_eq!(
            node.to_json().to_string(),
            r#"[{"group":null,"lat":53.25,"metadata":true,"order":2,"service_code":"a<b"}]"#
        );
    }

    #[test]
    fn file_names_carry_the_format() {
        assert_eq!(
            Format::split("services.json"),
            Some(("services", Format::Json))
        );
        assert_eq!(
            Format::split("HX7M-2KQ9.xml"),
            Some(("HX7M-2KQ9", Format::Xml))
        );
        assert_eq!(Format::split("services.csv"), None);
        assert_eq!(Format::split("services"), None);
    }
}
