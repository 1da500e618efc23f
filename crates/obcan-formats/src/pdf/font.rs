//! The embedded typeface: which glyph shows a character, and how wide text is.

use ttf_parser::{Face, GlyphId};

use super::PdfError;

static ROBOTO_REGULAR: &[u8] = include_bytes!("../../fonts/Roboto-Regular.ttf");
static ROBOTO_BOLD: &[u8] = include_bytes!("../../fonts/Roboto-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Style {
    Regular,
    Bold,
}

impl Style {
    pub(crate) const ALL: [Self; 2] = [Self::Regular, Self::Bold];

    /// The font's name in the pages' resources.
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            Self::Regular => b"F1",
            Self::Bold => b"F2",
        }
    }
}

/// One face of the typeface. Sizes are in thousandths of the font size, as
/// PDF font dictionaries want them.
#[derive(Debug)]
pub(crate) struct Typeface {
    pub(crate) data: &'static [u8],
    pub(crate) postscript_name: &'static str,
    pub(crate) weight: u16,
    face: Face<'static>,
    /// The question mark, drawn for characters the font lacks.
    fallback: u16,
    units_per_em: f32,
}

impl Typeface {
    fn load(style: Style) -> Result<Self, PdfError> {
        let (data, postscript_name) = match style {
            Style::Regular => (ROBOTO_REGULAR, "Roboto-Regular"),
            Style::Bold => (ROBOTO_BOLD, "Roboto-Bold"),
        };
        let face = Face::parse(data, 0).map_err(|_| PdfError::Font)?;
        let fallback = face.glyph_index('?').ok_or(PdfError::Font)?.0;
        Ok(Self {
            data,
            postscript_name,
            weight: face.weight().to_number(),
            units_per_em: f32::from(face.units_per_em()),
            face,
            fallback,
        })
    }

    /// The glyph that shows `ch`.
    pub(crate) fn glyph(&self, ch: char) -> u16 {
        self.face
            .glyph_index(ch)
            .map_or(self.fallback, |glyph| glyph.0)
    }

    /// The character a reader gets back from the glyph drawn for `ch`.
    pub(crate) fn shown_as(&self, ch: char) -> char {
        if self.face.glyph_index(ch).is_some() {
            ch
        } else {
            '?'
        }
    }

    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        self.face
            .glyph_hor_advance(GlyphId(glyph))
            .map_or(0.0, |advance| self.scale(advance.into()))
    }

    /// The width of `text` set at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let thousandths: f32 = text.chars().map(|ch| self.advance(self.glyph(ch))).sum();
        thousandths * size / 1000.0
    }

    pub(crate) fn ascent(&self) -> f32 {
        self.scale(self.face.ascender().into())
    }

    /// Below the baseline: negative.
    pub(crate) fn descent(&self) -> f32 {
        self.scale(self.face.descender().into())
    }

    pub(crate) fn cap_height(&self) -> f32 {
        self.face
            .capital_height()
            .map_or_else(|| self.ascent(), |height| self.scale(height.into()))
    }

    pub(crate) fn italic_angle(&self) -> f32 {
        self.face.italic_angle()
    }

    /// The bounding box of all glyphs: left, bottom, right, top.
    pub(crate) fn bbox(&self) -> [f32; 4] {
        let rect = self.face.global_bounding_box();
        [
            self.scale(rect.x_min.into()),
            self.scale(rect.y_min.into()),
            self.scale(rect.x_max.into()),
            self.scale(rect.y_max.into()),
        ]
    }

    fn scale(&self, units: f32) -> f32 {
        units * 1000.0 / self.units_per_em
    }
}

#[derive(Debug)]
pub(crate) struct Fonts {
    regular: Typeface,
    bold: Typeface,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Typeface::load(Style::Regular)?,
            bold: Typeface::load(Style::Bold)?,
        })
    }

    pub(crate) fn get(&self, style: Style) -> &Typeface {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_covers_czech() {
        let fonts = Fonts::load().unwrap();
        for style in Style::ALL {
            let face = fonts.get(style);
            for ch in "áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ–„“".chars()
            {
                assert_eq!(face.shown_as(ch), ch, "{ch} in {style:?}");
                assert_ne!(face.glyph(ch), face.glyph('?'));
                assert!(face.advance(face.glyph(ch)) > 0.0);
            }
        }
    }

    #[test]
    fn missing_characters_fall_back_to_a_question_mark() {
        let fonts = Fonts::load().unwrap();
        let face = fonts.get(Style::Regular);
        // A CJK ideograph: Roboto has none.
        assert_eq!(face.shown_as('漢'), '?');
        assert_eq!(face.glyph('漢'), face.glyph('?'));
    }

    #[test]
    fn bold_is_wider_and_width_scales_with_size() {
        let fonts = Fonts::load().unwrap();
        let regular = fonts.get(Style::Regular).width("Řidič", 10.0);
        let bold = fonts.get(Style::Bold).width("Řidič", 10.0);
        assert!(regular > 10.0 && bold > regular, "{regular} {bold}");
        let doubled = fonts.get(Style::Regular).width("Řidič", 20.0);
        assert!((doubled - 2.0 * regular).abs() < 0.001);
        assert!(fonts.get(Style::Bold).weight > fonts.get(Style::Regular).weight);
    }
}
