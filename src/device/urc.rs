//! Which device lines are unsolicited result codes (URCs).
//!
//! URCs may arrive at any time, even in the middle of another command's
//! response (ESP-AT reference §3 "URCs"), so the session sets them aside
//! instead of handing them to the command that happens to be waiting.

/// Line prefixes that mark a URC on ESP-AT and W800-AT.
const URC_PREFIXES: &[&str] = &[
    "+MQTTCONNECTED:",
    "+MQTTDISCONNECTED:",
    "+MQTTSUBRECV:",
    "+MQTTPUB:",
    "+TIME_UPDATED",
    "+ERRNO:",
    "WIFI CONNECTED",
    "WIFI GOT IP",
    "WIFI DISCONNECT",
];

/// Whole lines that are URCs.
const URC_LINES: &[&str] = &["ready"];

/// True when `line` is an unsolicited result code rather than part of a command response.
pub fn is_urc(line: &str) -> bool {
    URC_LINES.contains(&line) || URC_PREFIXES.iter().any(|p| line.starts_with(p))
}

/// The ways a command response can end. `CMD FORMAT ERR` (no such command) and `CMD PARSE ERR`
/// (parameters not in the required format) are W800-AT's (W800 reference §2.1).
pub fn is_final_result(line: &str) -> bool {
    matches!(line, "OK" | "ERROR" | "SEND OK" | "SEND FAIL" | "busy p..." | "CMD FORMAT ERR" | "CMD PARSE ERR")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mqtt_urcs_are_recognised() {
        assert!(is_urc("+MQTTCONNECTED:0,1,\"h\",\"1883\",\"\",0"));
        assert!(is_urc("+MQTTPUB:OK"));
        assert!(is_urc("ready"));
    }

    #[test]
    fn query_replies_are_not_urcs() {
        assert!(!is_urc("+MQTTCONN:0,4,1,\"h\",\"1883\",\"\",0"));
        assert!(!is_urc("+MQTTSUB:0,6,\"t\",1"));
        assert!(!is_urc("already ready"));
    }

    #[test]
    fn final_results() {
        assert!(is_final_result("OK"));
        assert!(is_final_result("busy p..."));
        assert!(is_final_result("CMD FORMAT ERR"));
        assert!(is_final_result("CMD PARSE ERR"));
        assert!(!is_final_result("+MQTTPUB:OK"));
    }
}
