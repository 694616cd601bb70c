# AT+MQTTSUB: subscribe, query, receive.
# Sources: ESP-AT MQTT spec, AT+MQTTSUB (query lists +MQTTSUB:<LinkID>,<state>,
# <"topic">,<qos>; set answers OK; "If the topic has been subscribed before, it
# will prompt: ALREADY SUBSCRIBE"; +MQTTSUBRECV:<LinkID>,<"topic">,<data_length>,data);
# W800 spec (10 topics at most, ALREADY FULL SUBSCRIBE); ESP-AT reference §2.1
# (+MQTTSUBRECV framing, query line when empty), §2.3 (state 6 after SUB) and
# §2.4 (topic 128, QoS 0..2).
# The shipped ESP-AT firmware never prints ALREADY SUBSCRIBE on the AT port
# (esp-at#453, reference §2.5): the spec wins here, so that scenario carries
# @deviation and a board running shipped firmware waives it.
@sub @esp32 @esp8266
Feature: AT+MQTTSUB subscribes to topics and the device reports their messages

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"sub-1","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """

    Scenario: a subscription reaches the broker and messages are reported
      When I send AT+MQTTSUB=0,"sub/a",1
      Then the device answers OK
      And the broker received 1 SUBSCRIBE to "sub/a" with QoS 1
      When the broker publishes "hello" on "sub/a" with QoS 1
      Then the device reports +MQTTSUBRECV:0,"sub/a",5,hello

    Scenario: a message with CR and LF in it is reported whole, framed by its length
      Given I have sent AT+MQTTSUB=0,"sub/crlf",0
      When the broker publishes "line1\r\nline2" on "sub/crlf" with QoS 0
      Then the device reports +MQTTSUBRECV:0,"sub/crlf",12,line1\r\nline2

    Scenario: wildcard subscriptions receive matching topics
      Given I have sent AT+MQTTSUB=0,"sub/w/#",2
      When the broker publishes "deep" on "sub/w/x/y" with QoS 2
      Then the device reports +MQTTSUBRECV:0,"sub/w/x/y",4,deep

    Scenario: the query lists the subscribed topics with the connected-and-subscribed state
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTSUB=0,"sub/q1",0
        AT+MQTTSUB=0,"sub/q2",2
        """
      When I send AT+MQTTSUB?
      Then the device answers:
        """
        +MQTTSUB:0,6,"sub/q1",0
        +MQTTSUB:0,6,"sub/q2",2
        OK
        """

    Scenario: the query without subscriptions prints an empty entry
      When I send AT+MQTTSUB?
      Then the device answers:
        """
        +MQTTSUB:0,4,"",0
        OK
        """

    @deviation @esp_at_453
    Scenario: subscribing to the same topic again prints ALREADY SUBSCRIBE and sends nothing
      Given I have sent AT+MQTTSUB=0,"sub/dup",1
      When I send AT+MQTTSUB=0,"sub/dup",1
      Then the device answers:
        """
        ALREADY SUBSCRIBE
        OK
        """
      And the broker received 1 SUBSCRIBE to "sub/dup" with QoS 1

    Scenario: a 128-byte topic is accepted
      When I send AT+MQTTSUB=0,"{128 x 's'}",0
      Then the device answers OK
      And the broker received 1 SUBSCRIBE to "{128 x 's'}" with QoS 0

    Scenario: the optional timeout parameter is accepted
      When I send AT+MQTTSUB=0,"sub/timeout",0,5000
      Then the device answers OK

    Scenario Outline: bad parameters are refused with their error code
      When I send AT+MQTTSUB=<link>,"<topic>",<qos>
      Then the device answers:
        """
        ERR CODE:<code>
        ERROR
        """

      Examples:
        | link | topic       | qos | code       |
        | 0    | {129 x 't'} | 0   | 0x010a6043 |
        | 0    |             | 0   | 0x010a6042 |
        | 0    | t           | 3   | 0x010a6048 |
        | 1    | t           | 0   | 0x010a6011 |

    Scenario: a parameter too many is a wrong parameter count
      When I send AT+MQTTSUB=0,"t",0,5000,1
      Then the device answers:
        """
        ERR CODE:0x010a6008
        ERROR
        """

  Rule: not connected

    Scenario: subscribing before connecting is refused
      Given I have sent AT+MQTTUSERCFG=0,1,"sub-2","","",0,0,""
      When I send AT+MQTTSUB=0,"t",0
      Then the device answers:
        """
        ERR CODE:0x010a6006
        ERROR
        """
