// Copied unchanged by okta-codegen from generator/runtime/multipart.rs; edit it there.

//! `multipart/form-data` bodies, for the upload operations. Written only into crates with an
//! operation that takes one.

use bytes::Bytes;

use super::request::Request;

/// A `multipart/form-data` body: text fields and files, for the upload operations.
///
/// ```
/// let body = okta_client::Multipart::new()
///     .file("file", "logo.png", "image/png", vec![0x89, b'P', b'N', b'G']);
/// # let _ = body;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    parts: Vec<MultipartPart>,
}

#[derive(Debug, Clone)]
struct MultipartPart {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

impl Multipart {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(MultipartPart {
            name: name.into(),
            filename: None,
            content_type: None,
            data: Bytes::from(value.into()),
        });
        self
    }

    /// Adds a file.
    pub fn file(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(MultipartPart {
            name: name.into(),
            filename: Some(filename.into()),
            content_type: Some(content_type.into()),
            data: data.into(),
        });
        self
    }

    /// The content type (with its boundary) and the encoded body.
    fn encode(&self) -> (String, Vec<u8>) {
        let boundary = format!("okta-client-{:032x}", fastrand::u128(..));
        let quote = |s: &str| s.replace(['"', '\r', '\n'], "_");
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!(
                "Content-Disposition: form-data; name=\"{}\"",
                quote(&part.name)
            );
            if let Some(filename) = &part.filename {
                disposition.push_str(&format!("; filename=\"{}\"", quote(filename)));
            }
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(b"\r\n");
            if let Some(ct) = &part.content_type {
                body.extend_from_slice(format!("Content-Type: {}\r\n", quote(ct)).as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

impl Request {
    /// Sets a `multipart/form-data` body.
    pub fn multipart_body(self, body: &Multipart) -> Self {
        let (content_type, bytes) = body.encode();
        self.raw_body(content_type, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_carry_their_boundary_names_and_bytes() {
        let (content_type, body) = Multipart::new()
            .text("label", "Wiki")
            .file("file", "logo\".png", "image/png", vec![0u8, 159, 146, 150])
            .encode();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect("a boundary");
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\nWiki\r\n"
        )));
        assert!(
            text.contains(
                "name=\"file\"; filename=\"logo_.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
        );
        assert!(body.windows(4).any(|w| w == [0u8, 159, 146, 150]));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}
