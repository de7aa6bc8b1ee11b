//! Runtime support for generated XSD bindings: built-in datatype values, lexical checks and `xs:pattern` matching.
pub mod lexical;
pub mod pattern;
pub mod types;
