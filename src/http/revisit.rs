//! How a kept page is answered. Revisits (docs/performance.md "Revisits"): a cached page
//! carries an `ETag` made from its bytes, and a browser that sends it back in `If-None-Match`
//! gets `304 Not Modified` with no body. Made from the bytes (or from an assembled page's shell
//! and its cards' own CRCs), not from a data version, so it is right even after a restart or a
//! write by another process (`sagarr refresh`): equal tags mean equal pages. Otherwise the
//! page goes out plain in its shared pieces, or gzipped once and kept gzipped with it.

use std::io::Write;
use std::sync::{Arc, OnceLock};

use actix_web::http::header::{self, AcceptEncoding, Encoding, Header, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// A rendered page and its tag, as the page cache keeps them: its bytes in pieces, some its
/// own (the shell a view wrote) and some shared with other pages (kept cards,
/// `views::assembly`), so a kept page weighs its shell, not its cards.
#[derive(Clone)]
pub struct Page {
    pieces: Arc<[Bytes]>,
    len: usize,
    own: usize,
    /// The page gzipped: made by the first view that asks for gzip, then sent to every other
    /// (`Page::answer`); shared by the page's clones, as the page cache hands out clones.
    gzipped: Arc<OnceLock<Bytes>>,
    pub etag: HeaderValue,
}

impl Page {
    /// A page of one piece, all its own, tagged with its CRC-32.
    pub fn new(body: Bytes) -> Self {
        let (own, crc) = (body.len(), crc32fast::hash(&body));
        Self::of_pieces(vec![body], own, crc)
    }

    /// A page of `pieces` in order, `own` bytes of which are not shared with other pages,
    /// tagged with its length and `crc`: a CRC-32 of its bytes, or of a stand-in for them that
    /// differs wherever they do (`views::assembly` hashes its cards' own CRCs, not their bytes
    /// again). Made once per build, never per view: two versions of one page that differ yet
    /// share both are a chance in four billion, where nginx's length and modification time
    /// collide on any quick edit.
    pub fn of_pieces(mut pieces: Vec<Bytes>, own: usize, crc: u32) -> Self {
        pieces.retain(|p| !p.is_empty());
        let len = pieces.iter().map(Bytes::len).sum::<usize>();
        // Weak: the same page gzip-compressed or not is the same page to us.
        let etag = HeaderValue::from_str(&format!("W/\"{len:x}-{crc:08x}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""));
        Self {
            pieces: pieces.into(),
            len,
            own,
            gzipped: Arc::default(),
            etag,
        }
    }

    /// The page's length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What keeping the page costs beyond what other pages share: its own bytes, its list of
    /// pieces, and its gzip once a view has made it.
    pub fn weight(&self) -> usize {
        self.own
            + self.pieces.len() * std::mem::size_of::<Bytes>()
            + self.gzipped.get().map_or(0, Bytes::len)
    }

    /// The page as one buffer (a copy, but for a page of one piece).
    pub fn to_bytes(&self) -> Bytes {
        match &*self.pieces {
            [one] => one.clone(),
            pieces => Bytes::from(pieces.concat()),
        }
    }

    /// 304 when the browser already holds these bytes, else 200 with the page.
    pub fn answer(&self, req: &HttpRequest) -> HttpResponse {
        if holds(req, &self.etag) {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag.clone()))
                .finish();
        }
        let mut answer = HttpResponse::Ok();
        answer
            .content_type("text/html; charset=utf-8")
            .insert_header((header::ETAG, self.etag.clone()));
        let encoding = negotiated(req);
        if encoding == Encoding::identity() {
            return answer.body(Slices::of(self));
        }
        if let Some(gzipped) = (encoding == Encoding::gzip())
            .then(|| self.gzip())
            .flatten()
        {
            // Marked as encoded, so `middleware::Compress` passes it on as it is.
            return answer
                .insert_header((header::CONTENT_ENCODING, "gzip"))
                .insert_header((header::VARY, "accept-encoding"))
                .body(gzipped.clone());
        }
        // One buffer, compressed in one go: given in pieces, actix compresses each piece over
        // 1 KB on a blocking thread of its own, some 50 hand-offs for a dashboard.
        answer.body(self.to_bytes())
    }

    /// The page gzipped, made on the first call (on the calling thread: about 0.4 ms for a
    /// 108 KB dashboard, at the level `middleware::Compress` uses) and kept with the page, so
    /// a browser's view of a kept page costs no compression. `None` only if gzip failed.
    fn gzip(&self) -> Option<&Bytes> {
        if let Some(made) = self.gzipped.get() {
            return Some(made);
        }
        let mut gzip = flate2::write::GzEncoder::new(
            Vec::with_capacity(self.len / 4),
            flate2::Compression::fast(),
        );
        for piece in self.pieces.iter() {
            gzip.write_all(piece).ok()?;
        }
        let made = Bytes::from(gzip.finish().ok()?);
        Some(self.gzipped.get_or_init(|| made))
    }
}

/// The encodings `middleware::Compress` speaks with this build's features (`Cargo.toml`).
const SPOKEN: [Encoding; 3] = [Encoding::identity(), Encoding::gzip(), Encoding::deflate()];

/// The encoding `middleware::Compress` (in `startup`) would choose for this request, read the
/// same way: identity without a usable `Accept-Encoding`.
fn negotiated(req: &HttpRequest) -> Encoding {
    AcceptEncoding::parse(req)
        .ok()
        .and_then(|accepted| accepted.negotiate(SPOKEN.iter()))
        .unwrap_or(Encoding::identity())
}

/// How much of one piece goes to actix at a time, so a page of one large piece does not make
/// a write buffer its own size while it is sent.
const SLICE: usize = 32 * 1024;

/// How much actix gathers in a connection's write buffer before it writes to the socket
/// (`HttpServer::h1_write_buffer_size`; actix's default is 32 KB). A dashboard of 6 rows of 8
/// cards is about 108 KB: at 32 KB it went out in four writes, each waking the reader, and the
/// kernel's part of a view was most of its cost; in one write the app's CPU for a cached view
/// fell by about a fifth (docs/performance.md). 128 KB is also the most actix keeps with an
/// idle connection, so the buffer is made once per connection, not once per answer: 64
/// keep-alive connections hold about 7 MB.
pub const WRITE_BUFFER: usize = 128 * 1024;

/// A kept page sent piece by piece, each piece in slices of at most [`SLICE`], all of them
/// the buffers every answer shares (no copy of ours; actix copies them into the connection's
/// write buffer and writes it once it holds [`WRITE_BUFFER`] or the page ends). The length is
/// still known, so the answer keeps its `Content-Length`.
struct Slices {
    pieces: Arc<[Bytes]>,
    len: usize,
    piece: usize,
    sent: usize,
}

impl Slices {
    fn of(page: &Page) -> Self {
        Self {
            pieces: page.pieces.clone(),
            len: page.len,
            piece: 0,
            sent: 0,
        }
    }
}

impl actix_web::body::MessageBody for Slices {
    type Error = std::convert::Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Sized(self.len as u64)
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, Self::Error>>> {
        let Some(piece) = self.pieces.get(self.piece) else {
            return std::task::Poll::Ready(None);
        };
        let (start, len) = (self.sent, piece.len());
        let end = len.min(start + SLICE);
        let slice = if start == 0 && end == len {
            piece.clone()
        } else {
            piece.slice(start..end)
        };
        if end == len {
            self.piece += 1;
            self.sent = 0;
        } else {
            self.sent = end;
        }
        std::task::Poll::Ready(Some(Ok(slice)))
    }
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak comparison, as RFC 9110 asks for
/// `If-None-Match`.
fn holds(req: &HttpRequest, etag: &HeaderValue) -> bool {
    let ours = etag.as_bytes();
    let ours = ours.strip_prefix(b"W/").unwrap_or(ours);
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).as_bytes() == ours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_same_bytes_get_the_same_tag_and_a_revisit_gets_304() {
        let page = Page::new(Bytes::from_static(b"<html>one</html>"));
        assert_eq!(
            Page::new(Bytes::from_static(b"<html>one</html>")).etag,
            page.etag
        );
        assert_ne!(
            Page::new(Bytes::from_static(b"<html>two</html>")).etag,
            page.etag
        );
        let tag = page.etag.to_str().unwrap().to_owned();
        let strong = tag.trim_start_matches("W/").to_owned();
        for sent in [tag.as_str(), strong.as_str(), "\"x\", W/\"y\"", "*"] {
            let req = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, sent))
                .to_http_request();
            let expected = if sent.contains('x') { 200 } else { 304 };
            assert_eq!(page.answer(&req).status().as_u16(), expected, "{sent}");
        }
        let fresh = TestRequest::default().to_http_request();
        assert_eq!(page.answer(&fresh).status().as_u16(), 200);
    }

    #[test]
    fn the_encoding_is_chosen_as_the_compressor_chooses_it() {
        let (gzip, deflate, identity) =
            (Encoding::gzip(), Encoding::deflate(), Encoding::identity());
        for (accept, expected) in [
            ("gzip, deflate, br, zstd", &gzip),
            ("br;q=1.0, GZIP;q=0.5", &gzip),
            ("deflate", &deflate),
            // As Compress reads it: any coding, and identity comes first.
            ("*", &identity),
            ("identity", &identity),
            ("br, zstd", &identity),
            ("gzip;q=0, identity", &identity),
            ("gzip; q=0.000", &identity),
            ("", &identity),
        ] {
            let req = TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, accept))
                .to_http_request();
            assert_eq!(&negotiated(&req), expected, "{accept}");
        }
        assert_eq!(
            negotiated(&TestRequest::default().to_http_request()),
            identity
        );
    }

    #[actix_web::test]
    async fn a_page_asked_with_gzip_is_gzipped_once_and_counted_in_its_weight() {
        use std::io::Read;
        let whole: Vec<u8> = (0..SLICE * 2).map(|i| b"<li>card</li>"[i % 13]).collect();
        let page = Page::of_pieces(
            vec![
                Bytes::from(whole[..100].to_vec()),
                Bytes::from(whole[100..].to_vec()),
            ],
            100,
            crc32fast::hash(&whole),
        );
        let light = page.weight();
        let ask = |page: &Page| {
            page.answer(
                &TestRequest::default()
                    .insert_header((header::ACCEPT_ENCODING, "gzip"))
                    .to_http_request(),
            )
        };
        let first = ask(&page);
        assert_eq!(
            first.headers().get(header::CONTENT_ENCODING).unwrap(),
            "gzip"
        );
        assert_eq!(
            first.headers().get(header::VARY).unwrap(),
            "accept-encoding"
        );
        assert_eq!(first.headers().get(header::ETAG), Some(&page.etag));
        let packed = actix_web::body::to_bytes(first.into_body()).await.unwrap();
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, whole);
        // A clone, as the page cache hands out: the same gzip, not made again.
        let made = page.gzipped.get().map(|g| g.as_ptr());
        let again = actix_web::body::to_bytes(ask(&page.clone()).into_body())
            .await
            .unwrap();
        assert_eq!(again, packed);
        assert_eq!(page.gzipped.get().map(|g| g.as_ptr()), made);
        assert_eq!(page.weight(), light + packed.len());
        // deflate still goes to the compressor, whole.
        let deflate = page.answer(
            &TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, "deflate"))
                .to_http_request(),
        );
        assert!(deflate.headers().get(header::CONTENT_ENCODING).is_none());
        let sent = actix_web::body::to_bytes(deflate.into_body())
            .await
            .unwrap();
        assert_eq!(sent, whole);
    }

    #[actix_web::test]
    async fn a_page_sent_in_slices_is_the_whole_page_with_its_length() {
        use actix_web::body::{BodySize, MessageBody};
        let bytes: Vec<u8> = (0..SLICE * 3 + 7).map(|i| (i % 251) as u8).collect();
        let page = Page::new(Bytes::from(bytes.clone()));
        let answer = page.answer(&TestRequest::default().to_http_request());
        assert_eq!(answer.body().size(), BodySize::Sized(bytes.len() as u64));
        let sent = actix_web::body::to_bytes(answer.into_body()).await.unwrap();
        assert_eq!(sent, bytes);
    }

    #[actix_web::test]
    async fn a_page_in_pieces_is_sent_whole_and_tagged_as_the_same_bytes_in_one() {
        use actix_web::body::{BodySize, MessageBody};
        let big: Vec<u8> = (0..SLICE + 5).map(|i| (i % 241) as u8).collect();
        let pieces = vec![
            Bytes::from_static(b"<main>"),
            Bytes::new(),
            Bytes::from(big.clone()),
            Bytes::from_static(b"</main>"),
        ];
        let whole: Vec<u8> = pieces.concat();
        let page = Page::of_pieces(pieces, 13, crc32fast::hash(&whole));
        assert_eq!(page.etag, Page::new(Bytes::from(whole.clone())).etag);
        assert_eq!(page.len(), whole.len());
        assert_eq!(page.to_bytes(), whole);
        let answer = page.answer(&TestRequest::default().to_http_request());
        assert_eq!(answer.body().size(), BodySize::Sized(whole.len() as u64));
        let sent = actix_web::body::to_bytes(answer.into_body()).await.unwrap();
        assert_eq!(sent, whole);
        // Its weight is its own 13 bytes and its three pieces, not the shared big one.
        assert_eq!(page.weight(), 13 + 3 * std::mem::size_of::<Bytes>());
    }
}
