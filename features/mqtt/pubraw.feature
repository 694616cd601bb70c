# AT+MQTTPUBRAW: publish binary data after the > prompt.
# Sources: ESP-AT MQTT spec, AT+MQTTPUBRAW ("OK" then ">", then +MQTTPUB:OK
# or +MQTTPUB:FAIL); ESP-AT reference §2.6 (prompt bytes "\r\nOK\r\n\r\n>",
# exactly <length> raw bytes with no escaping and no echo, no OK after
# +MQTTPUB:OK), §2.3 (0x6006 when not connected) and §2.4 (length codes).
# How long a message may be on each chip: pubraw_buffer.feature.
@pubraw @esp32 @esp8266
Feature: AT+MQTTPUBRAW publishes binary data

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"pubraw-1","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """

    Scenario: raw data with CR, LF, NUL and commas is published byte for byte
      When I send AT+MQTTPUBRAW=0,"pubraw/bin",9,1,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "a,b\r\n\x00\"z\\"
      Then the device reports +MQTTPUB:OK
      And the broker received "a,b\r\n\x00\"z\\" on "pubraw/bin" with QoS 1, not retained

    Scenario: a raw message that looks like AT commands is data, not commands
      When I send AT+MQTTPUBRAW=0,"pubraw/at",8,0,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "AT+RST\r\n"
      Then the device reports +MQTTPUB:OK
      And the broker received "AT+RST\r\n" on "pubraw/at" with QoS 0, not retained
      When I send AT
      Then the device answers OK

    Scenario Outline: bad parameters are refused before the prompt
      When I send AT+MQTTPUBRAW=0,"<topic>",<length>,<qos>,<retain>
      Then the device answers:
        """
        ERR CODE:<code>
        ERROR
        """

      Examples:
        | topic       | length | qos | retain | code       |
        | {129 x 't'} | 4      | 0   | 0      | 0x010a6043 |
        |             | 4      | 0   | 0      | 0x010a6042 |
        | t           | 0      | 0   | 0      | 0x010a604c |
        | t           | x      | 0   | 0      | 0x010a604b |
        | t           | 4      | 3   | 0      | 0x010a6048 |
        | t           | 4      | 0   | 2      | 0x010a604a |

    Scenario: the link drops while the device waits for the raw data: +MQTTDISCONNECTED then +MQTTPUB:FAIL
      # ESP-AT reference §2.1 (+MQTTDISCONNECTED is also emitted from inside PUBRAW when the link
      # drops; +MQTTPUB:FAIL with no final result after it) and §2.6 (the publish waits for its
      # acknowledgement up to timeout_ms, here the minimum 3000).
      When I send AT+MQTTPUBRAW=0,"pubraw/lost",4,1,0,3000
      Then the device answers OK
      And the device answers >
      When the broker cuts the connection of "pubraw-1"
      Then the device reports +MQTTDISCONNECTED:0
      When I send the raw data "lost"
      Then the device reports +MQTTPUB:FAIL
      And the device has reported nothing else

  Rule: not connected

    Scenario: PUBRAW before connecting is refused without a prompt
      # esp-at#867: ERR CODE:0x010a6006 on PUBRAW when not connected.
      Given I have sent AT+MQTTUSERCFG=0,1,"pubraw-2","","",0,0,""
      When I send AT+MQTTPUBRAW=0,"t",4,0,0
      Then the device answers:
        """
        ERR CODE:0x010a6006
        ERROR
        """
