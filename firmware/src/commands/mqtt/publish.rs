//! AT+MQTTPUB (string payload) and AT+MQTTPUBRAW (raw payload after a `>` prompt).

use std::time::Duration;

use super::{
    bytes_param, check_connected, count_in, int_in, link_id, qos, retain, timeout, topic, Mqtt, RawPurpose, StrCodes,
};
use crate::commands::{CommandResult, RawInput, Reply};
use crate::error_code::{CommandError, MqttCode};
use crate::faults::Fault;
use crate::link::OpResult;
use crate::params::Params;

/// ESP-AT reference §2.4 (bin): PUB data at most 256 bytes after unescaping; empty is an error.
const DATA: StrCodes =
    StrCodes { read: MqttCode::DataReadFailed, null: MqttCode::DataIsNull, over: MqttCode::DataIsOverlength, max: 256 };
/// The spec limits PUBRAW only by memory; 1 MiB is this firmware's "memory".
pub const MAX_RAW_LEN: i64 = 1024 * 1024;

/// A PUBRAW waiting for its raw bytes.
#[derive(Debug)]
pub struct RawPublish {
    /// The announced `<length>`, checked against what the line delivered.
    len: usize,
    topic: String,
    qos: u8,
    retain: bool,
    timeout: Duration,
}

/// `AT+MQTTPUB=<LinkID>,"topic","data",<qos>,<retain>[,<timeout_ms>]`
pub async fn publish(m: &mut Mqtt, p: &Params) -> CommandResult {
    count_in(p, 5..=6)?;
    link_id(p)?;
    check_connected(m.state())?;
    let topic = topic(p, 1)?;
    let data = bytes_param(p, 2, &DATA)?;
    let qos = qos(p, 3)?;
    let retain = retain(p, 4)?;
    let wait = timeout(p, 5, m.profile.timeout_param)?;
    // ESP-AT reference §2.5: the client's msg_id < 0 is the CLIENT_*_FAILED code, nothing is sent.
    m.inject(Fault::ClientPublish, MqttCode::ClientPublishFailed)?;
    match send(m, topic, qos, retain, data, wait).await {
        OpResult::Done => Ok(Reply::ok()),
        other => {
            tracing::info!(?other, "publish failed");
            Err(MqttCode::ClientPublishFailed.into())
        }
    }
}

/// `AT+MQTTPUBRAW=<LinkID>,"topic",<length>,<qos>,<retain>[,<timeout_ms>]`: validate, then ask for the bytes.
pub fn publish_raw(m: &mut Mqtt, p: &Params) -> CommandResult {
    count_in(p, 5..=6)?;
    link_id(p)?;
    check_connected(m.state())?;
    let topic = topic(p, 1)?;
    let len = int_in(p, 2, 1..=MAX_RAW_LEN, MqttCode::PublishLengthReadFailed, MqttCode::PublishLengthValueIsWrong)?;
    let qos = qos(p, 3)?;
    let retain = retain(p, 4)?;
    let timeout = timeout(p, 5, m.profile.timeout_param)?;
    let len = len as usize;
    if let Some(buffer) = m.profile.publish_buffer {
        // Spec AT+MQTTPUBRAW (ESP8266): the buffer holds the data plus the MQTT header, so the
        // limit depends on the topic; a length over it is a wrong <length> value.
        if publish_packet_len(topic.len(), qos, len) > buffer {
            return Err(MqttCode::PublishLengthValueIsWrong.into());
        }
    }
    let purpose = RawPurpose::Publish(RawPublish { len, topic, qos, retain, timeout });
    Ok(Reply::RawInput(RawInput { len, prompt: m.profile.pubraw_prompt, purpose: purpose.into() }))
}

/// The size of the MQTT 3.1.1 PUBLISH packet (§3.3): one byte of packet type and flags, the
/// remaining length (1 to 4 bytes, 7 bits each), the 2-byte topic length, the topic, the 2-byte
/// packet identifier when QoS > 0, then the data.
pub fn publish_packet_len(topic_len: usize, qos: u8, data_len: usize) -> usize {
    let remaining = 2 + topic_len + if qos > 0 { 2 } else { 0 } + data_len;
    let length_bytes = match remaining {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    };
    1 + length_bytes + remaining
}

/// ESP-AT reference §2.6: publish the raw bytes, then `+MQTTPUB:OK` or `+MQTTPUB:FAIL` with no final result.
///
/// Failing before anything is queued (a short read, the client refusing the publish) is a command
/// error instead, printed as `ERR CODE` and `ERROR` after the prompt.
pub async fn finish_raw(m: &mut Mqtt, raw: RawPublish, mut data: Vec<u8>) -> Result<(), CommandError> {
    if m.faults.take(Fault::RecvLength) {
        // As if the UART driver had lost a byte: the length check below is the firmware's own.
        data.pop();
    }
    if data.len() != raw.len {
        tracing::info!(announced = raw.len, received = data.len(), "raw data of the wrong length");
        return Err(MqttCode::RecvLengthIsWrong.into());
    }
    m.inject(Fault::ClientPublish, MqttCode::ClientPublishFailed)?;
    let result = send(m, raw.topic, raw.qos, raw.retain, data, raw.timeout).await;
    let line: &[u8] = if result == OpResult::Done {
        b"+MQTTPUB:OK\r\n"
    } else {
        tracing::info!(?result, "raw publish failed");
        b"+MQTTPUB:FAIL\r\n"
    };
    m.out.write(line);
    Ok(())
}

async fn send(m: &Mqtt, topic: String, qos: u8, retain: bool, data: Vec<u8>, wait: Duration) -> OpResult {
    match &m.link {
        // The connection may have dropped while the raw bytes were being typed.
        Some(l) if check_connected(m.state()).is_ok() => l.publish(&m.shared, topic, qos, retain, data, wait).await,
        _ => OpResult::Dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::CommandError;
    use crate::link::{self, state};
    use crate::output::Output;
    use crate::Quirks;

    fn connected() -> Mqtt {
        let m = Mqtt::new(Quirks::Spec, Output::channel().0);
        link::lock(&m.shared).state = state::CONNECTED;
        m
    }

    #[tokio::test]
    async fn publish_needs_connection() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        let err = publish(&mut m, &Params::parse(br#"0,"t","d",0,0"#)).await.unwrap_err();
        assert_eq!(err, MqttCode::NullLink.into());
        let err = publish(&mut m, &Params::parse(br#"1,"t","d",0,0"#)).await.unwrap_err();
        assert_eq!(err, MqttCode::LinkIdValueIsWrong.into(), "link is checked before state");
    }

    #[tokio::test]
    async fn publish_parameter_codes() {
        let mut m = connected();
        let cases = [
            (r#"0,"","d",0,0"#, CommandError::from(MqttCode::TopicIsNull)),
            (r#"0,"t","",0,0"#, MqttCode::DataIsNull.into()),
            (r#"0,"t",d,0,0"#, MqttCode::DataReadFailed.into()),
            (r#"0,"t","d",3,0"#, MqttCode::QosValueIsWrong.into()),
            (r#"0,"t","d",,0"#, MqttCode::QosReadFailed.into()),
            (r#"0,"t","d",0,2"#, MqttCode::RetainValueIsWrong.into()),
            (r#"0,"t","d",0,"#, MqttCode::RetainReadFailed.into()),
            (r#"0,"t","d",0"#, MqttCode::ParameterCountsIsWrong.into()),
            (r#"0,"t","a,b",0,0"#, CommandError::Unparsable { index: 2, code: MqttCode::DataReadFailed }),
            (r#"0,"t","d",0,0,1000"#, CommandError::Plain),
            (r#"0,"t","d",0,0,5000,1"#, MqttCode::ParameterCountsIsWrong.into()),
        ];
        for (text, err) in cases {
            assert_eq!(publish(&mut m, &Params::parse(text.as_bytes())).await.unwrap_err(), err, "{text}");
        }
        let long = format!(r#"0,"t","{}",0,0"#, "d".repeat(257));
        let err = publish(&mut m, &Params::parse(long.as_bytes())).await.unwrap_err();
        assert_eq!(err, MqttCode::DataIsOverlength.into());
    }

    #[tokio::test]
    async fn injected_publish_faults() {
        let m = connected();
        let faults = crate::faults::Faults::default();
        let mut m = m.with_faults(faults.clone());
        faults.arm(Fault::ClientPublish);
        let err = publish(&mut m, &Params::parse(br#"0,"t","d",0,0"#)).await.unwrap_err();
        assert_eq!(err, MqttCode::ClientPublishFailed.into());
        let raw = |len| RawPublish { len, topic: "t".into(), qos: 0, retain: false, timeout: Duration::from_secs(3) };
        faults.arm(Fault::RecvLength);
        assert_eq!(finish_raw(&mut m, raw(3), b"abc".to_vec()).await, Err(MqttCode::RecvLengthIsWrong.into()));
        faults.arm(Fault::ClientPublish);
        assert_eq!(finish_raw(&mut m, raw(3), b"abc".to_vec()).await, Err(MqttCode::ClientPublishFailed.into()));
        assert!(faults.armed().is_empty());
    }

    #[test]
    fn pubraw_length_range() {
        let mut m = connected();
        let mut err = |t: &str| publish_raw(&mut m, &Params::parse(t.as_bytes())).unwrap_err();
        assert_eq!(err(r#"0,"t",0,0,0"#), MqttCode::PublishLengthValueIsWrong.into());
        assert_eq!(err(r#"0,"t",1048577,0,0"#), MqttCode::PublishLengthValueIsWrong.into());
        assert_eq!(err(r#"0,"t",x,0,0"#), MqttCode::PublishLengthReadFailed.into());
        let ok = publish_raw(&mut m, &Params::parse(br#"0,"t",5,1,0"#)).unwrap();
        assert!(matches!(ok, Reply::RawInput(RawInput { len: 5, .. })));
    }

    #[test]
    fn packet_length_counts_the_whole_header() {
        assert_eq!(publish_packet_len(1, 0, 506), 512);
        assert_eq!(publish_packet_len(100, 1, 405), 512);
        // Remaining length 127 fits one byte, 128 needs two.
        assert_eq!(publish_packet_len(1, 0, 124), 1 + 1 + 127);
        assert_eq!(publish_packet_len(1, 0, 125), 1 + 2 + 128);
    }

    #[test]
    fn esp8266_refuses_a_pubraw_that_does_not_fit_its_buffer() {
        let mut m = connected().with_profile(&crate::profile::ESP8266);
        let mut run = |t: &str| publish_raw(&mut m, &Params::parse(t.as_bytes())).map(|_| ());
        assert_eq!(run(r#"0,"t",506,0,0"#), Ok(()));
        assert_eq!(run(r#"0,"t",507,0,0"#), Err(MqttCode::PublishLengthValueIsWrong.into()));
        assert_eq!(run(r#"0,"t",505,1,0"#), Err(MqttCode::PublishLengthValueIsWrong.into()));
        let mut esp32 = connected();
        assert!(publish_raw(&mut esp32, &Params::parse(br#"0,"t",507,0,0"#)).is_ok());
    }
}
