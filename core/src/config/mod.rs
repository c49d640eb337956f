//! Configuration: YAML per the external contract, `${VAR}` / `${VAR:-default}` expanded from the
//! environment, unknown keys refused, every problem collected with its file and config path.

mod env;
mod error;
mod load;
mod raw;
mod types;

pub use env::expand_env;
pub use error::{ConfigError, ConfigErrors, suggest};
pub use load::{Loaded, load_file, load_str};
pub use raw::{
    AckConfig, AuthConfig, Config, DecodeConfig, DispatcherConfig, EncodeConfig, HmacConfig, IngestConfig,
    InterchangeConfig, PartnerConfig, RetryConfig, RouteConfig, SinkConfig, SourceConfig,
};
pub use types::{ByteSize, HumanDuration};
