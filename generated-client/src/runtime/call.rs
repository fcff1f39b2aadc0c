// Copied unchanged by okta-codegen from generator/runtime/call.rs; edit it there.

//! The futures that `send()` and `send_full()` return.
//!
//! Every operation sends through the same boxed, non-generic exchange ([`Request::send`]) and
//! decodes with a plain function, so an operation adds no `async` state machine of its own:
//! what is instantiated per response type is one small `poll` and the decoder.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::error::Error;
use super::request::Request;
use super::response::{RawResponse, Response};

/// Decodes a successful response into `T`.
pub type Decoder<T> = fn(&RawResponse) -> Result<T, Error>;

type Exchange = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send>>;

/// The future of an operation's `send_full()`: the decoded body with the status, headers,
/// rate-limit figures and request id.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct SendFullFuture<T> {
    exchange: Exchange,
    decode: Decoder<T>,
}

impl<T> SendFullFuture<T> {
    /// Sends `request` (or fails with its error) and decodes the answer with `decode`.
    pub fn new(request: Result<Request, Error>, decode: Decoder<T>) -> Self {
        let exchange: Exchange = match request {
            Ok(request) => Box::pin(request.send()),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        };
        SendFullFuture { exchange, decode }
    }
}

impl<T> Future for SendFullFuture<T> {
    type Output = Result<Response<T>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let raw = ready!(this.exchange.as_mut().poll(cx))?;
        let data = (this.decode)(&raw)?;
        Poll::Ready(Ok(raw.into_response(data)))
    }
}

impl<T> fmt::Debug for SendFullFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendFullFuture")
    }
}

/// The future of an operation's `send()`: [`SendFullFuture`]'s decoded body alone.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct SendFuture<T>(SendFullFuture<T>);

impl<T> SendFuture<T> {
    /// Sends `request` (or fails with its error) and decodes the answer with `decode`.
    pub fn new(request: Result<Request, Error>, decode: Decoder<T>) -> Self {
        SendFuture(SendFullFuture::new(request, decode))
    }
}

impl<T> Future for SendFuture<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().0).poll(cx).map_ok(|r| r.data)
    }
}

impl<T> fmt::Debug for SendFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendFuture")
    }
}

/// The decoder of an answer without a body.
pub fn no_body(_: &RawResponse) -> Result<(), Error> {
    Ok(())
}

/// The decoder of a binary body.
pub fn bytes_body(response: &RawResponse) -> Result<Vec<u8>, Error> {
    Ok(response.bytes())
}
