# A verifying scheme never connects to a server it should not trust; a
# non-verifying one does; a listener that requires a client certificate
# refuses a device that has none.
# Sources: ESP-AT MQTT spec, <scheme> (3/5/8/10 verify the server certificate;
# 2/7 do not; 4/5/9/10 provide a client certificate); ESP-AT reference §2.3
# and esp-at#427/#478/#699 (a failed connect prints +MQTTDISCONNECTED:0, then
# ERROR), §2.3/§2.7 (the connect path has a host-name check with its own code,
# 0x6052 AT_MQTT_HOSTNAME_VERIFY_FAILED). Which failures carry 0x6052 is not
# public: here, only the one where the certificate is valid but names another
# host.
@tls @schemes @esp32
Feature: Certificate verification on the TLS schemes

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Scenario Outline: scheme <scheme> refuses a server whose certificate is <what>
    Given I have sent AT+MQTTUSERCFG=0,<scheme>,"tls-neg-<scheme>","","",0,0,"<path>"
    When I send AT+MQTTCONN=0,"{broker.host}",{port.<listener>},0
    Then the device answers ERROR
    And the device reports +MQTTDISCONNECTED:0
    And the broker saw a handshake fail on the "<listener>" listener
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,1,<scheme>,"","","",0
      OK
      """

    Examples:
      | scheme | listener      | path  | what                      |
      | 3      | tls.untrusted |       | from an untrusted CA      |
      | 3      | tls.expired   |       | expired                   |
      | 5      | tls.untrusted |       | from an untrusted CA      |
      | 5      | tls.expired   |       | expired                   |
      | 8      | wss.untrusted | /mqtt | from an untrusted CA      |
      | 8      | wss.expired   | /mqtt | expired                   |
      | 10     | wss.untrusted | /mqtt | from an untrusted CA      |
      | 10     | wss.expired   | /mqtt | expired                   |

  Scenario Outline: scheme <scheme> refuses a certificate for another host name with 0x6052
    Given I have sent AT+MQTTUSERCFG=0,<scheme>,"tls-host-<scheme>","","",0,0,"<path>"
    When I send AT+MQTTCONN=0,"{broker.host}",{port.<listener>},0
    Then the device answers:
      """
      ERR CODE:0x010a6052
      ERROR
      """
    And the device reports +MQTTDISCONNECTED:0
    And the broker saw a handshake fail on the "<listener>" listener

    Examples:
      | scheme | listener      | path  |
      | 3      | tls.wronghost |       |
      | 5      | tls.wronghost |       |
      | 8      | wss.wronghost | /mqtt |
      | 10     | wss.wronghost | /mqtt |

  Scenario Outline: non-verifying scheme <scheme> still connects to a server whose certificate is <what>
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,<scheme>,"tls-any-<scheme>","","",0,0,"<path>"
      AT+MQTTCONN=0,"{broker.host}",{port.<listener>},0
      """
    Then the broker saw the connection of "tls-any-<scheme>" arrive with:
      | listener | <listener> |
      | tls      | yes        |

    Examples:
      | scheme | listener      | path  | what                 |
      | 2      | tls.untrusted |       | from an untrusted CA |
      | 2      | tls.wronghost |       | for another host     |
      | 2      | tls.expired   |       | expired              |
      | 7      | wss.untrusted | /mqtt | from an untrusted CA |
      | 7      | wss.wronghost | /mqtt | for another host     |
      | 7      | wss.expired   | /mqtt | expired              |

  Scenario Outline: scheme <scheme>, which has no client certificate, is refused where one is required
    Given I have sent AT+MQTTUSERCFG=0,<scheme>,"tls-nocert-<scheme>","","",0,0,"<path>"
    When I send AT+MQTTCONN=0,"{broker.host}",{port.<listener>},0
    Then the device answers ERROR
    And the device reports +MQTTDISCONNECTED:0
    And the broker saw a handshake fail on the "<listener>" listener

    Examples:
      | scheme | listener | path  |
      | 2      | mtls     |       |
      | 3      | mtls     |       |
      | 7      | mwss     | /mqtt |
      | 8      | mwss     | /mqtt |
