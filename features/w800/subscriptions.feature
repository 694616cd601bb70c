# W800-AT's subscription table: ten topics at most, and the notices for a
# topic already subscribed or never subscribed.
# Sources: W800 spec, AT+MQTTSUB ("If the topic has already been subscribed
# to, return: ALREADY SUBSCRIBE"; up to 10 topics, then "ALREADY FULL
# SUBSCRIBE"; query +MQTTSUB:<LinkID>,<state>,<"topic">,<qos> per topic) and
# AT+MQTTUNSUB (an unknown topic returns NO UNSUBSCRIBE, a blank line, OK);
# W800 reference §2.6 (only the doc has these strings; whether they reach the
# AT port, and which final line follows the SUB ones, is unknown).
# Decisions (doc-derived, W800 reference §4 item 8): the notices reach the AT
# port (W800's log UART is separate, but nothing says they go there);
# ALREADY SUBSCRIBE is followed by OK, like NO UNSUBSCRIBE, since the topic is
# subscribed as asked and nothing is sent; ALREADY FULL SUBSCRIBE is followed
# by ERROR, since the topic was not subscribed (index.rst: the last line is OK
# or ERROR). None of the three sends a packet.
@w800 @doc_derived @sub
Feature: W800-AT keeps at most ten subscriptions and says when a topic is already or not subscribed

  Background:
    Given the device has been reset
    And I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"w800-sub","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """

  Scenario: the eleventh topic is refused with ALREADY FULL SUBSCRIBE and ERROR
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTSUB=0,"w800/t1",0
      AT+MQTTSUB=0,"w800/t2",1
      AT+MQTTSUB=0,"w800/t3",2
      AT+MQTTSUB=0,"w800/t4",0
      AT+MQTTSUB=0,"w800/t5",1
      AT+MQTTSUB=0,"w800/t6",2
      AT+MQTTSUB=0,"w800/t7",0
      AT+MQTTSUB=0,"w800/t8",1
      AT+MQTTSUB=0,"w800/t9",2
      AT+MQTTSUB=0,"w800/t10",0
      """
    When I send AT+MQTTSUB=0,"w800/t11",0
    Then the device answers:
      """
      ALREADY FULL SUBSCRIBE
      ERROR
      """
    And the broker received 0 SUBSCRIBEs to "w800/t11" with QoS 0
    When I send AT+MQTTSUB?
    Then the device answers:
      """
      +MQTTSUB:0,6,"w800/t1",0
      +MQTTSUB:0,6,"w800/t2",1
      +MQTTSUB:0,6,"w800/t3",2
      +MQTTSUB:0,6,"w800/t4",0
      +MQTTSUB:0,6,"w800/t5",1
      +MQTTSUB:0,6,"w800/t6",2
      +MQTTSUB:0,6,"w800/t7",0
      +MQTTSUB:0,6,"w800/t8",1
      +MQTTSUB:0,6,"w800/t9",2
      +MQTTSUB:0,6,"w800/t10",0
      OK
      """

  Scenario: unsubscribing one of ten frees a place
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTSUB=0,"w800/u1",0
      AT+MQTTSUB=0,"w800/u2",0
      AT+MQTTSUB=0,"w800/u3",0
      AT+MQTTSUB=0,"w800/u4",0
      AT+MQTTSUB=0,"w800/u5",0
      AT+MQTTSUB=0,"w800/u6",0
      AT+MQTTSUB=0,"w800/u7",0
      AT+MQTTSUB=0,"w800/u8",0
      AT+MQTTSUB=0,"w800/u9",0
      AT+MQTTSUB=0,"w800/u10",0
      AT+MQTTUNSUB=0,"w800/u3"
      """
    When I send AT+MQTTSUB=0,"w800/u11",1
    Then the device answers OK
    And the broker received 1 SUBSCRIBE to "w800/u11" with QoS 1

  Scenario: subscribing to a topic again prints ALREADY SUBSCRIBE and sends nothing
    Given I have sent AT+MQTTSUB=0,"w800/dup",1
    When I send AT+MQTTSUB=0,"w800/dup",1
    Then the device answers:
      """
      ALREADY SUBSCRIBE
      OK
      """
    And the broker received 1 SUBSCRIBE to "w800/dup" with QoS 1

  Scenario: unsubscribing from a topic never subscribed prints NO UNSUBSCRIBE then OK and sends nothing
    Given I have sent AT+MQTTSUB=0,"w800/kept",0
    When I send AT+MQTTUNSUB=0,"w800/never"
    Then the device answers:
      """
      NO UNSUBSCRIBE
      OK
      """
    And the broker received 0 UNSUBSCRIBEs from "w800/never"
