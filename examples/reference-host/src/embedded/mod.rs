//! The embedded default of each capability: everything on one machine, under the data
//! folder, with nothing to install.

mod bus;
mod files;
mod mail_outbox;
mod smtp;
pub(crate) mod sqlite;
mod sqlite_queue;
mod sqlite_state;
mod tesseract;

pub use bus::RoutingBus;
pub use files::FileStorage;
pub use mail_outbox::MailOutbox;
pub use smtp::Smtp;
pub use sqlite::Db;
pub use sqlite_queue::SqliteQueue;
pub use sqlite_state::SqliteState;
pub use tesseract::Tesseract;
