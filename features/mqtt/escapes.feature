# Escapes in string parameters, proved by what reached the broker.
# Sources: ESP-AT reference §3 "Parameters": inside a quoted string `\\` is a
# backslash, `\,` a comma, `\"` a quote and `\<any>` is <any> (the backslash
# dropped); raw data after `>` is not unescaped; the example
# AT+MQTTPUB=0,"topic","\"{\"sensor\":012}\"",1,0. W800 spec, MQTT example:
# AT+MQTTPUB=0,"topic","\"{\"timestamp\":\"20201121085253\"}\"",0,0 (the same
# rules; the W800 dialect runs its own copy). ESP-AT spec AT+MQTTPUB: the data
# cannot contain \0 (so `\0` is the digit 0). Reference §2.1: +MQTTSUBRECV
# and AT+MQTTSUB? print the topic unescaped. Reference §2.4: limits apply to
# the value after unescaping.
# How the line is split (esp-at#246, #364, #446, #647): every comma that no
# backslash escapes separates parameters, inside quotes too; a parameter that
# opens a quote and does not end with an unescaped closing quote is no
# string, and the core prints PARA_PARSE_FAIL for its index
# (`ERR CODE:0x0108000N`) before the command's read-failure code — esp-at#647
# shows exactly `ERR CODE:0x01080002`, `ERR CODE:0x010a6044`, `ERROR` for the
# first scenario of the second rule.
# Feature-file notation: in step text the harness reads `\\` and `\"` in
# expected payloads and raw data as one backslash and one quote; topics and
# client ids are literal; in a table cell Gherkin reads `\\` as one backslash.
@esp32 @esp8266 @parameters
Feature: Escapes in string parameters are parsed as ESP-AT parses them

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"escapes-1","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """

    @pub
    Scenario: the spec's escaped JSON example publishes a quoted JSON text
      When I send AT+MQTTPUB=0,"topic","\"{\"sensor\":012}\"",1,0
      Then the device answers OK
      And the broker received "\"{\"sensor\":012}\"" on "topic" with QoS 1, not retained

    @pub
    Scenario: the W800 spec's escaped JSON example publishes a quoted JSON text
      When I send AT+MQTTPUB=0,"topic","\"{\"timestamp\":\"20201121085253\"}\"",0,0
      Then the device answers OK
      And the broker received "\"{\"timestamp\":\"20201121085253\"}\"" on "topic" with QoS 0, not retained

    @pub
    Scenario: a backslash, a comma and a quote each arrive as the character itself
      When I send AT+MQTTPUB=0,"esc/payload","back\\slash\, comma\, \"quote\"",1,0
      Then the device answers OK
      And the broker received "back\\slash, comma, \"quote\"" on "esc/payload" with QoS 1, not retained

    @pub
    Scenario: a backslash before any other character is dropped, so \n is the letter n and \0 the digit 0
      When I send AT+MQTTPUB=0,"esc/any","\n\r\t\0\x41\q",0,0
      Then the device answers OK
      And the broker received "nrt0x41q" on "esc/any" with QoS 0, not retained

    @pub
    Scenario: JSON with escaped commas is published whole
      # esp-at#446: a JSON payload with more than one member needs \, for its commas.
      When I send AT+MQTTPUB=0,"esc/json","{\"state\":{\"Speed\":2\,\"Lights\":\"ON\"}}",0,0
      Then the device answers OK
      And the broker received "{\"state\":{\"Speed\":2,\"Lights\":\"ON\"}}" on "esc/json" with QoS 0, not retained

    @pub
    Scenario: an escaped backslash before the closing quote leaves the quote closing the string
      When I send AT+MQTTPUB=0,"esc/close","ends in \\",0,0
      Then the device answers OK
      And the broker received "ends in \\" on "esc/close" with QoS 0, not retained

    @pub
    Scenario: escapes in a PUB topic are unescaped before publishing
      When I send AT+MQTTPUB=0,"esc/t\,o\"p\\ic","x",1,0
      Then the device answers OK
      And the broker received "x" on "esc/t,o"p\ic" with QoS 1, not retained

    @sub @unsub
    Scenario: escapes in a SUB and UNSUB topic; the device prints the topic unescaped
      When I send AT+MQTTSUB=0,"esc/s\,u\"b",1
      Then the device answers OK
      And the broker received 1 SUBSCRIBE to "esc/s,u"b" with QoS 1
      When I send AT+MQTTSUB?
      Then the device answers:
        """
        +MQTTSUB:0,6,"esc/s,u"b",1
        OK
        """
      When the broker publishes "hi" on "esc/s,u"b" with QoS 1
      Then the device reports +MQTTSUBRECV:0,"esc/s,u"b",2,hi
      When I send AT+MQTTUNSUB=0,"esc/s\,u\"b"
      Then the device answers OK
      And the broker received 1 UNSUBSCRIBE from "esc/s,u"b"

    @pubraw
    Scenario: a PUBRAW topic is unescaped, its raw data after > is not
      When I send AT+MQTTPUBRAW=0,"esc/r\,aw",6,0,0
      Then the device answers OK
      And the device answers >
      # The six bytes \ , \ " \ \ go out as they are.
      When I send the raw data "\\,\\\"\\\\"
      Then the device reports +MQTTPUB:OK
      And the broker received "\\,\\\"\\\\" on "esc/r,aw" with QoS 0, not retained

    @pub
    Scenario: a topic of 129 bytes on the line and 128 after unescaping is accepted
      When I send AT+MQTTPUB=0,"{127 x 'e'}\,","x",0,0
      Then the device answers OK
      And the broker received "x" on "{127 x 'e'}," with QoS 0, not retained

    @pub
    Scenario: a topic of 129 bytes after unescaping is refused
      When I send AT+MQTTPUB=0,"{128 x 'e'}\,","x",0,0
      Then the device answers:
        """
        ERR CODE:0x010a6043
        ERROR
        """

    @pub
    Scenario: an unescaped comma splits the data, and the core reports parameter 2 before 0x6044
      # esp-at#647, verbatim.
      When I send AT+MQTTPUB=0,"messages/log","765933, 94875095",0,0
      Then the device answers:
        """
        ERR CODE:0x01080002
        ERR CODE:0x010a6044
        ERROR
        """
      When I send AT+MQTTPUB=0,"messages/log","765933\, 94875095",0,0
      Then the device answers OK
      And the broker received "765933, 94875095" on "messages/log" with QoS 0, not retained

    @pub
    Scenario: data whose closing quote is missing is not a string
      When I send AT+MQTTPUB=0,"esc/open","abc,0,0
      Then the device answers:
        """
        ERR CODE:0x01080002
        ERR CODE:0x010a6044
        ERROR
        """

    @pub
    Scenario: data whose closing quote is escaped by a trailing backslash is not a string
      When I send AT+MQTTPUB=0,"esc/open","abc\",0,0
      Then the device answers:
        """
        ERR CODE:0x01080002
        ERR CODE:0x010a6044
        ERROR
        """

    @pub
    Scenario: an unescaped quote inside the data leaves text after the closing quote
      When I send AT+MQTTPUB=0,"esc/open","say "hi"",0,0
      Then the device answers:
        """
        ERR CODE:0x01080002
        ERR CODE:0x010a6044
        ERROR
        """

    @unsub
    Scenario: a topic that ends the line in a backslash is not a string
      When I send AT+MQTTUNSUB=0,"esc/open\
      Then the device answers:
        """
        ERR CODE:0x01080001
        ERR CODE:0x010a6041
        ERROR
        """

  Rule: not connected

    @usercfg
    Scenario: escapes in client id, username and password reach the broker unescaped
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"esc\,id\"1\\","us\,er\"\\","p\a\s\s",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """
      # In a Gherkin table cell `\\` is one backslash: the username is us,er"\ (7 bytes).
      Then the broker received a CONNECT from "esc,id"1\" with:
        | username | us,er"\\ |
        | password | pass     |

    @credentials @clientid
    Scenario: escapes in AT+MQTTCLIENTID reach the broker unescaped
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"esc-first","","",0,0,""
        AT+MQTTCLIENTID=0,"esc\,client\"2"
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """
      Then the broker received a CONNECT from "esc,client"2" with:
        | username | (none) |

    @usercfg
    Scenario: a username of 64 bytes after unescaping is accepted, 65 refused
      When I send AT+MQTTUSERCFG=0,1,"esc-u64","{64 x 'u'}\,","",0,0,""
      Then the device answers:
        """
        ERR CODE:0x010a6019
        ERROR
        """
      When I send these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"esc-u64","{63 x 'u'}\,","{63 x 'p'}\"",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """
      Then the broker received a CONNECT from "esc-u64" with:
        | username | {63 x 'u'}, |
        | password | {63 x 'p'}" |

    @conncfg
    Scenario: escapes in the will topic and message reach the broker unescaped
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"esc-will","","",0,0,""
        AT+MQTTCONNCFG=0,60,0,"esc/w\,ill","bye\, \"now\"",1,0
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """
      Then the broker received a CONNECT from "esc-will" with:
        | will topic   | esc/w,ill  |
        | will message | bye, "now" |
      When the broker cuts the connection of "esc-will"
      Then the device reports +MQTTDISCONNECTED:0
      And the broker delivered "bye, \"now\"" on "esc/w,ill" to subscribers
