//! The seed's roles and what each may do.

/// A user role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `BMC-External`: SFTP access only, nothing on the API.
    External,
    /// `BMC-Viewer`: reads.
    Viewer,
    /// `BMC-Operator`: uploads and reads invoices.
    Operator,
    /// `BMC-Admin`: everything.
    Admin,
}

impl Role {
    /// `admin`, `operator`, `viewer`, `external`, or the seed's group names (`BMC-Admin`),
    /// in any case.
    pub fn parse(name: &str) -> Option<Role> {
        let name = name.to_ascii_lowercase();
        match name.strip_prefix("bmc-").unwrap_or(&name) {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "viewer" => Some(Role::Viewer),
            "external" => Some(Role::External),
            _ => None,
        }
    }

    /// The role's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
            Role::External => "external",
        }
    }

    /// True when the role may use a route that needs `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Public => true,
            Permission::Read => self >= Role::Viewer,
            Permission::Write => self >= Role::Operator,
            Permission::Admin => self == Role::Admin,
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// No token (health, readiness, metrics, the API description).
    Public,
    /// Viewer, Operator or Admin.
    Read,
    /// Operator or Admin.
    Write,
    /// Admin.
    Admin,
}

impl Permission {
    /// The least role that has it, for the API description.
    pub fn least_role(self) -> Option<Role> {
        match self {
            Permission::Public => None,
            Permission::Read => Some(Role::Viewer),
            Permission::Write => Some(Role::Operator),
            Permission::Admin => Some(Role::Admin),
        }
    }
}
