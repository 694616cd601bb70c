# AT+MQTTLONGCLIENTID, AT+MQTTLONGUSERNAME and AT+MQTTLONGPASSWORD: values up
# to 1024 bytes, typed after a > prompt, so longer than a 256-byte command
# could carry. The same on every dialect.
# Sources: W800 spec, the three commands (OK, then >; once <length> bytes
# have arrived, OK; <length> in [1,1024]); ESP-AT reference §1 (the ESP-AT
# binary registers them), §2.4 (LONG* length [1,1024]) and §2.6 (the same OK
# and > flow as PUBRAW, "\r\nOK\r\n\r\n>", raw bytes not escaped, after
# USERCFG); the ESP8266 build of the ESP-AT MQTT doc lists them too.
# The values are proven by the CONNECT the broker receives.
# Refusing <length> 0 or 1025: neither error table has a code for it, so the
# scenarios send no AT+SYSLOG and expect plain ERROR on every dialect; for the
# W800 that is doc-derived (a value out of range, not a format error, so not
# CMD PARSE ERR; W800 reference §2.1 and §4 item 2).
@credentials
Feature: AT+MQTTLONGCLIENTID, LONGUSERNAME and LONGPASSWORD take long values after a prompt

  Background:
    Given the device has been reset
    And I have sent AT+MQTTUSERCFG=0,1,"long-first","user","pass",0,0,""

  @clientid
  Scenario: a 1024-byte client id reaches the broker in CONNECT
    When I send AT+MQTTLONGCLIENTID=0,1024
    Then the device answers OK
    And the device answers >
    When I send the raw data "{1024 x 'c'}"
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "{1024 x 'c'}" with:
      | username | user |
      | password | pass |

  @clientid
  Scenario: a 1-byte client id reaches the broker in CONNECT
    When I send AT+MQTTLONGCLIENTID=0,1
    Then the device answers OK
    And the device answers >
    When I send the raw data "Z"
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "Z" with:
      | client id | Z |

  @username @password
  Scenario: a 1024-byte username and a 1024-byte password reach the broker in CONNECT
    When I send AT+MQTTLONGUSERNAME=0,1024
    Then the device answers OK
    And the device answers >
    When I send the raw data "{1024 x 'u'}"
    Then the device answers OK
    When I send AT+MQTTLONGPASSWORD=0,1024
    Then the device answers OK
    And the device answers >
    When I send the raw data "{1024 x 'p'}"
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "long-first" with:
      | username | {1024 x 'u'} |
      | password | {1024 x 'p'} |

  @password
  Scenario: the bytes after the prompt are taken as they are, commas, quotes and backslashes included
    When I send AT+MQTTLONGPASSWORD=0,8
    Then the device answers OK
    And the device answers >
    When I send the raw data "p,\"w\\d\\,"
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "long-first" with:
      | password | p,"w\\d\\, |

  @doc_derived
  Scenario Outline: AT+MQTTLONG<field> refuses a length of <length>
    When I send AT+MQTTLONG<field>=0,<length>
    Then the device answers ERROR
    When I send AT
    Then the device answers OK

    Examples:
      | field    | length |
      | CLIENTID | 0      |
      | CLIENTID | 1025   |
      | USERNAME | 0      |
      | USERNAME | 1025   |
      | PASSWORD | 0      |
      | PASSWORD | 1025   |
