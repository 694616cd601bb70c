# W800-AT publishes and receives: AT+MQTTPUB, AT+MQTTPUBRAW and +MQTTSUBRECV.
# Sources: W800 spec, AT+MQTTPUB (topic 128, QoS 0..2, escapes), AT+MQTTPUBRAW
# (OK, then > on the next line; when <length> bytes have arrived the message
# is sent and +MQTTPUB:OK or +MQTTPUB:FAIL is returned) and AT+MQTTSUB
# (+MQTTSUBRECV:<LinkID>,<"topic">,<data_length>,data); W800 reference §2.4
# and §2.5; index.rst lists the same string escapes as ESP-AT (§2.1).
# Decisions (doc-derived, W800 reference §4 items 5 and 7): PUBRAW prints
# "\r\nOK\r\n>" (the doc puts > on the line right after OK; no trailing space,
# no input timeout) and nothing after +MQTTPUB:OK; the MQTT client is paho, so
# a message arrives whole in one +MQTTSUBRECV with its total length.
@w800 @pub @pubraw @sub
Feature: W800-AT publishes strings and raw data and reports received messages

  Background:
    Given the device has been reset
    And I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-pubsub","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """

  Scenario Outline: a string message reaches the broker with QoS <qos>, <flag>
    When I send AT+MQTTPUB=0,"w800/pub/<qos>","hello w800",<qos>,<retain>
    Then the device answers OK
    And the broker received "hello w800" on "w800/pub/<qos>" with QoS <qos>, <flag>

    Examples:
      | qos | retain | flag         |
      | 0   | 0      | not retained |
      | 1   | 1      | retained     |
      | 2   | 0      | not retained |

  Scenario: escaped commas and quotes are unescaped before publishing
    When I send AT+MQTTPUB=0,"w800/esc","a\,b \"c\"",1,0
    Then the device answers OK
    And the broker received "a,b \"c\"" on "w800/esc" with QoS 1, not retained

  @doc_derived
  Scenario: raw data after the prompt is published and +MQTTPUB:OK ends the command
    When I send AT+MQTTPUBRAW=0,"w800/raw",2000,1,0
    Then the device answers OK
    And the device answers >
    When I send the raw data "{2000 x 'raw-'}"
    Then the device reports +MQTTPUB:OK
    And the broker received "{2000 x 'raw-'}" on "w800/raw" with QoS 1, not retained
    When I send AT
    Then the device answers OK

  @doc_derived
  Scenario: the link drops while the device waits for the raw data: +MQTTDISCONNECTED then +MQTTPUB:FAIL
    # W800 spec, AT+MQTTPUBRAW (+MQTTPUB:FAIL when the message cannot be sent) and
    # +MQTTDISCONNECTED:<LinkID> when the connection ends; nothing follows +MQTTPUB:FAIL.
    When I send AT+MQTTPUBRAW=0,"w800/lost",4,1,0
    Then the device answers OK
    And the device answers >
    When the broker cuts the connection of "w800-pubsub"
    Then the device reports +MQTTDISCONNECTED:0
    When I send the raw data "lost"
    Then the device reports +MQTTPUB:FAIL
    And the device has reported nothing else

  @doc_derived
  Scenario: a received message is reported whole, framed by its length
    Given I have sent AT+MQTTSUB=0,"w800/in/#",1
    When the broker publishes "line1\r\nline2" on "w800/in/a" with QoS 1
    Then the device reports +MQTTSUBRECV:0,"w800/in/a",12,line1\r\nline2
    When I send AT+MQTTSUB?
    Then the device answers:
      """
      +MQTTSUB:0,6,"w800/in/#",1
      OK
      """
