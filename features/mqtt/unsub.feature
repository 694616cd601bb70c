# AT+MQTTUNSUB: unsubscribe.
# Sources: ESP-AT MQTT spec, AT+MQTTUNSUB (answers OK; "If the topic has not
# been subscribed, AT will prompt: NO UNSUBSCRIBE" then OK); ESP-AT reference
# §2.1 (query format), §2.3 (state 5 once the last topic is removed, 0x6006
# when not connected), §2.4 (topic 128). The shipped firmware prints only OK
# for an unknown topic (esp-at#453): that scenario carries @deviation.
@unsub @esp32 @esp8266
Feature: AT+MQTTUNSUB unsubscribes from topics

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"unsub-1","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        AT+MQTTSUB=0,"unsub/a",0
        AT+MQTTSUB=0,"unsub/b",0
        """
      And the device reports +MQTTCONNECTED:0,1,"{broker.host}","{port.scheme1}","",0

    Scenario: an unsubscribed topic reaches the broker and its messages stop
      When I send AT+MQTTUNSUB=0,"unsub/a"
      Then the device answers OK
      And the broker received 1 UNSUBSCRIBE from "unsub/a"
      When the broker publishes "dropped" on "unsub/a" with QoS 0
      And the broker publishes "kept" on "unsub/b" with QoS 0
      # Messages arrive in order: if unsub/a were still subscribed, its
      # message would come first.
      Then the next URC is +MQTTSUBRECV:0,"unsub/b",4,kept

    Scenario: removing the last topic leaves state 5
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUNSUB=0,"unsub/a"
        AT+MQTTUNSUB=0,"unsub/b"
        """
      When I send AT+MQTTSUB?
      Then the device answers:
        """
        +MQTTSUB:0,5,"",0
        OK
        """
      When I send AT+MQTTCONN?
      Then the device answers:
        """
        +MQTTCONN:0,5,1,"{broker.host}","{port.scheme1}","",0
        OK
        """

    @deviation @esp_at_453
    Scenario: unsubscribing from a topic never subscribed prints NO UNSUBSCRIBE and sends nothing
      When I send AT+MQTTUNSUB=0,"unsub/never"
      Then the device answers:
        """
        NO UNSUBSCRIBE
        OK
        """
      And the broker received 0 UNSUBSCRIBEs from "unsub/never"

    Scenario Outline: bad parameters are refused with their error code
      When I send AT+MQTTUNSUB=<link>,"<topic>"
      Then the device answers:
        """
        ERR CODE:<code>
        ERROR
        """

      Examples:
        | link | topic       | code       |
        | 0    | {129 x 't'} | 0x010a6043 |
        | 0    |             | 0x010a6042 |
        | 1    | unsub/a     | 0x010a6011 |

  Rule: not connected

    Scenario: unsubscribing before connecting is refused
      Given I have sent AT+MQTTUSERCFG=0,1,"unsub-2","","",0,0,""
      When I send AT+MQTTUNSUB=0,"t"
      Then the device answers:
        """
        ERR CODE:0x010a6006
        ERROR
        """
