# Empty values whose *_IS_NULL code is only a warning: the command answers OK.
# Sources: ESP-AT MQTT spec, error table (0x6015 CLIENT_ID_IS_NULL, 0x6018
# USERNAME_IS_NULL, 0x601B PASSWORD_IS_NULL, 0x6028 PATH_IS_NULL, 0x602C
# KEEPALIVE_IS_NULL, 0x6031 LWT_TOPIC_IS_NULL, 0x6034 LWT_MSG_IS_NULL) and
# AT+MQTTCONNCFG ("The default value is 0, which will be force-changed to
# 120 s"); ESP-AT reference §2.2: the shipped binary (at_mqtt_print) treats
# exactly these seven codes as warnings, logs them on the debug port only and
# accepts the value, so the AT port shows OK and no ERR CODE line even after
# AT+SYSLOG=1; reference §2.1: the WebSocket URI is `ws://%s:%d/%s`, so an
# empty path asks for "/".
# Choices where the spec is silent, stated here:
# - keepalive is an integer, and the only empty value the spec gives it is 0
#   (its default, forced to 120 s), so 0 is the KEEPALIVE_IS_NULL case; an
#   omitted keepalive (`,,`) is a read failure (read_failures.feature).
# - an empty client id leaves esp-mqtt's own default in place,
#   `ESP32_%CHIPID%` (`ESP32_` then the last three MAC bytes in hex, written
#   by esp-mqtt's platform_create_id_string as `%02x%02X%02X`); the reference
#   does not record what the binary hands esp-mqtt, so a board may differ.
# - an empty lwt_topic means no will at all; an empty lwt_msg is a will with
#   an empty payload.
# A warning prints no ERR CODE line for the coverage test to find, so each
# scenario carries the @code_60xx tag of the warning it exercises.
@esp32 @esp8266 @parameters
Feature: Empty values that are only warnings are accepted

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  @code_6015 @usercfg
  Scenario: an empty client id in USERCFG is accepted and the device connects under esp-mqtt's default id
    When I send AT+MQTTUSERCFG=0,1,"","","",0,0,""
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from a client id matching "ESP32_[0-9A-Fa-f]{6}" with:
      | username      | (none) |
      | clean session | 1      |

  @code_6015 @credentials @clientid
  Scenario: an empty AT+MQTTCLIENTID is accepted and replaces the id of USERCFG
    Given I have sent AT+MQTTUSERCFG=0,1,"null-cid","","",0,0,""
    When I send AT+MQTTCLIENTID=0,""
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from a client id matching "ESP32_[0-9A-Fa-f]{6}" with:
      | username | (none) |

  @code_6018 @code_601b @usercfg
  Scenario: an empty username and password in USERCFG are accepted and no login is sent
    When I send AT+MQTTUSERCFG=0,1,"null-login","","",0,0,""
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "null-login" with:
      | username | (none) |
      | password | (none) |

  @code_6018 @credentials @username
  Scenario: an empty AT+MQTTUSERNAME is accepted and clears the username of USERCFG
    Given I have sent AT+MQTTUSERCFG=0,1,"null-user","alice","",0,0,""
    When I send AT+MQTTUSERNAME=0,""
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "null-user" with:
      | username | (none) |
      | password | (none) |

  @code_601b @credentials @password
  Scenario: an empty AT+MQTTPASSWORD is accepted and clears the password; the username stays
    Given I have sent AT+MQTTUSERCFG=0,1,"null-pass","alice","secret",0,0,""
    When I send AT+MQTTPASSWORD=0,""
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "null-pass" with:
      | username | alice  |
      | password | (none) |

  @code_6028 @usercfg
  Scenario: an empty path is accepted and the WebSocket connection asks for "/"
    When I send AT+MQTTUSERCFG=0,6,"null-path","","",0,0,""
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme6},0
    Then the device answers OK
    And the device reports +MQTTCONNECTED:0,6,"{broker.host}","{port.scheme6}","",0
    And the broker saw the connection of "null-path" arrive with:
      | listener       | ws |
      | websocket path | /  |

  @code_602c @conncfg
  Scenario: keepalive 0 is accepted and sent as 120 seconds
    Given I have sent AT+MQTTUSERCFG=0,1,"null-keepalive","","",0,0,""
    When I send AT+MQTTCONNCFG=0,0,0,"","",0,0
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "null-keepalive" with:
      | keepalive | 120 |

  @code_6031 @conncfg
  Scenario: an empty will topic is accepted and CONNECT carries no will, even with a will message
    Given I have sent AT+MQTTUSERCFG=0,1,"null-lwt-topic","","",0,0,""
    When I send AT+MQTTCONNCFG=0,60,0,"","gone",1,1
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the broker received a CONNECT from "null-lwt-topic" with:
      | keepalive    | 60     |
      | will topic   | (none) |
      | will message | (none) |

  @code_6034 @conncfg
  Scenario: an empty will message is accepted and the will is published with an empty payload
    Given I have sent AT+MQTTUSERCFG=0,1,"null-lwt-msg","","",0,0,""
    When I send AT+MQTTCONNCFG=0,60,0,"null/will","",1,0
    Then the device answers OK
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    # The empty cell is the empty will message.
    And the broker received a CONNECT from "null-lwt-msg" with:
      | will topic   | null/will |
      | will message |           |
      | will qos     | 1         |
      | will retain  | 0         |
    When the broker cuts the connection of "null-lwt-msg"
    Then the device reports +MQTTDISCONNECTED:0
    And the broker delivered "" on "null/will" to subscribers
