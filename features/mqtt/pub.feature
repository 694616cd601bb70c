# AT+MQTTPUB: publish a string message.
# Sources: ESP-AT MQTT spec, AT+MQTTPUB (topic 128, QoS 0..2, retain, whole
# command under 256 bytes, no \0) and the error table; ESP-AT reference §2.3
# (PUB needs a connected link, else 0x6006), §2.4 (topic over 128 gives 0x6043,
# data over 256 gives 0x6046; 5 or 6 parameters, else 0x6008) and §3 (escapes
# \" \\ \, in strings, example AT+MQTTPUB=0,"topic","\"{\"sensor\":012}\"",1,0).
@pub @esp32 @esp8266
Feature: AT+MQTTPUB publishes a string message

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Rule: connected

    Background:
      Given I have sent these commands, each answered OK:
        """
        AT+MQTTUSERCFG=0,1,"pub-1","","",0,0,""
        AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
        """

    Scenario Outline: a message reaches the broker with its QoS and retain flag
      When I send AT+MQTTPUB=0,"pub/<qos>/<retain>","hello",<qos>,<retain>
      Then the device answers OK
      And the broker received "hello" on "pub/<qos>/<retain>" with QoS <qos>, <flag>

      Examples:
        | qos | retain | flag         |
        | 0   | 0      | not retained |
        | 1   | 0      | not retained |
        | 2   | 0      | not retained |
        | 0   | 1      | retained     |
        | 1   | 1      | retained     |

    Scenario: escaped quotes, commas and backslashes are unescaped before publishing
      When I send AT+MQTTPUB=0,"pub/json","\"{\"sensor\":012}\"",1,0
      Then the device answers OK
      And the broker received "\"{\"sensor\":012}\"" on "pub/json" with QoS 1, not retained
      When I send AT+MQTTPUB=0,"pub/escapes","a\,b\\c",0,0
      Then the device answers OK
      And the broker received "a,b\\c" on "pub/escapes" with QoS 0, not retained

    Scenario: a 128-byte topic is accepted
      When I send AT+MQTTPUB=0,"{128 x 'p'}","x",1,0
      Then the device answers OK
      And the broker received "x" on "{128 x 'p'}" with QoS 1, not retained

    Scenario: a 232-byte message, the most a 255-byte command carries, is published whole
      When I send AT+MQTTPUB=0,"t","{232 x 'd'}",1,0
      Then the device answers OK
      And the broker received "{232 x 'd'}" on "t" with QoS 1, not retained

    Scenario: the optional timeout parameter is accepted
      When I send AT+MQTTPUB=0,"pub/timeout","t",1,0,5000
      Then the device answers OK

    Scenario Outline: bad parameters are refused with their error code
      When I send AT+MQTTPUB=0,"<topic>","<data>",<qos>,<retain>
      Then the device answers:
        """
        ERR CODE:<code>
        ERROR
        """

      Examples:
        | topic       | data | qos | retain | code       |
        | {129 x 't'} | x    | 0   | 0      | 0x010a6043 |
        |             | x    | 0   | 0      | 0x010a6042 |
        | t           |      | 0   | 0      | 0x010a6045 |
        | t           | x    | 3   | 0      | 0x010a6048 |
        | t           | x    | 0   | 2      | 0x010a604a |

    Scenario: a parameter too many is a wrong parameter count
      When I send AT+MQTTPUB=0,"t","x",0,0,5000,1
      Then the device answers:
        """
        ERR CODE:0x010a6008
        ERROR
        """

    Scenario: publishing on link 1 is refused
      When I send AT+MQTTPUB=1,"t","x",0,0
      Then the device answers:
        """
        ERR CODE:0x010a6011
        ERROR
        """

  Rule: not connected

    Scenario: publishing before connecting is refused
      Given I have sent AT+MQTTUSERCFG=0,1,"pub-2","","",0,0,""
      When I send AT+MQTTPUB=0,"t","x",0,0
      Then the device answers:
        """
        ERR CODE:0x010a6006
        ERROR
        """
