# AT+MQTTCONNCFG: keepalive, clean session and last will.
# Sources: ESP-AT MQTT spec, AT+MQTTCONNCFG (keepalive 0..7200, 0 forced to
# 120 s; disable_clean_session 0/1; lwt_topic 128; lwt_msg 64; lwt_qos 0..2;
# lwt_retain 0/1) and the error-code table; ESP-AT reference §2.3 (state 2
# after CONNCFG) and §2.4 (limits). The shipped binary allows a 128-byte
# lwt_msg (reference §2.4); the spec's 64 wins (design: "explicit sentence").
@conncfg @esp32 @esp8266
Feature: AT+MQTTCONNCFG sets keepalive, clean session and the last will

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1
    And I have sent AT+MQTTUSERCFG=0,1,"conncfg-1","","",0,0,""

  Scenario: CONNCFG moves the link to state 2
    When I send AT+MQTTCONNCFG=0,60,0,"","",0,0
    Then the device answers OK
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,2,1,"","","",0
      OK
      """

  Scenario: keepalive, clean session and will reach the broker in CONNECT
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTCONNCFG=0,45,1,"conncfg/will","gone",1,1
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "conncfg-1" with:
      | keepalive     | 45           |
      | clean session | 0            |
      | will topic    | conncfg/will |
      | will message  | gone         |
      | will qos      | 1            |
      | will retain   | 1            |

  Scenario: keepalive 0 is sent as 120 seconds
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTCONNCFG=0,0,0,"","",0,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "conncfg-1" with:
      | keepalive     | 120    |
      | clean session | 1      |
      | will topic    | (none) |

  Scenario: keepalive 7200 is accepted and sent as is
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTCONNCFG=0,7200,0,"","",0,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "conncfg-1" with:
      | keepalive | 7200 |

  Scenario: the will is published by the broker when the device drops off
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTCONNCFG=0,60,0,"conncfg/lwt","device lost",0,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When the broker cuts the connection of "conncfg-1"
    Then the device reports +MQTTDISCONNECTED:0
    And the broker delivered "device lost" on "conncfg/lwt" to subscribers

  Scenario: a 128-byte will topic is accepted
    When I send AT+MQTTCONNCFG=0,60,0,"{128 x 't'}","m",0,0
    Then the device answers OK

  Scenario: a 64-byte will message is accepted
    When I send AT+MQTTCONNCFG=0,60,0,"t","{64 x 'm'}",0,0
    Then the device answers OK

  Scenario Outline: out-of-range values are refused with their error code
    When I send AT+MQTTCONNCFG=<link>,<keepalive>,<clean>,"<topic>","<msg>",<qos>,<retain>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | link | keepalive | clean | topic         | msg          | qos | retain | code       |
      | 1    | 60        | 0     | t             | m            | 0   | 0      | 0x010a6011 |
      | 0    | 7201      | 0     | t             | m            | 0   | 0      | 0x010a602d |
      | 0    | 60        | 2     | t             | m            | 0   | 0      | 0x010a602f |
      | 0    | 60        | 0     | {129 x 't'}   | m            | 0   | 0      | 0x010a6032 |
      | 0    | 60        | 0     | t             | m            | 3   | 0      | 0x010a6037 |
      | 0    | 60        | 0     | t             | m            | 0   | 2      | 0x010a6039 |

  # The shipped binary only rejects lwt_msg over 128 bytes (ESP-AT reference
  # §2.4); the spec's 64 is asserted.
  @deviation @shipped_lwt_msg_128
  Scenario: a 65-byte will message is refused
    When I send AT+MQTTCONNCFG=0,60,0,"t","{65 x 'm'}",0,0
    Then the device answers:
      """
      ERR CODE:0x010a6035
      ERROR
      """

  Scenario: CONNCFG before USERCFG is refused
    Given I have sent AT+MQTTCLEAN=0
    When I send AT+MQTTCONNCFG=0,60,0,"","",0,0
    Then the device answers:
      """
      ERR CODE:0x010a6001
      ERROR
      """
