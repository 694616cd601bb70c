# AT+MQTTCONN: connect, query, state machine, reconnect.
# Sources: ESP-AT MQTT spec, AT+MQTTCONN (query and set forms, states 0..6,
# reconnect 0/1, host 128, port up to 65535) and its notes (+MQTTCONNECTED
# and +MQTTDISCONNECTED); ESP-AT reference §2.1 (URC formats, port quoted as a
# string), §2.3 (check order, 0x6051 after a drop without reconnect, URC
# before OK, failed connect prints +MQTTDISCONNECTED:0 then ERROR as in
# esp-at#427/#478, re-subscription on reconnect).
@conn @esp32 @esp8266
Feature: AT+MQTTCONN connects to the broker and reports the connection

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Scenario: the query before any configuration reports state 0
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,0,0,"","","",0
      OK
      """

  Scenario: connecting over TCP prints +MQTTCONNECTED before OK
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-1","","",0,0,""
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers OK
    And the next URC is +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0
    And the broker received a CONNECT from "conn-1" with:
      | client id     | conn-1 |
      | keepalive     | 120    |
      | clean session | 1      |

  Scenario: the query reports the connected state, host, quoted port and reconnect flag
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"conn-2","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},1
      """
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,4,1,"{broker.host}","{port.scheme1}","",1
      OK
      """

  Scenario: the optional timeout parameter is accepted
    # ESP-AT reference §2.4: timeout_ms in [3000,60000] may follow.
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-3","","",0,0,""
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0,5000
    Then the device answers OK

  Scenario: connecting without USERCFG is refused
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers:
      """
      ERR CODE:0x010a6001
      ERROR
      """

  Scenario: connecting twice is refused
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"conn-4","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers:
      """
      ERR CODE:0x010a6004
      ERROR
      """

  Scenario: a broker that refuses the TCP connection gives +MQTTDISCONNECTED and ERROR
    # Port 1 on loopback has no listener.
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-5","","",0,0,""
    When I send AT+MQTTCONN=0,"127.0.0.1",1,0
    Then the device answers ERROR
    And the device reports +MQTTDISCONNECTED:0
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,1,1,"","","",0
      OK
      """

  Scenario Outline: bad connection parameters are refused with their error code
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-6","","",0,0,""
    When I send AT+MQTTCONN=<link>,"<host>",<port>,<reconnect>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | link | host        | port  | reconnect | code       |
      | 1    | 127.0.0.1   | 1883  | 0         | 0x010a6011 |
      |      | 127.0.0.1   | 1883  | 0         | 0x010a6010 |
      | 0    |             | 1883  | 0         | 0x010a603b |
      | 0    | {129 x 'h'} | 1883  | 0         | 0x010a603c |
      | 0    | 127.0.0.1   | 65536 | 0         | 0x010a603e |
      | 0    | 127.0.0.1   | 0     | 0         | 0x010a603e |
      | 0    | 127.0.0.1   | 1883  | 2         | 0x010a6040 |

  Scenario: a missing reconnect parameter is refused
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-7","","",0,0,""
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1}
    Then the device answers:
      """
      ERR CODE:0x010a603f
      ERROR
      """

  Scenario: an extra parameter after the timeout is a wrong parameter count
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-8","","",0,0,""
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0,5000,1
    Then the device answers:
      """
      ERR CODE:0x010a6008
      ERROR
      """

  Scenario: a timeout outside 3000..60000 ms is refused without an MQTT code
    # ESP-AT reference §2.2: range errors of timeout_ms return plain ERROR.
    Given I have sent AT+MQTTUSERCFG=0,1,"conn-9","","",0,0,""
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0,2999
    Then the device answers ERROR

  Scenario: after a drop without reconnect, CONN is refused until CLEAN
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"conn-10","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When the broker cuts the connection of "conn-10"
    Then the device reports +MQTTDISCONNECTED:0
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,3,1,"{broker.host}","{port.scheme1}","",0
      OK
      """
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
    Then the device answers:
      """
      ERR CODE:0x010a6051
      ERROR
      """
    When I send these commands, each answered OK:
      """
      AT+MQTTCLEAN=0
      AT+MQTTUSERCFG=0,1,"conn-10","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

  Scenario: with reconnect on, the device reconnects and subscribes again after a drop
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"conn-11","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},1
      AT+MQTTSUB=0,"conn/resub",1
      """
    And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",1
    When the broker cuts the connection of "conn-11"
    Then the device reports +MQTTDISCONNECTED:0
    And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",1
    And the broker received 2 SUBSCRIBEs to "conn/resub" with QoS 1
    # Retained, so the message reaches the device however the re-subscription
    # races with this publish inside the broker.
    When the broker publishes "after reconnect" on "conn/resub" with QoS 0, retained
    Then the device reports +MQTTSUBRECV:0,"conn/resub",15,after reconnect
