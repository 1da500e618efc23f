//! PDF files, read as a stream of tokens: the names that mean encryption or
//! active content, the object streams that hide dictionaries in compressed
//! data, and the PDF/A part the XMP metadata declares.
//!
//! The scanner does not follow the cross-reference table (it may be at the
//! end, and a stream has no room to jump back); it reads every object in
//! file order. It skips strings and comments only as far as names go: a
//! name in a string counts too, which errs on the side of refusing.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::needle::Needle;
use super::{PdfA, PdfActiveContent, Refusal};

/// The longest name the scanner tells apart; longer ones are other names.
const NAME_MAX: usize = 16;
/// The buffer inflated object-stream data passes through.
const INFLATE_BUFFER: usize = 4096;
/// Object streams inflate to no more than this, plus 100 times the bytes
/// seen so far; beyond, the PDF is a compression bomb.
const INFLATE_FLOOR: u64 = 16 << 20;
const INFLATE_RATIO: u64 = 100;
/// Readers ignore a wrong checksum; so does the scanner.
const ZLIB: DataFormat = DataFormat::ZLibIgnoreChecksum;
/// What the PDF scanner holds, at most.
pub(super) const MAX_BUFFERED_BYTES: usize =
    size_of::<PdfScan>() + size_of::<InflateState>() + INFLATE_BUFFER;

/// What a PDF holds, once read to its end.
#[derive(Debug, Default)]
pub(super) struct Findings {
    pub(super) encrypted: bool,
    /// The first active content met.
    pub(super) active: Option<PdfActiveContent>,
    pub(super) bomb: bool,
    /// An object stream that could not be read.
    pub(super) malformed: bool,
    pub(super) pdf_a: Option<PdfA>,
}

impl Findings {
    pub(super) fn verdict(&self) -> Result<(), Refusal> {
        if self.encrypted {
            Err(Refusal::Encrypted)
        } else if let Some(active) = self.active {
            Err(Refusal::PdfActiveContent(active))
        } else if self.bomb {
            Err(Refusal::CompressionBomb)
        } else if self.malformed {
            Err(Refusal::Malformed)
        } else {
            Ok(())
        }
    }
}

/// Where in the file the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Between and inside objects.
    Objects,
    /// After the keyword `stream`, before its end of line.
    StreamEol { seen_cr: bool },
    /// In a stream's data, until `endstream`.
    StreamData,
}

/// How the data of the current stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObjectStream {
    /// Not an object stream: its data is skipped.
    No,
    /// An uncompressed object stream.
    Raw,
    /// A deflated object stream.
    Flate,
}

/// What the current object's dictionary says about its stream.
#[derive(Debug, Clone, Copy, Default)]
struct Dictionary {
    object_stream: bool,
    n: bool,
    first: bool,
    filter: bool,
    flate: u8,
    other_filters: u8,
    decode_parms: bool,
}

impl Dictionary {
    fn note(&mut self, name: Name) {
        match name {
            Name::ObjStm => self.object_stream = true,
            Name::N => self.n = true,
            Name::First => self.first = true,
            Name::Filter => self.filter = true,
            Name::Flate => self.flate = self.flate.saturating_add(1),
            Name::OtherFilter => self.other_filters = self.other_filters.saturating_add(1),
            Name::DecodeParms => self.decode_parms = true,
            _ => {}
        }
    }

    /// `/Type /ObjStm` may be written indirectly, or not at all; `/N` with
    /// `/First`, which a reader needs, is only ever an object stream's.
    fn is_object_stream(&self) -> bool {
        self.object_stream || (self.n && self.first)
    }

    /// How to read the stream; `None` if it is an object stream the scanner
    /// cannot read (other filters, predictors, an indirect filter).
    fn object_stream(&self) -> Option<ObjectStream> {
        if !self.is_object_stream() {
            Some(ObjectStream::No)
        } else if !self.filter {
            Some(ObjectStream::Raw)
        } else if self.flate == 1 && self.other_filters == 0 && !self.decode_parms {
            Some(ObjectStream::Flate)
        } else {
            None
        }
    }
}

/// The scanner of a whole PDF file.
pub(super) struct PdfScan {
    mode: Mode,
    objects: Lexer,
    after_dictionary: bool,
    dictionary: Dictionary,
    endstream: Needle<9>,
    /// Names in stream data: only the long ones count.
    data: Lexer,
    /// What the names in the current stream's data would make of a
    /// dictionary.
    data_dictionary: Dictionary,
    object_stream: ObjectStream,
    inflater: Option<Box<InflateState>>,
    inflated_buffer: Vec<u8>,
    /// Names in an object stream's (inflated) data.
    inner: Lexer,
    seen: u64,
    inflated: u64,
    part: Needle<11>,
    conformance: Needle<18>,
    capture: Capture,
    findings: Findings,
}

impl Default for PdfScan {
    fn default() -> Self {
        PdfScan {
            mode: Mode::Objects,
            objects: Lexer::default(),
            after_dictionary: false,
            dictionary: Dictionary::default(),
            endstream: Needle::new(b"endstream"),
            data: Lexer::default(),
            data_dictionary: Dictionary::default(),
            object_stream: ObjectStream::No,
            inflater: None,
            inflated_buffer: Vec::new(),
            inner: Lexer::default(),
            seen: 0,
            inflated: 0,
            part: Needle::new(b"pdfaid:part"),
            conformance: Needle::new(b"pdfaid:conformance"),
            capture: Capture::default(),
            findings: Findings::default(),
        }
    }
}

impl PdfScan {
    pub(super) fn update(&mut self, chunk: &[u8]) {
        self.seen = self.seen.saturating_add(chunk.len() as u64);
        let mut i = 0;
        while i < chunk.len() {
            match self.mode {
                Mode::Objects => {
                    let byte = chunk[i];
                    i += 1;
                    self.metadata(byte);
                    for token in self.objects.feed(byte).into_iter().flatten() {
                        self.object_token(token, byte);
                    }
                }
                Mode::StreamEol { seen_cr } => {
                    let byte = chunk[i];
                    if !seen_cr && (byte == b' ' || byte == b'\t') {
                        self.metadata(byte);
                        i += 1;
                    } else if !seen_cr && byte == b'\r' {
                        self.metadata(byte);
                        self.mode = Mode::StreamEol { seen_cr: true };
                        i += 1;
                    } else if byte == b'\n' {
                        self.metadata(byte);
                        self.mode = Mode::StreamData;
                        i += 1;
                    } else {
                        // A lone CR, or no end of line: the data starts here.
                        self.mode = Mode::StreamData;
                    }
                }
                Mode::StreamData => {
                    let start = i;
                    let mut ended = false;
                    while i < chunk.len() {
                        if self.idle_in_data() {
                            // Only these bytes can start what the data is
                            // searched for: a name, "endstream", "pdfaid:".
                            match memchr::memchr3(b'/', b'e', b'p', &chunk[i..]) {
                                Some(skip) => i += skip,
                                None => {
                                    i = chunk.len();
                                    break;
                                }
                            }
                        }
                        let byte = chunk[i];
                        i += 1;
                        self.metadata(byte);
                        for token in self.data.feed(byte).into_iter().flatten() {
                            if let Token::Name(name) = token {
                                self.data_name(name);
                            }
                        }
                        if self.endstream.feed(byte) {
                            ended = true;
                            break;
                        }
                    }
                    // The data handed on ends with "endstream": the inflater
                    // stops at the deflate stream's end, and a keyword
                    // means nothing in an object stream's data.
                    self.read_object_stream(&chunk[start..i]);
                    if ended {
                        self.end_stream();
                    }
                }
            }
        }
    }

    /// A name in stream data. An object stream's dictionary there means a
    /// string such as `(>>stream)` has made the scanner take objects for
    /// data: the objects it holds would go unread.
    fn data_name(&mut self, name: Name) {
        if name.is_long() {
            self.findings.note_active(name);
        }
        self.data_dictionary.note(name);
        if self.data_dictionary.is_object_stream() {
            self.findings.malformed = true;
        }
    }

    /// Whether nothing in stream data is part way: skipping bytes that
    /// start nothing then changes no finding.
    fn idle_in_data(&self) -> bool {
        self.endstream.is_idle()
            && self.part.is_idle()
            && self.conformance.is_idle()
            && self.capture.field.is_none()
            && self.data.state != State::Name
    }

    pub(super) fn finish(self) -> Findings {
        self.findings
    }

    pub(super) fn buffered_bytes(&self) -> usize {
        let inflater = self
            .inflater
            .as_ref()
            .map_or(0, |_| size_of::<InflateState>());
        size_of::<PdfScan>() + inflater + self.inflated_buffer.capacity()
    }

    fn object_token(&mut self, token: Token, terminator: u8) {
        let after_dictionary = std::mem::replace(&mut self.after_dictionary, false);
        match token {
            Token::Name(name) => {
                self.findings.note_active(name);
                self.findings.encrypted |= name == Name::Encrypt;
                self.dictionary.note(name);
            }
            Token::Word(Word::Obj | Word::EndObj | Word::EndStream) => {
                self.dictionary = Dictionary::default();
            }
            Token::Word(Word::Stream) if after_dictionary => self.start_stream(terminator),
            Token::DictionaryEnd => self.after_dictionary = true,
            Token::Word(_) | Token::Other => {}
        }
    }

    fn start_stream(&mut self, terminator: u8) {
        self.mode = match terminator {
            b'\n' => Mode::StreamData,
            b'\r' => Mode::StreamEol { seen_cr: true },
            _ => Mode::StreamEol { seen_cr: false },
        };
        self.endstream.reset();
        self.data = Lexer::default();
        self.data_dictionary = Dictionary::default();
        self.inner = Lexer::default();
        self.object_stream = match self.dictionary.object_stream() {
            Some(ObjectStream::Flate) => {
                match &mut self.inflater {
                    Some(inflater) => inflater.reset(ZLIB),
                    None => self.inflater = Some(InflateState::new_boxed(ZLIB)),
                }
                self.inflated_buffer.resize(INFLATE_BUFFER, 0);
                ObjectStream::Flate
            }
            Some(other) => other,
            None => {
                self.findings.malformed = true;
                ObjectStream::No
            }
        };
    }

    fn end_stream(&mut self) {
        // A deflated object stream ends before "endstream". If it has not,
        // those bytes were inside the compressed data, and the objects
        // after them went unread.
        if self.object_stream == ObjectStream::Flate {
            self.findings.malformed = true;
        }
        self.mode = Mode::Objects;
        self.dictionary = Dictionary::default();
        self.object_stream = ObjectStream::No;
        self.objects = Lexer::default();
    }

    fn read_object_stream(&mut self, data: &[u8]) {
        match self.object_stream {
            ObjectStream::No => {}
            ObjectStream::Raw => {
                for &byte in data {
                    note_inner(&mut self.inner, &mut self.findings, byte);
                }
            }
            ObjectStream::Flate => self.inflate(data),
        }
    }

    fn inflate(&mut self, mut data: &[u8]) {
        let Some(inflater) = self.inflater.as_mut() else {
            return;
        };
        loop {
            let result = inflate(inflater, data, &mut self.inflated_buffer, MZFlush::None);
            data = &data[result.bytes_consumed..];
            for &byte in &self.inflated_buffer[..result.bytes_written] {
                note_inner(&mut self.inner, &mut self.findings, byte);
            }
            self.inflated = self.inflated.saturating_add(result.bytes_written as u64);
            let limit = INFLATE_FLOOR.saturating_add(self.seen.saturating_mul(INFLATE_RATIO));
            if self.inflated > limit {
                self.findings.bomb = true;
                self.object_stream = ObjectStream::No;
                return;
            }
            let progress = result.bytes_consumed > 0 || result.bytes_written > 0;
            let output_full = result.bytes_written == self.inflated_buffer.len();
            match result.status {
                Ok(MZStatus::StreamEnd) => {
                    self.object_stream = ObjectStream::No;
                    return;
                }
                Ok(_) if progress && (!data.is_empty() || output_full) => {}
                // Waiting for more data.
                Ok(_) | Err(MZError::Buf) => return,
                Err(_) => {
                    self.findings.malformed = true;
                    self.object_stream = ObjectStream::No;
                    return;
                }
            }
        }
    }

    /// Reads `pdfaid:part` and `pdfaid:conformance` from the XMP metadata,
    /// which PDF/A keeps uncompressed, as elements or attributes.
    fn metadata(&mut self, byte: u8) {
        if let Some(value) = self.capture.feed(byte) {
            match value {
                Captured::Part(part) => {
                    let conformance = self.findings.pdf_a.and_then(|pdf_a| pdf_a.conformance);
                    self.findings.pdf_a = Some(PdfA { part, conformance });
                }
                Captured::Conformance(letter) => {
                    if let Some(pdf_a) = &mut self.findings.pdf_a {
                        pdf_a.conformance = Some(letter);
                    }
                }
            }
        }
        if self.part.feed(byte) {
            self.capture = Capture::start(Field::Part);
        }
        if self.conformance.feed(byte) {
            self.capture = Capture::start(Field::Conformance);
        }
    }
}

fn note_inner(lexer: &mut Lexer, findings: &mut Findings, byte: u8) {
    for token in lexer.feed(byte).into_iter().flatten() {
        if let Token::Name(name) = token {
            findings.note_active(name);
            findings.encrypted |= name == Name::Encrypt;
        }
    }
}

impl Findings {
    fn note_active(&mut self, name: Name) {
        if self.active.is_none() {
            self.active = name.active();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Part,
    Conformance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Captured {
    Part(u8),
    Conformance(char),
}

/// The value after a metadata field's name: `>2<` or `="2"`.
#[derive(Debug, Clone, Copy, Default)]
struct Capture {
    field: Option<Field>,
    /// Bytes still to look at.
    left: u8,
}

impl Capture {
    fn start(field: Field) -> Self {
        Capture {
            field: Some(field),
            left: 8,
        }
    }

    fn feed(&mut self, byte: u8) -> Option<Captured> {
        let field = self.field?;
        if matches!(byte, b'>' | b'=' | b'"' | b'\'') || byte.is_ascii_whitespace() {
            self.left = self.left.saturating_sub(1);
            if self.left == 0 {
                self.field = None;
            }
            return None;
        }
        self.field = None;
        match field {
            Field::Part if (b'1'..=b'9').contains(&byte) => Some(Captured::Part(byte - b'0')),
            Field::Conformance if byte.is_ascii_alphabetic() => {
                Some(Captured::Conformance(char::from(byte.to_ascii_uppercase())))
            }
            _ => None,
        }
    }
}

/// The names the scanner tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    JavaScript,
    Js,
    Launch,
    EmbeddedFile,
    /// `/EF`, a file specification's embedded file.
    Ef,
    RichMedia,
    Xfa,
    Encrypt,
    ObjStm,
    N,
    First,
    Filter,
    Flate,
    OtherFilter,
    DecodeParms,
    Other,
}

impl Name {
    fn classify(name: &[u8]) -> Name {
        match name {
            b"JavaScript" => Name::JavaScript,
            b"JS" => Name::Js,
            b"Launch" => Name::Launch,
            b"EmbeddedFile" | b"EmbeddedFiles" | b"FileAttachment" => Name::EmbeddedFile,
            b"EF" => Name::Ef,
            b"RichMedia" | b"RichMediaExecute" => Name::RichMedia,
            b"XFA" => Name::Xfa,
            b"Encrypt" => Name::Encrypt,
            b"ObjStm" => Name::ObjStm,
            b"N" => Name::N,
            b"First" => Name::First,
            b"Filter" => Name::Filter,
            b"FlateDecode" | b"Fl" => Name::Flate,
            b"ASCIIHexDecode" | b"AHx" | b"ASCII85Decode" | b"A85" | b"LZWDecode" | b"LZW"
            | b"RunLengthDecode" | b"RL" | b"CCITTFaxDecode" | b"CCF" | b"DCTDecode" | b"DCT"
            | b"JBIG2Decode" | b"JPXDecode" | b"Crypt" | b"BrotliDecode" => Name::OtherFilter,
            b"DecodeParms" | b"DP" => Name::DecodeParms,
            _ => Name::Other,
        }
    }

    fn active(self) -> Option<PdfActiveContent> {
        match self {
            Name::JavaScript | Name::Js => Some(PdfActiveContent::JavaScript),
            Name::Launch => Some(PdfActiveContent::Launch),
            Name::EmbeddedFile | Name::Ef => Some(PdfActiveContent::EmbeddedFile),
            Name::RichMedia => Some(PdfActiveContent::RichMedia),
            Name::Xfa => Some(PdfActiveContent::Xfa),
            _ => None,
        }
    }

    /// Whether the name is long enough not to turn up by chance in
    /// compressed data. The short ones do nothing without a long one:
    /// `/JS` without `/S /JavaScript`, `/EF` without `/EmbeddedFiles` or
    /// `/FileAttachment`.
    fn is_long(self) -> bool {
        matches!(
            self,
            Name::JavaScript | Name::Launch | Name::EmbeddedFile | Name::RichMedia
        )
    }
}

/// The keywords the scanner tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Obj,
    EndObj,
    Stream,
    EndStream,
    Other,
}

impl Word {
    fn classify(word: &[u8]) -> Word {
        match word {
            b"obj" => Word::Obj,
            b"endobj" => Word::EndObj,
            b"stream" => Word::Stream,
            b"endstream" => Word::EndStream,
            _ => Word::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Name(Name),
    Word(Word),
    /// `>>`
    DictionaryEnd,
    /// Any other delimiter.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Between,
    Name,
    Word,
}

/// A `#xx` escape in a name, part way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Escape {
    #[default]
    None,
    Hash,
    Digit(u8),
}

/// PDF tokens from bytes: names (their `#xx` escapes decoded) and keywords,
/// one byte at a time.
#[derive(Debug, Clone, Default)]
struct Lexer {
    state: State,
    buffer: [u8; NAME_MAX],
    len: usize,
    overflow: bool,
    escape: Escape,
    after_gt: bool,
}

impl Lexer {
    /// The tokens this byte ends or is: a name or word it ends, then the
    /// delimiter it is.
    fn feed(&mut self, byte: u8) -> [Option<Token>; 2] {
        let after_gt = std::mem::replace(&mut self.after_gt, false);
        if is_regular(byte) {
            match self.state {
                State::Name => self.name_byte(byte),
                State::Word => self.push(byte),
                State::Between => {
                    self.begin(State::Word);
                    self.push(byte);
                }
            }
            return [None, None];
        }
        let ended = self.end();
        let delimiter = match byte {
            b'/' => {
                self.begin(State::Name);
                None
            }
            b'>' if after_gt => Some(Token::DictionaryEnd),
            b'>' => {
                self.after_gt = true;
                None
            }
            _ if is_white(byte) => None,
            _ => Some(Token::Other),
        };
        [ended, delimiter]
    }

    fn begin(&mut self, state: State) {
        self.state = state;
        self.len = 0;
        self.overflow = false;
        self.escape = Escape::None;
    }

    fn end(&mut self) -> Option<Token> {
        let state = std::mem::take(&mut self.state);
        match std::mem::take(&mut self.escape) {
            Escape::None => {}
            Escape::Hash => self.push(b'#'),
            Escape::Digit(digit) => {
                self.push(b'#');
                self.push(digit);
            }
        }
        let bytes = if self.overflow {
            &[][..]
        } else {
            &self.buffer[..self.len]
        };
        match state {
            State::Between => None,
            State::Name if self.overflow => Some(Token::Name(Name::Other)),
            State::Name => Some(Token::Name(Name::classify(bytes))),
            State::Word if self.overflow => Some(Token::Word(Word::Other)),
            State::Word => Some(Token::Word(Word::classify(bytes))),
        }
    }

    fn name_byte(&mut self, byte: u8) {
        match self.escape {
            Escape::None if byte == b'#' => self.escape = Escape::Hash,
            Escape::None => self.push(byte),
            Escape::Hash if byte.is_ascii_hexdigit() => self.escape = Escape::Digit(byte),
            Escape::Hash => {
                // Not an escape (PDF 1.1 names may hold "#").
                self.push(b'#');
                if byte == b'#' {
                    return;
                }
                self.escape = Escape::None;
                self.push(byte);
            }
            Escape::Digit(first) => {
                self.escape = Escape::None;
                if let (Some(high), Some(low)) = (hex_value(first), hex_value(byte)) {
                    self.push(high << 4 | low);
                } else {
                    self.push(b'#');
                    self.push(first);
                    self.name_byte(byte);
                }
            }
        }
    }

    fn push(&mut self, byte: u8) {
        if self.len < NAME_MAX {
            self.buffer[self.len] = byte;
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }
}

fn is_white(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn is_regular(byte: u8) -> bool {
    !is_white(byte)
        && !matches!(
            byte,
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
        )
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(bytes: &[u8]) -> Vec<Name> {
        let mut lexer = Lexer::default();
        bytes
            .iter()
            .chain(b" ")
            .flat_map(|&b| lexer.feed(b))
            .flatten()
            .filter_map(|token| match token {
                Token::Name(name) => Some(name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn names_are_decoded_and_delimited() {
        assert_eq!(names(b"/JS"), [Name::Js]);
        assert_eq!(names(b"/JS(x)"), [Name::Js]);
        assert_eq!(names(b"/JSX /JS/JS"), [Name::Other, Name::Js, Name::Js]);
        assert_eq!(names(b"/J#61vaScript"), [Name::JavaScript]);
        assert_eq!(names(b"/#4A#53"), [Name::Js]);
        assert_eq!(names(b"/Launch#"), [Name::Other]);
        assert_eq!(names(b"/ThisNameIsFarTooLongToMatter"), [Name::Other]);
        assert_eq!(names(b"<</Type/ObjStm>>"), [Name::Other, Name::ObjStm]);
    }

    #[test]
    fn dictionary_ends_are_tokens() {
        let mut lexer = Lexer::default();
        let tokens: Vec<Token> = b"<</N 1>>stream\n"
            .iter()
            .flat_map(|&b| lexer.feed(b))
            .flatten()
            .collect();
        assert_eq!(
            tokens,
            [
                Token::Other,
                Token::Other,
                Token::Name(Name::N),
                Token::Word(Word::Other),
                Token::DictionaryEnd,
                Token::Word(Word::Stream),
            ]
        );
    }
}
