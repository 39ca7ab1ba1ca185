//! Identity document types (DIAN's "tipos de documento") and the final-consumer id.

use std::fmt;

use crate::error_kind::ErrorKind;

/// The id number DIAN reserves for an unidentified final consumer ("consumidor final").
/// An invoice to this buyer cannot be registered.
pub const FINAL_CONSUMER_ID: &str = "222222222222";

/// Whether `number` is the final-consumer id, ignoring separators and surrounding space.
pub fn is_final_consumer(number: &str) -> bool {
    crate::dian::nit::compact(number) == FINAL_CONSUMER_ID
}

/// An identity document type from DIAN's code list (UBL `CompanyID/@schemeName`).
///
/// ```
/// use bmc_core::dian::IdType;
///
/// let t = IdType::parse("31")?;
/// assert_eq!(t, IdType::Nit);
/// assert!(t.has_check_digit());
/// assert_eq!(t.name(), "NIT");
/// # Ok::<(), bmc_core::dian::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum IdType {
    /// 11: registro civil.
    RegistroCivil,
    /// 12: tarjeta de identidad.
    TarjetaIdentidad,
    /// 13: cédula de ciudadanía.
    CedulaCiudadania,
    /// 21: tarjeta de extranjería.
    TarjetaExtranjeria,
    /// 22: cédula de extranjería.
    CedulaExtranjeria,
    /// 31: NIT, the only type with a dígito de verificación.
    Nit,
    /// 41: pasaporte.
    Pasaporte,
    /// 42: documento de identificación extranjero.
    DocumentoExtranjero,
    /// 47: PEP (permiso especial de permanencia).
    Pep,
    /// 48: PPT (permiso por protección temporal).
    Ppt,
    /// 50: NIT de otro país.
    NitOtroPais,
    /// 91: NUIP.
    Nuip,
}

impl IdType {
    /// Every type, in code order.
    pub const ALL: [IdType; 12] = [
        IdType::RegistroCivil,
        IdType::TarjetaIdentidad,
        IdType::CedulaCiudadania,
        IdType::TarjetaExtranjeria,
        IdType::CedulaExtranjeria,
        IdType::Nit,
        IdType::Pasaporte,
        IdType::DocumentoExtranjero,
        IdType::Pep,
        IdType::Ppt,
        IdType::NitOtroPais,
        IdType::Nuip,
    ];

    /// Parses DIAN's two-digit code (`"31"`), ignoring surrounding white space.
    pub fn parse(code: &str) -> Result<IdType, IdError> {
        let code = code.trim();
        IdType::ALL
            .into_iter()
            .find(|t| t.code() == code)
            .ok_or_else(|| IdError::UnknownType {
                code: code.to_owned(),
            })
    }

    /// DIAN's two-digit code.
    pub fn code(self) -> &'static str {
        match self {
            IdType::RegistroCivil => "11",
            IdType::TarjetaIdentidad => "12",
            IdType::CedulaCiudadania => "13",
            IdType::TarjetaExtranjeria => "21",
            IdType::CedulaExtranjeria => "22",
            IdType::Nit => "31",
            IdType::Pasaporte => "41",
            IdType::DocumentoExtranjero => "42",
            IdType::Pep => "47",
            IdType::Ppt => "48",
            IdType::NitOtroPais => "50",
            IdType::Nuip => "91",
        }
    }

    /// The type's name in Spanish.
    pub fn name(self) -> &'static str {
        match self {
            IdType::RegistroCivil => "Registro civil",
            IdType::TarjetaIdentidad => "Tarjeta de identidad",
            IdType::CedulaCiudadania => "Cédula de ciudadanía",
            IdType::TarjetaExtranjeria => "Tarjeta de extranjería",
            IdType::CedulaExtranjeria => "Cédula de extranjería",
            IdType::Nit => "NIT",
            IdType::Pasaporte => "Pasaporte",
            IdType::DocumentoExtranjero => "Documento de identificación extranjero",
            IdType::Pep => "PEP",
            IdType::Ppt => "PPT",
            IdType::NitOtroPais => "NIT de otro país",
            IdType::Nuip => "NUIP",
        }
    }

    /// Whether numbers of this type carry a dígito de verificación (only NIT does).
    pub fn has_check_digit(self) -> bool {
        self == IdType::Nit
    }

    /// Whether its numbers are digits only: the NIT, the cédula de ciudadanía, the tarjeta
    /// de identidad and the NUIP (a passport or a foreign document may carry letters).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            IdType::Nit | IdType::CedulaCiudadania | IdType::TarjetaIdentidad | IdType::Nuip
        )
    }
}

impl fmt::Display for IdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// Why an identity document type or number is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The code is not in DIAN's list of identity document types.
    #[error(
        "unknown identity document type {code:?}; DIAN's codes are 11, 12, 13, 21, 22, 31, 41, 42, 47, 48, 50 and 91"
    )]
    UnknownType {
        /// The code as given.
        code: String,
    },
}

impl IdError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::UnknownType { .. } => "ID_TYPE_UNKNOWN",
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidComponent
    }
}

/// An id as printed: digits grouped by thousands with dots, then the check digit after a
/// dash when there is one (`830.054.321-2`); an id that is not all digits is printed as is.
pub fn format_id(id: &str, check_digit: Option<&str>) -> String {
    let mut grouped = String::with_capacity(id.len() + id.len() / 3 + 2);
    let digits = id.bytes().all(|b| b.is_ascii_digit());
    for (i, c) in id.chars().enumerate() {
        if digits && i > 0 && (id.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    match check_digit {
        Some(dv) => format!("{grouped}-{dv}"),
        None => grouped,
    }
}

/// The short label of an id type on printed documents (`NIT`, `C.C.`, `C.E.`, ...).
pub fn id_label(id_type: &str) -> &'static str {
    match id_type {
        "31" => "NIT",
        "13" => "C.C.",
        "22" => "C.E.",
        "41" => "Pasaporte",
        _ => "Doc.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for t in IdType::ALL {
            assert_eq!(IdType::parse(t.code()), Ok(t));
        }
        assert_eq!(IdType::parse("99").unwrap_err().code(), "ID_TYPE_UNKNOWN");
    }

    #[test]
    fn final_consumer_is_recognised_with_separators() {
        assert!(is_final_consumer("222.222.222.222"));
        assert!(!is_final_consumer("2222222222"));
    }
}
