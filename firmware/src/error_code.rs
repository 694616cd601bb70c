//! The firmware's error codes and the `ERR CODE:` line that reports them.
//!
//! Values come from the spec's MQTT error table; the line layout from ESP-AT reference §2.2
//! (`ERR CODE:0x%08x`, category 0x01, subcategory in bits 23..16, MQTT codes under 0x0A).

/// ESP-AT reference §2.2: every MQTT code is reported under subcategory CMD_EXEC_FAIL (0x0A).
const MQTT_BASE: u32 = 0x010A_0000;
/// ESP-AT reference §2.2: subcategory UNSUPPORT_CMD, e.g. `AT+FAKE`.
const UNSUPPORTED_CMD: u32 = 0x0109_0000;
/// ESP-AT reference §2.2: subcategory PARA_PARSE_FAIL; esp-at#647 shows `0x01080002` for parameter 2.
const PARA_PARSE_FAIL: u32 = 0x0108_0000;
/// ESP-AT reference §2.2 and §3: subcategory NO_AT, a line not starting with uppercase `AT`.
const NO_AT: u32 = 0x0103_0000;

/// MQTT error codes of the spec's error table that this firmware raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[repr(u16)]
#[allow(missing_docs)] // each variant is named after the spec's AT_MQTT_* constant
pub enum MqttCode {
    #[error("AT_MQTT_NO_CONFIGURED")]
    NoConfigured = 0x6001,
    #[error("AT_MQTT_NOT_IN_CONFIGURED_STATE")]
    NotInConfiguredState = 0x6002,
    #[error("AT_MQTT_UNINITIATED_OR_ALREADY_CLEAN")]
    UninitiatedOrAlreadyClean = 0x6003,
    #[error("AT_MQTT_ALREADY_CONNECTED")]
    AlreadyConnected = 0x6004,
    #[error("AT_MQTT_MALLOC_FAILED")]
    MallocFailed = 0x6005,
    #[error("AT_MQTT_NULL_LINK")]
    NullLink = 0x6006,
    #[error("AT_MQTT_NULL_PARAMTER")]
    NullParamter = 0x6007,
    #[error("AT_MQTT_PARAMETER_COUNTS_IS_WRONG")]
    ParameterCountsIsWrong = 0x6008,
    #[error("AT_MQTT_TLS_CONFIG_ERROR")]
    TlsConfigError = 0x6009,
    #[error("AT_MQTT_PARAM_PREPARE_ERROR")]
    ParamPrepareError = 0x600A,
    #[error("AT_MQTT_CLIENT_START_FAILED")]
    ClientStartFailed = 0x600B,
    #[error("AT_MQTT_CLIENT_PUBLISH_FAILED")]
    ClientPublishFailed = 0x600C,
    #[error("AT_MQTT_CLIENT_SUBSCRIBE_FAILED")]
    ClientSubscribeFailed = 0x600D,
    #[error("AT_MQTT_CLIENT_UNSUBSCRIBE_FAILED")]
    ClientUnsubscribeFailed = 0x600E,
    #[error("AT_MQTT_CLIENT_DISCONNECT_FAILED")]
    ClientDisconnectFailed = 0x600F,
    #[error("AT_MQTT_LINK_ID_READ_FAILED")]
    LinkIdReadFailed = 0x6010,
    #[error("AT_MQTT_LINK_ID_VALUE_IS_WRONG")]
    LinkIdValueIsWrong = 0x6011,
    #[error("AT_MQTT_SCHEME_READ_FAILED")]
    SchemeReadFailed = 0x6012,
    #[error("AT_MQTT_SCHEME_VALUE_IS_WRONG")]
    SchemeValueIsWrong = 0x6013,
    #[error("AT_MQTT_CLIENT_ID_READ_FAILED")]
    ClientIdReadFailed = 0x6014,
    #[error("AT_MQTT_CLIENT_ID_IS_NULL")]
    ClientIdIsNull = 0x6015,
    #[error("AT_MQTT_CLIENT_ID_IS_OVERLENGTH")]
    ClientIdIsOverlength = 0x6016,
    #[error("AT_MQTT_USERNAME_READ_FAILED")]
    UsernameReadFailed = 0x6017,
    #[error("AT_MQTT_USERNAME_IS_NULL")]
    UsernameIsNull = 0x6018,
    #[error("AT_MQTT_USERNAME_IS_OVERLENGTH")]
    UsernameIsOverlength = 0x6019,
    #[error("AT_MQTT_PASSWORD_READ_FAILED")]
    PasswordReadFailed = 0x601A,
    #[error("AT_MQTT_PASSWORD_IS_NULL")]
    PasswordIsNull = 0x601B,
    #[error("AT_MQTT_PASSWORD_IS_OVERLENGTH")]
    PasswordIsOverlength = 0x601C,
    #[error("AT_MQTT_CERT_KEY_ID_READ_FAILED")]
    CertKeyIdReadFailed = 0x601D,
    #[error("AT_MQTT_CERT_KEY_ID_VALUE_IS_WRONG")]
    CertKeyIdValueIsWrong = 0x601E,
    #[error("AT_MQTT_CA_ID_READ_FAILED")]
    CaIdReadFailed = 0x601F,
    #[error("AT_MQTT_CA_ID_VALUE_IS_WRONG")]
    CaIdValueIsWrong = 0x6020,
    #[error("AT_MQTT_CA_LENGTH_ERROR")]
    CaLengthError = 0x6021,
    #[error("AT_MQTT_CA_READ_FAILED")]
    CaReadFailed = 0x6022,
    #[error("AT_MQTT_CERT_LENGTH_ERROR")]
    CertLengthError = 0x6023,
    #[error("AT_MQTT_CERT_READ_FAILED")]
    CertReadFailed = 0x6024,
    #[error("AT_MQTT_KEY_LENGTH_ERROR")]
    KeyLengthError = 0x6025,
    #[error("AT_MQTT_KEY_READ_FAILED")]
    KeyReadFailed = 0x6026,
    #[error("AT_MQTT_PATH_READ_FAILED")]
    PathReadFailed = 0x6027,
    #[error("AT_MQTT_PATH_IS_NULL")]
    PathIsNull = 0x6028,
    #[error("AT_MQTT_PATH_IS_OVERLENGTH")]
    PathIsOverlength = 0x6029,
    #[error("AT_MQTT_VERSION_READ_FAILED")]
    VersionReadFailed = 0x602A,
    #[error("AT_MQTT_KEEPALIVE_READ_FAILED")]
    KeepaliveReadFailed = 0x602B,
    #[error("AT_MQTT_KEEPALIVE_IS_NULL")]
    KeepaliveIsNull = 0x602C,
    #[error("AT_MQTT_KEEPALIVE_VALUE_IS_WRONG")]
    KeepaliveValueIsWrong = 0x602D,
    #[error("AT_MQTT_DISABLE_CLEAN_SESSION_READ_FAILED")]
    DisableCleanSessionReadFailed = 0x602E,
    #[error("AT_MQTT_DISABLE_CLEAN_SESSION_VALUE_IS_WRONG")]
    DisableCleanSessionValueIsWrong = 0x602F,
    #[error("AT_MQTT_LWT_TOPIC_READ_FAILED")]
    LwtTopicReadFailed = 0x6030,
    #[error("AT_MQTT_LWT_TOPIC_IS_NULL")]
    LwtTopicIsNull = 0x6031,
    #[error("AT_MQTT_LWT_TOPIC_IS_OVERLENGTH")]
    LwtTopicIsOverlength = 0x6032,
    #[error("AT_MQTT_LWT_MSG_READ_FAILED")]
    LwtMsgReadFailed = 0x6033,
    #[error("AT_MQTT_LWT_MSG_IS_NULL")]
    LwtMsgIsNull = 0x6034,
    #[error("AT_MQTT_LWT_MSG_IS_OVERLENGTH")]
    LwtMsgIsOverlength = 0x6035,
    #[error("AT_MQTT_LWT_QOS_READ_FAILED")]
    LwtQosReadFailed = 0x6036,
    #[error("AT_MQTT_LWT_QOS_VALUE_IS_WRONG")]
    LwtQosValueIsWrong = 0x6037,
    #[error("AT_MQTT_LWT_RETAIN_READ_FAILED")]
    LwtRetainReadFailed = 0x6038,
    #[error("AT_MQTT_LWT_RETAIN_VALUE_IS_WRONG")]
    LwtRetainValueIsWrong = 0x6039,
    #[error("AT_MQTT_HOST_READ_FAILED")]
    HostReadFailed = 0x603A,
    #[error("AT_MQTT_HOST_IS_NULL")]
    HostIsNull = 0x603B,
    #[error("AT_MQTT_HOST_IS_OVERLENGTH")]
    HostIsOverlength = 0x603C,
    #[error("AT_MQTT_PORT_READ_FAILED")]
    PortReadFailed = 0x603D,
    #[error("AT_MQTT_PORT_VALUE_IS_WRONG")]
    PortValueIsWrong = 0x603E,
    #[error("AT_MQTT_RECONNECT_READ_FAILED")]
    ReconnectReadFailed = 0x603F,
    #[error("AT_MQTT_RECONNECT_VALUE_IS_WRONG")]
    ReconnectValueIsWrong = 0x6040,
    #[error("AT_MQTT_TOPIC_READ_FAILED")]
    TopicReadFailed = 0x6041,
    #[error("AT_MQTT_TOPIC_IS_NULL")]
    TopicIsNull = 0x6042,
    #[error("AT_MQTT_TOPIC_IS_OVERLENGTH")]
    TopicIsOverlength = 0x6043,
    #[error("AT_MQTT_DATA_READ_FAILED")]
    DataReadFailed = 0x6044,
    #[error("AT_MQTT_DATA_IS_NULL")]
    DataIsNull = 0x6045,
    #[error("AT_MQTT_DATA_IS_OVERLENGTH")]
    DataIsOverlength = 0x6046,
    #[error("AT_MQTT_QOS_READ_FAILED")]
    QosReadFailed = 0x6047,
    #[error("AT_MQTT_QOS_VALUE_IS_WRONG")]
    QosValueIsWrong = 0x6048,
    #[error("AT_MQTT_RETAIN_READ_FAILED")]
    RetainReadFailed = 0x6049,
    #[error("AT_MQTT_RETAIN_VALUE_IS_WRONG")]
    RetainValueIsWrong = 0x604A,
    #[error("AT_MQTT_PUBLISH_LENGTH_READ_FAILED")]
    PublishLengthReadFailed = 0x604B,
    #[error("AT_MQTT_PUBLISH_LENGTH_VALUE_IS_WRONG")]
    PublishLengthValueIsWrong = 0x604C,
    #[error("AT_MQTT_RECV_LENGTH_IS_WRONG")]
    RecvLengthIsWrong = 0x604D,
    #[error("AT_MQTT_CREATE_SEMA_FAILED")]
    CreateSemaFailed = 0x604E,
    #[error("AT_MQTT_CREATE_EVENT_GROUP_FAILED")]
    CreateEventGroupFailed = 0x604F,
    #[error("AT_MQTT_URI_PARSE_FAILED")]
    UriParseFailed = 0x6050,
    #[error("AT_MQTT_IN_DISCONNECTED_STATE")]
    InDisconnectedState = 0x6051,
    #[error("AT_MQTT_HOSTNAME_VERIFY_FAILED")]
    HostnameVerifyFailed = 0x6052,
}

impl MqttCode {
    /// The code's number from the spec's table, e.g. 0x6006.
    pub fn value(self) -> u16 {
        self as u16
    }

    /// A parameter that could not be read (missing, of the wrong type) or a parameter count that is
    /// wrong, as opposed to a value that was read and refused.
    pub fn is_read_failure(self) -> bool {
        matches!(
            self,
            Self::ParameterCountsIsWrong
                | Self::LinkIdReadFailed
                | Self::SchemeReadFailed
                | Self::ClientIdReadFailed
                | Self::UsernameReadFailed
                | Self::PasswordReadFailed
                | Self::CertKeyIdReadFailed
                | Self::CaIdReadFailed
                | Self::PathReadFailed
                | Self::KeepaliveReadFailed
                | Self::DisableCleanSessionReadFailed
                | Self::LwtTopicReadFailed
                | Self::LwtMsgReadFailed
                | Self::LwtQosReadFailed
                | Self::LwtRetainReadFailed
                | Self::HostReadFailed
                | Self::PortReadFailed
                | Self::ReconnectReadFailed
                | Self::TopicReadFailed
                | Self::DataReadFailed
                | Self::QosReadFailed
                | Self::RetainReadFailed
                | Self::PublishLengthReadFailed
        )
    }

    /// ESP-AT reference §2.2: the *_IS_NULL codes are only logged as warnings and the empty value is accepted.
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            Self::ClientIdIsNull
                | Self::UsernameIsNull
                | Self::PasswordIsNull
                | Self::PathIsNull
                | Self::KeepaliveIsNull
                | Self::LwtTopicIsNull
                | Self::LwtMsgIsNull
        )
    }
}

/// Why a command ended in `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// An MQTT command failed with a code from the spec's table.
    #[error("{0} (0x{v:04x})", v = .0.value())]
    Mqtt(#[from] MqttCode),
    /// A string parameter the core could not parse (an unterminated quote, text after the closing quote):
    /// the core's PARA_PARSE_FAIL code for its index is printed before the MQTT code (esp-at#647).
    #[error("parameter {index} unparsable, then {code} (0x{v:04x})", v = .code.value())]
    Unparsable {
        /// The parameter's 0-based index, the extension of the core's code.
        index: u16,
        /// The MQTT command's own read failure.
        code: MqttCode,
    },
    /// A failure the firmware reports without any error code (e.g. timeout_ms out of range, ref §2.2).
    #[error("error without code")]
    Plain,
    /// The command name is not known, or it does not support this form (set, query, execute, test).
    #[error("unsupported command")]
    Unsupported,
    /// The line did not start with uppercase `AT`.
    #[error("line does not start with AT")]
    NoAt,
    /// A refusal with a notice line before the final result (e.g. `ALREADY FULL SUBSCRIBE`).
    #[error("refused: {0}")]
    Notice(&'static str),
}

impl CommandError {
    /// No command of that name or form: the command itself is unknown.
    pub fn is_unknown_command(self) -> bool {
        matches!(self, Self::Unsupported | Self::NoAt)
    }

    /// A parameter that is missing, of the wrong type, or one too many.
    pub fn is_parse_failure(self) -> bool {
        matches!(self, Self::Unparsable { .. }) || matches!(self, Self::Mqtt(code) if code.is_read_failure())
    }

    /// The core's own code printed before the command's (ESP-AT reference §2.2, subcategory
    /// PARA_PARSE_FAIL 0x08, extension = parameter index; esp-at#647).
    pub fn core_code(self) -> Option<u32> {
        match self {
            Self::Unparsable { index, .. } => Some(PARA_PARSE_FAIL | u32::from(index)),
            _ => None,
        }
    }

    /// The 32-bit value of the (last) `ERR CODE:` line, if this error has one.
    pub fn err_code(self) -> Option<u32> {
        match self {
            Self::Mqtt(code) | Self::Unparsable { code, .. } => Some(MQTT_BASE | u32::from(code.value())),
            Self::Plain | Self::Notice(_) => None,
            Self::Unsupported => Some(UNSUPPORTED_CMD),
            Self::NoAt => Some(NO_AT),
        }
    }
}

/// ESP-AT reference §2.2: `ERR CODE:0x%08x\r\n`, lowercase, 8 digits.
pub fn err_code_line(value: u32) -> String {
    format!("ERR CODE:0x{value:08x}\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mqtt_code_line_is_lowercase_eight_digits() {
        let v = CommandError::Mqtt(MqttCode::NullLink).err_code().unwrap();
        assert_eq!(err_code_line(v), "ERR CODE:0x010a6006\r\n");
        let v = CommandError::Mqtt(MqttCode::TopicIsOverlength).err_code().unwrap();
        assert_eq!(err_code_line(v), "ERR CODE:0x010a6043\r\n");
    }

    #[test]
    fn unsupported_and_no_at_have_their_subcategories() {
        assert_eq!(err_code_line(CommandError::Unsupported.err_code().unwrap()), "ERR CODE:0x01090000\r\n");
        assert_eq!(err_code_line(CommandError::NoAt.err_code().unwrap()), "ERR CODE:0x01030000\r\n");
    }

    #[test]
    fn unparsable_string_has_the_core_line_first() {
        let e = CommandError::Unparsable { index: 2, code: MqttCode::DataReadFailed };
        assert_eq!(err_code_line(e.core_code().unwrap()), "ERR CODE:0x01080002\r\n");
        assert_eq!(err_code_line(e.err_code().unwrap()), "ERR CODE:0x010a6044\r\n");
        assert_eq!(CommandError::Mqtt(MqttCode::DataReadFailed).core_code(), None);
    }

    #[test]
    fn plain_error_has_no_code() {
        assert_eq!(CommandError::Plain.err_code(), None);
    }

    #[test]
    fn read_failures_and_counts_are_parse_failures() {
        assert!(CommandError::Mqtt(MqttCode::PortReadFailed).is_parse_failure());
        assert!(CommandError::Mqtt(MqttCode::ParameterCountsIsWrong).is_parse_failure());
        assert!(!CommandError::Mqtt(MqttCode::PortValueIsWrong).is_parse_failure());
        assert!(!CommandError::Mqtt(MqttCode::HostIsNull).is_parse_failure());
        assert!(!CommandError::Plain.is_parse_failure());
        assert!(CommandError::Unsupported.is_unknown_command());
    }

    #[test]
    fn only_is_null_codes_are_warnings() {
        assert!(MqttCode::ClientIdIsNull.is_warning());
        assert!(MqttCode::LwtMsgIsNull.is_warning());
        assert!(!MqttCode::ClientIdIsOverlength.is_warning());
        assert!(!MqttCode::NullLink.is_warning());
    }
}
