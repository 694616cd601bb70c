# Which AT+MQTTUSERCFG schemes each dialect accepts, and where ALPN exists.
# Sources: ESP-AT MQTT spec and W800 spec, AT+MQTTUSERCFG <scheme> 1..10; the
# ESP8266 build of the ESP-AT MQTT doc (release v2.2.0.0, AT+MQTTUSERCFG):
# MQTT over TLS does not fit the ESP8266's memory, so <scheme> can only be 1
# or 6; that doc has no AT+MQTTALPN, and W800 reference §3 lists the ESP8266
# as "no ALPN or SNI". A scheme the dialect does not accept is
# AT_MQTT_SCHEME_VALUE_IS_WRONG (0x6013, spec error table), as for 0 or 11;
# a command that does not exist is UNSUPPORT_CMD (ESP-AT reference §2.2,
# ERR CODE:0x01090000).
@usercfg @schemes
Feature: Each dialect accepts its schemes

  Background:
    Given the device has been reset

  @esp32 @w800
  Rule: the ESP32 and the W800 accept all ten schemes

    Scenario Outline: scheme <scheme> is accepted
      When I send AT+MQTTUSERCFG=0,<scheme>,"usercfg-s","","",0,0,"/mqtt"
      Then the device answers OK

      Examples:
        | scheme |
        | 1      |
        | 2      |
        | 3      |
        | 4      |
        | 5      |
        | 6      |
        | 7      |
        | 8      |
        | 9      |
        | 10     |

  @esp8266
  Rule: the ESP8266 accepts only schemes 1 and 6, and has no AT+MQTTALPN

    Background:
      Given I have sent AT+SYSLOG=1

    Scenario Outline: scheme <scheme> is accepted
      When I send AT+MQTTUSERCFG=0,<scheme>,"usercfg-s","","",0,0,"/mqtt"
      Then the device answers OK

      Examples:
        | scheme |
        | 1      |
        | 6      |

    Scenario Outline: TLS scheme <scheme> is refused as a wrong scheme value
      When I send AT+MQTTUSERCFG=0,<scheme>,"usercfg-s","","",0,0,"/mqtt"
      Then the device answers:
        """
        ERR CODE:0x010a6013
        ERROR
        """

      Examples:
        | scheme |
        | 2      |
        | 3      |
        | 4      |
        | 5      |
        | 7      |
        | 8      |
        | 9      |
        | 10     |

    @alpn
    Scenario: AT+MQTTALPN is an unknown command
      Given I have sent AT+MQTTUSERCFG=0,1,"esp8266-alpn","","",0,0,""
      When I send AT+MQTTALPN=0,1,"mqtt"
      Then the device answers:
        """
        ERR CODE:0x01090000
        ERROR
        """
      When I send AT+MQTTALPN?
      Then the device answers:
        """
        ERR CODE:0x01090000
        ERROR
        """
