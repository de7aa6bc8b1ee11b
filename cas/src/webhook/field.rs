//! Small value types of the events: a field that may be absent, `null` or
//! set, the event time kept as written, and the open status enum.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A JSON member that may be absent, present as `null`, or set.
///
/// Events are written back exactly as read, so an absent member and a
/// `null` one must stay distinct (senders on .NET often write `null`).
/// Use with `#[serde(default, skip_serializing_if = "Field::is_absent")]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    /// The value, if one is set.
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
}

impl Field<String> {
    /// The string value, if one is set.
    pub fn as_deref(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }
}

impl<T> From<T> for Field<T> {
    fn from(v: T) -> Self {
        Field::Value(v)
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Field::Absent, Field::Value)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(s),
            Field::Absent | Field::Null => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only called for a member that is present (absent: `default`).
        Ok(Option::<T>::deserialize(d)?.map_or(Field::Null, Field::Value))
    }
}

/// The `eventTime` of an event: UTC with up to 7 fractional digits (CAS
/// writes .NET ticks), kept in the form it was written so it is written
/// back unchanged, and compared by the instant it names.
///
/// Accepts RFC 3339 with any offset and, as CAS documents its times as
/// UTC, a time without an offset (read as UTC).
#[derive(Clone, Debug)]
pub struct EventTime {
    text: String,
    at: OffsetDateTime,
}

impl EventTime {
    /// Parses `text`; `None` when it is no date-time.
    pub fn parse(text: &str) -> Option<EventTime> {
        let trimmed = text.trim();
        let at = OffsetDateTime::parse(trimmed, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(&format!("{trimmed}Z"), &Rfc3339))
            .ok()?;
        Some(EventTime {
            text: text.to_owned(),
            at,
        })
    }

    /// The instant, exact to the 100 ns CAS writes.
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// An event time for `at`, written as CAS writes them (UTC, 7 fractional digits, `Z`).
    pub fn from_instant(at: OffsetDateTime) -> EventTime {
        let utc = at.to_offset(time::UtcOffset::UTC);
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second(),
            utc.nanosecond() / 100
        );
        EventTime { text, at: utc }
    }
}

impl PartialEq for EventTime {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for EventTime {}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        EventTime::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`eventTime` {text:?} is not an ISO 8601 date-time"))
        })
    }
}

macro_rules! statuses {
    ($($name:ident),* $(,)?) => {
        /// Status of a declaration (`currentStatus`, and the `eventSubType`
        /// of `DeclarationStatusChanged`).
        ///
        /// The variants are the statuses CAS's documentation names; the list
        /// there is partial and grows, so any other value is kept in
        /// `Other` and written back as received.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum DeclarationStatus {
            $($name,)*
            Other(String),
        }

        impl DeclarationStatus {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(DeclarationStatus::$name => stringify!($name),)*
                    DeclarationStatus::Other(s) => s,
                }
            }

            /// Parses the wire spelling; never fails (unknown: `Other`).
            pub fn parse(s: &str) -> Self {
                match s {
                    $(stringify!($name) => DeclarationStatus::$name,)*
                    other => DeclarationStatus::Other(other.to_owned()),
                }
            }
        }
    };
}

statuses!(
    Accepted,
    AcceptedForExport,
    Acknowledged,
    Alerted,
    Amendable,
    AmendmentError,
    Amending,
    BcpAccepted,
    BcpNew,
    BcpQueued,
    BcpReleased,
    BcpSubmitted,
    BcpValidated,
    Cancelled,
    ChangingDestination,
    ConfigurationError,
    ControlRequest,
    CreditPending,
    CustomsError,
    CustomsInformationRequest,
    CustomsRequestsAmendment,
    CustomsRequestsInvalidation,
    Delivered,
    Departed,
    Discharged,
    Diverted,
    DocumentControl,
    ExitConfirmationNotYetReceived,
    ExitConfirmed,
    GoodsArrived,
    GoodsNotArrived,
    InProgress,
    Invalid,
    // Not in the partial, alphabetical list the documentation pages give
    // (it stops at `Invalid`), but the end of a release flow; kept as a
    // variant for convenience. It reads and writes like any other value.
    Released,
);

impl std::fmt::Display for DeclarationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DeclarationStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DeclarationStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(DeclarationStatus::parse(&String::deserialize(d)?))
    }
}
