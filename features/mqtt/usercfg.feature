# AT+MQTTUSERCFG: set and boundaries.
# Sources: ESP-AT MQTT spec, AT+MQTTUSERCFG (client_id 256,
# username 64, password 64, cert_key_ID and CA_ID 0 only, path 32, whole
# command under 256 bytes); error codes from the spec's table; ESP-AT
# reference §2.2 (ERR CODE:0x010a60xx only after AT+SYSLOG=1, empty strings
# are warnings only) and §2.3 (state 1 after USERCFG, query format).
# Which scheme numbers each dialect accepts: scheme_support.feature.
@usercfg @esp32 @esp8266
Feature: AT+MQTTUSERCFG sets the MQTT user configuration

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Scenario: a valid configuration is accepted and moves the link to state 1
    When I send AT+MQTTUSERCFG=0,1,"usercfg-1","user","pass",0,0,""
    Then the device answers OK
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,1,1,"","","",0
      OK
      """

  Scenario: the configured client id, username and password reach the broker
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"usercfg-2","alice","s3cret",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "usercfg-2" with:
      | username      | alice  |
      | password      | s3cret |
      | keepalive     | 120    |
      | clean session | 1      |
      | will topic    | (none) |

  Scenario: empty username and password are accepted and sent as no login
    # ESP-AT reference §2.2: *_IS_NULL codes are warnings; an empty "" is accepted.
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"usercfg-3","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "usercfg-3" with:
      | username | (none) |
      | password | (none) |

  Scenario Outline: out-of-range values are refused with their error code
    When I send AT+MQTTUSERCFG=<link>,<scheme>,"usercfg-x","","",<cert>,<ca>,""
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | link | scheme | cert | ca | code       | what                     |
      | 1    | 1      | 0    | 0  | 0x010a6011 | LinkID other than 0      |
      | 0    | 0      | 0    | 0  | 0x010a6013 | scheme below 1           |
      | 0    | 11     | 0    | 0  | 0x010a6013 | scheme above 10          |
      | 0    | 1      | 1    | 0  | 0x010a601e | cert_key_ID other than 0 |
      | 0    | 1      | 0    | 1  | 0x010a6020 | CA_ID other than 0       |

  Scenario: username of 64 bytes is accepted
    When I send AT+MQTTUSERCFG=0,1,"usercfg-u","{64 x 'u'}","",0,0,""
    Then the device answers OK

  Scenario: username of 65 bytes is refused
    When I send AT+MQTTUSERCFG=0,1,"usercfg-u","{65 x 'u'}","",0,0,""
    Then the device answers:
      """
      ERR CODE:0x010a6019
      ERROR
      """

  Scenario: password of 64 bytes is accepted
    When I send AT+MQTTUSERCFG=0,1,"usercfg-p","","{64 x 'p'}",0,0,""
    Then the device answers OK

  Scenario: password of 65 bytes is refused
    When I send AT+MQTTUSERCFG=0,1,"usercfg-p","","{65 x 'p'}",0,0,""
    Then the device answers:
      """
      ERR CODE:0x010a601c
      ERROR
      """

  Scenario: path of 32 bytes is accepted
    When I send AT+MQTTUSERCFG=0,6,"usercfg-path","","",0,0,"{32 x 'p'}"
    Then the device answers OK

  Scenario: path of 33 bytes is refused
    When I send AT+MQTTUSERCFG=0,6,"usercfg-path","","",0,0,"{33 x 'p'}"
    Then the device answers:
      """
      ERR CODE:0x010a6029
      ERROR
      """

  Scenario: a 255-byte command is accepted
    # 34 bytes of command around a 221-byte client id: 255 bytes in all.
    When I send AT+MQTTUSERCFG=0,1,"{221 x 'c'}","","",0,0,""
    Then the device answers OK

  Scenario: a 256-byte command is refused before its parameters are read
    # The spec asks for commands under 256 bytes, so the 256-byte client id
    # limit cannot be reached through USERCFG; the line limit bites first.
    When I send AT+MQTTUSERCFG=0,1,"{222 x 'c'}","","",0,0,""
    Then the device answers ERROR

  Scenario: a missing parameter is refused
    When I send AT+MQTTUSERCFG=0,1,"usercfg-m","","",0,0
    Then the device answers:
      """
      ERR CODE:0x010a6027
      ERROR
      """

  Scenario: an extra parameter is refused as a wrong parameter count
    When I send AT+MQTTUSERCFG=0,1,"usercfg-e","","",0,0,"",1
    Then the device answers:
      """
      ERR CODE:0x010a6008
      ERROR
      """

  Scenario: reconfiguring while connected is refused
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"usercfg-c","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When I send AT+MQTTUSERCFG=0,1,"usercfg-c2","","",0,0,""
    Then the device answers:
      """
      ERR CODE:0x010a6002
      ERROR
      """
