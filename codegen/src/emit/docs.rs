//! `xs:documentation` and generated notes as `///` comments.

use proc_macro2::TokenStream;
use quote::quote;

/// Doc attributes: the schema's documentation (whitespace tidied), and a
/// note from the generator saying what the item maps, at the end of the
/// documentation's last paragraph (one line for the common one-sentence
/// documentation).
pub fn doc_attrs(doc: Option<&str>, note: &str) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = doc {
        for para in d.split("\n\n") {
            let text = para.split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                lines.push(text);
            }
        }
    }
    if !note.is_empty() {
        match lines.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(note);
            }
            None => lines.push(note.to_owned()),
        }
    }
    let lines = lines.into_iter().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {}", escape_doc(&l))
        }
    });
    quote!(#( #[doc = #lines] )*)
}

/// Keeps schema text from being read as Markdown links or HTML.
fn escape_doc(s: &str) -> String {
    s.replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
