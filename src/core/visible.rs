//! Characters a person cannot see: the one check every argument a person reads goes through
//! (usernames, addresses, mount paths, owners, variable and helper names); errors show them
//! escaped through [`super::shown::quoted`].
//!
//! A value holding such a character reads as another value: a username with a zero-width space
//! looks like the one without it, a path with a right-to-left override shows its end first. The
//! check uses the Unicode properties rather than a list, so that every such character counts,
//! including the ones that are letters or marks by category (U+3164 HANGUL FILLER, U+034F
//! COMBINING GRAPHEME JOINER): `Bidi_Control`, the line and paragraph separators,
//! `Default_Ignorable_Code_Point` and the format characters (general category `Cf`).

use std::fmt;

use super::shown::quoted;

use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

/// A character named by its code point (`U+000A`), never printed raw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodePoint(pub char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", u32::from(self.0))
    }
}

/// A character that displays as nothing, reorders the text around it or breaks it across lines,
/// with the property that makes it so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invisible {
    character: char,
    kind: Kind,
}

/// Which property makes a character invisible (the first that applies, in this order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `Bidi_Control`: reorders the text around it.
    Bidi,
    /// General category `Zl` or `Zp`.
    Separator,
    /// `Default_Ignorable_Code_Point`: displayed as nothing.
    Ignorable,
    /// General category `Cf` without being default-ignorable.
    Format,
}

impl Invisible {
    /// The description of `character` when a person cannot see it (control characters are not
    /// counted here: every caller refuses them first, with its own message).
    pub fn of(character: char) -> Option<Self> {
        let category = CodePointMapData::<GeneralCategory>::new().get(character);
        let kind = if CodePointSetData::new::<BidiControl>().contains(character) {
            Kind::Bidi
        } else if matches!(
            category,
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
        ) {
            Kind::Separator
        } else if CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(character) {
            Kind::Ignorable
        } else if category == GeneralCategory::Format {
            Kind::Format
        } else {
            return None;
        };
        Some(Self { character, kind })
    }

    /// The character.
    pub fn character(&self) -> char {
        self.character
    }
}

impl fmt::Display for Invisible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let effect = match self.kind {
            Kind::Bidi => "a bidirectional control character (Bidi_Control), which changes how the text around it is displayed",
            Kind::Separator => "a line or paragraph separator, which breaks the text across lines",
            Kind::Ignorable => "an invisible character (Default_Ignorable_Code_Point), so two different values would look the same",
            Kind::Format => "an invisible format character (general category Cf), so two different values would look the same",
        };
        write!(f, "{}, {effect}", CodePoint(self.character))
    }
}

/// The first character of `text` that a person cannot see, if any.
pub fn find_invisible(text: &str) -> Option<Invisible> {
    text.chars().find_map(Invisible::of)
}

/// Whether `text` shows nothing at all: empty, or only whitespace and invisible characters.
pub fn shows_nothing(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || Invisible::of(c).is_some())
}

/// A value refused for a character a person cannot see; shows the value as [`quoted`] does.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{shown} contains {character}")]
pub struct InvisibleError {
    /// The value, quoted with escapes and cut.
    shown: String,
    /// The first such character.
    character: Invisible,
}

/// Refuses a value with a character a person cannot see (see [`Invisible`]).
pub fn check_visible(text: &str) -> Result<(), InvisibleError> {
    match find_invisible(text) {
        None => Ok(()),
        Some(character) => Err(InvisibleError {
            shown: quoted(text),
            character,
        }),
    }
}
