# How long an AT+MQTTPUBRAW message may be: the ESP8266's 512-byte MQTT
# buffer, and the ESP32's memory-only limit.
# Sources: ESP-AT MQTT spec, AT+MQTTPUBRAW <length>: on ESP32 devices the
# maximum is limited by available memory; on ESP8266 devices also by
# MQTT_BUFFER_SIZE_BYTE (512 by default), which "equals maximum published data
# length plus the MQTT header length (depends on topic name length)".
#
# Header arithmetic (MQTT 3.1.1 §3.3, PUBLISH): 1 byte of packet type and
# flags, the remaining length (2 bytes for 128..16383, so 2 for every message
# near 512), 2 bytes of topic length, the topic, and a 2-byte packet
# identifier when QoS > 0. So with topic "t" at QoS 0 the header is
# 1+2+2+1 = 6 bytes and 506 data bytes fit; with a 100-byte topic at QoS 1 it
# is 1+2+2+100+2 = 107 bytes and 405 data bytes fit.
#
# The refusal: the limit is a limit of the <length> parameter, known before
# the prompt, so a longer <length> is refused like any other bad value of it,
# with AT_MQTT_PUBLISH_LENGTH_VALUE_IS_WRONG (0x604C, spec error table; ESP-AT
# reference §2.4: the binary raises 0x604B/0x604C for PUBRAW lengths) and no
# prompt — not +MQTTPUB:FAIL after the data, which would make the host type
# data that can never be sent.
@pubraw
Feature: AT+MQTTPUBRAW message size limits per chip

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1
    And I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"pubraw-buf","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """

  @esp8266
  Rule: on the ESP8266 the whole PUBLISH packet must fit in 512 bytes

    Scenario Outline: <limit> bytes on a <topic bytes>-byte topic at QoS <qos> fill the buffer exactly
      When I send AT+MQTTPUBRAW=0,"<topic>",<limit>,<qos>,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "{<limit> x 'd'}"
      Then the device reports +MQTTPUB:OK
      And the broker received "{<limit> x 'd'}" on "<topic>" with QoS <qos>, not retained

      Examples:
        | topic       | topic bytes | qos | limit |
        | t           | 1           | 0   | 506   |
        | {100 x 'b'} | 100         | 1   | 405   |

    Scenario Outline: <over> bytes on a <topic bytes>-byte topic at QoS <qos> are one too many
      When I send AT+MQTTPUBRAW=0,"<topic>",<over>,<qos>,0
      Then the device answers:
        """
        ERR CODE:0x010a604c
        ERROR
        """
      When I send AT
      Then the device answers OK

      Examples:
        | topic       | topic bytes | qos | over |
        | t           | 1           | 0   | 507  |
        | {100 x 'b'} | 100         | 1   | 406  |

  @esp32
  Rule: on the ESP32 only memory limits the message

    Scenario: 507 bytes on topic "t" at QoS 0, past the ESP8266's buffer, are published
      When I send AT+MQTTPUBRAW=0,"t",507,0,0
      Then the device answers OK
      And the device answers >
      When I send the raw data "{507 x 'd'}"
      Then the device reports +MQTTPUB:OK
      And the broker received "{507 x 'd'}" on "t" with QoS 0, not retained

    Scenario: a retained QoS 2 message of 1024 bytes
      When I send AT+MQTTPUBRAW=0,"pubraw/big",1024,2,1
      Then the device answers OK
      And the device answers >
      When I send the raw data "{1024 x '0123456789'}"
      Then the device reports +MQTTPUB:OK
      And the broker received "{1024 x '0123456789'}" on "pubraw/big" with QoS 2, retained
